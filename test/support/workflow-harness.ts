import type { Logger } from '@aws-lambda-powertools/logger';
import { DocDBClient } from '@aws-sdk/client-docdb';
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { GetScheduleCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { createFork } from '../../lambdas/api/routes/create-fork.js';
import { deleteFork } from '../../lambdas/api/routes/delete-fork.js';
import { refreshFork } from '../../lambdas/api/routes/refresh-fork.js';
import { clientConfig } from '../../lambdas/core/clients.js';
import { createForkBodySchema, type ForkRecord, refreshForkBodySchema } from '../../lambdas/core/fork.js';
import type { PoolConfig } from '../../lambdas/core/pool-config.js';
import { createRuntime, type Runtime } from '../../lambdas/core/runtime.js';
import type { TaskCompletion } from '../../lambdas/core/task-completion.js';
import { handleRdsEvent, type RdsEventOutcome } from '../../lambdas/events/rds-event.js';
import type { StepHandlers } from '../../lambdas/steps/registry.js';
import type { StepName } from '../../lambdas/steps/step-names.js';
import { type LocalHook, ModuleHookInvoker } from '../../local/hook-modules.js';
import type { LocalTaskTokens } from '../../local/local-task-tokens.js';
import {
  type LocalExecution,
  LocalWorkflows,
  type LocalWorkflowsOptions,
} from '../../local/local-workflows.js';
import { offlineHookConfig } from '../../local/offline-env.js';
import { type RdsEventDelivery, startRdsEventDelivery } from '../../local/rds-event-delivery.js';
import {
  type AuroraSourceOptions,
  type SeededClusterSource,
  type SeededRdsSource,
  seedAuroraSource,
  seedDocdbSource,
  seedPlatform,
  seedRdsSource,
} from '../../local/seed.js';
import { type CfnTemplate, exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { motoEndpoint } from './moto.js';
import {
  createMotoForkTable,
  motoClients,
  TEST_SCHEDULER_ROLE_ARN,
  testEnv,
  testLogger,
  uniqueTableName,
} from './runtime.js';

/**
 * Workflow tests: the synthesized state machines run in-process (aws-local-stepfunctions), every
 * Task bound to the real step handler, every SDK client pointed at moto.
 */

export const OWNER = 'arn:aws:iam::123456789012:user/alice';
export const DOMAIN = 'forks.workflow.internal';
export const SCHEDULE_GROUP = 'dbfork';

const templates = new Map<string, CfnTemplate>();
/**
 * Synthesized once per test file (and hook configuration): the definitions are what `cdk deploy`
 * would ship. With a post-restore hook the create workflow has its RunHook state.
 */
export function stackTemplate(postRestoreHook?: ReturnType<typeof offlineHookConfig>): CfnTemplate {
  const key = JSON.stringify(postRestoreHook ?? null);
  let template = templates.get(key);
  if (!template) {
    template = synthesizeTemplate(postRestoreHook ? { ...exampleConfig(), postRestoreHook } : undefined);
    templates.set(key, template);
  }
  return template;
}

export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
}

export type Fault = 'after' | 'before';

/** Wraps handlers so a step fails right after (or before) its real side effects. */
export function injectFaults(faults: Partial<Record<StepName, Fault>>) {
  return (handlers: StepHandlers): StepHandlers => {
    const wrapped = { ...handlers };
    for (const [name, when] of Object.entries(faults) as [StepName, Fault][]) {
      const real = handlers[name];
      wrapped[name] = async (input: unknown) => {
        if (when === 'before') throw new InjectedFaultError(`injected failure before ${name}`);
        await real(input);
        throw new InjectedFaultError(`injected failure after ${name}`);
      };
    }
    return wrapped;
  };
}

/** Thrown by {@link CrashPoint}: the handler "dies" part-way through its AWS work. */
export class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrashError';
}

/**
 * A crash mid-step: while `step` runs, the `nth` (default 1st) SDK call named `command` (e.g.
 * `ModifyDBInstanceCommand`, `UpdateItemCommand` for the fork store) either is never sent
 * (`instead`: every earlier side effect of the step happened, this and later ones did not) or is
 * sent and its answer lost (`after`). If the step never makes that call the step fails with
 * `CrashPointNotReached`, so a wrong crash point cannot pass silently.
 */
export interface CrashPoint {
  step: StepName;
  command: string;
  when: 'instead' | 'after';
  nth?: number;
}

type HandlerWrap = (handlers: StepHandlers) => StepHandlers;

interface ArmedCrash {
  point: CrashPoint;
  seen: number;
  fired: boolean;
}

export interface HarnessOptions {
  faults?: Partial<Record<StepName, Fault>>;
  /** The runtime's logger (default: the quiet test logger). */
  logger?: Logger;
  /**
   * Deliver the emulator's RDS events to the RDS-event handler (local/rds-event-delivery.ts), as
   * the rule and function do in AWS. Off by default: the waits' safety-net checks complete them.
   * One harness with events at a time (they share the emulator's queue); `close()` stops it.
   */
  rdsEvents?: boolean;
  /** Milliseconds of a wait's heartbeat / timeout of `seconds`. @default {@link testTaskTimerMs} */
  taskTimerMs?: LocalWorkflowsOptions['taskTimerMs'];
  /**
   * Post-restore hooks as the offline mode has them (local modules; the first is the default, all
   * allowed), in the stack config, the policy and the runtime. @default none
   */
  postRestoreHook?: { hooks: readonly LocalHook[]; timeoutSeconds?: number };
  /** Warm pools in the policy (the pool keeper fills them: `createPoolKeeper(h.rt)()`). @default none */
  pools?: readonly PoolConfig[];
}

/**
 * Heartbeats and timeouts of event-driven waits in the moto tier: seconds × 1000 / 600 (the first
 * safety-net check after 100 ms, the longest heartbeat 500 ms), as Wait states last 1 ms here.
 */
export const testTaskTimerMs: NonNullable<LocalWorkflowsOptions['taskTimerMs']> = (_state, seconds) =>
  (seconds * 1000) / 600;

export interface Harness<Source = SeededRdsSource> {
  rt: Runtime;
  workflows: LocalWorkflows;
  source: Source;
  clients: ReturnType<typeof motoClients>;
  /** Creates a fork through the API's domain function and waits for its workflow to settle. */
  create(body: Record<string, unknown>): Promise<{ fork: ForkRecord; execution: LocalExecution }>;
  /** Deletes a fork through the API's domain function and waits for the delete workflow. */
  delete(forkId: string): Promise<{ fork: ForkRecord; execution: LocalExecution | undefined }>;
  /** Refreshes a fork through the API's domain function and waits for the refresh workflow. */
  refresh(
    forkId: string,
    body?: Record<string, unknown>,
  ): Promise<{ fork: ForkRecord; execution: LocalExecution }>;
  leftovers(forkId: string): Promise<Leftovers>;
  /** The same emulator, table and source, with workflows whose steps fail as told. */
  withFaults(faults: Partial<Record<StepName, Fault>>): Harness<Source>;
  /** The same emulator, table and source, with workflows whose step handlers are wrapped by `wrap`. */
  withHandlers(wrap: HandlerWrap): Harness<Source>;
  /** The same emulator, table and source, with one step crashing part-way (see {@link CrashPoint}). */
  withCrash(point: CrashPoint): Harness<Source>;
  /** What the RDS-event handler answered to each delivered event (with `rdsEvents`). */
  rdsEventOutcomes: RdsEventOutcome[];
  /** Stops the RDS event delivery (with `rdsEvents`); idempotent. */
  close(): Promise<void>;
}

export interface Leftovers {
  instances: string[];
  clusters: string[];
  snapshots: string[];
  clusterSnapshots: string[];
  secrets: string[];
  dnsRecords: string[];
  schedules: string[];
}

type Clients = ReturnType<typeof motoClients>;

/** The cluster a `clusterWorkflowHarness` seeds: Aurora (provisioned or Serverless v2) or DocumentDB. */
export type ClusterHarnessSource =
  | ({ kind: 'aurora-cluster' } & Omit<AuroraSourceOptions, 'id' | 'tags'>)
  | { kind: 'docdb-cluster' };

export async function workflowHarness(
  options: {
    faults?: Partial<Record<StepName, Fault>>;
    sourceId?: string;
    engine?: 'postgres' | 'mysql' | 'mariadb';
  } & HarnessOptions = {},
): Promise<Harness<SeededRdsSource>> {
  const sourceId = options.sourceId ?? 'orders-prod';
  return buildHarness(sourceId, options, (endpoint, clients) =>
    seedRdsSource(endpoint, clients.rds, {
      id: sourceId,
      tags: { team: 'orders' },
      ...(options.engine ? { engine: options.engine } : {}),
    }),
  );
}

/** A harness around a seeded Aurora or DocumentDB source (see `seedAuroraSource` / `seedDocdbSource`). */
export async function clusterWorkflowHarness(
  options: {
    source: ClusterHarnessSource;
    sourceId: string;
  } & HarnessOptions,
): Promise<Harness<SeededClusterSource>> {
  const { source, sourceId } = options;
  const tags = { team: 'analytics' };
  return buildHarness(sourceId, options, (endpoint, clients) =>
    source.kind === 'docdb-cluster'
      ? seedDocdbSource(endpoint, new DocDBClient(clientConfig({ endpoint })), { id: sourceId, tags })
      : seedAuroraSource(endpoint, clients.rds, {
          id: sourceId,
          engine: source.engine,
          ...(source.serverless ? { serverless: true } : {}),
          tags,
        }),
  );
}

async function buildHarness<Source>(
  sourceId: string,
  options: HarnessOptions,
  seed: (endpoint: string, clients: Clients) => Promise<Source>,
): Promise<Harness<Source>> {
  const endpoint = motoEndpoint();
  const clients = motoClients(endpoint);
  const tableName = uniqueTableName();
  await createMotoForkTable(endpoint, tableName);
  const eventBusName = 'dbfork';
  const { hostedZoneId } = await seedPlatform(clients, {
    domain: DOMAIN,
    eventBusName,
    scheduleGroupName: SCHEDULE_GROUP,
  });
  const source = await seed(endpoint, clients);
  const hookConfig = offlineHookConfig(
    (options.postRestoreHook?.hooks ?? []).map((hook) => hook.name),
    options.postRestoreHook?.timeoutSeconds,
  );
  const env = testEnv({
    tableName,
    hostedZoneId,
    hostedZoneDomain: DOMAIN,
    eventBusName,
    schedulerGroupName: SCHEDULE_GROUP,
    schedulerRoleArn: TEST_SCHEDULER_ROLE_ARN,
    awsEndpoint: endpoint,
    policy: {
      allowedSources: [sourceId],
      ...(hookConfig ? { postRestoreHook: hookConfig } : {}),
      ...(options.pools ? { pools: [...options.pools] } : {}),
    },
  });
  const hooks = new ModuleHookInvoker(options.postRestoreHook?.hooks ?? []);

  // One interception point on every client (the document client shares DynamoDB's stack): a crash
  // point is armed only while its step's handler runs.
  let armed: ArmedCrash | undefined;
  for (const client of Object.values(clients) as { middlewareStack: MiddlewareStackLike }[]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const crash = armed;
        if (crash && !crash.fired && context.commandName === crash.point.command) {
          crash.seen += 1;
          if (crash.seen === (crash.point.nth ?? 1)) {
            crash.fired = true;
            const message = `injected crash ${crash.point.when} ${crash.point.command} in ${crash.point.step}`;
            if (crash.point.when === 'instead') throw new InjectedCrashError(message);
            await next(args);
            throw new InjectedCrashError(message);
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'dbforkInjectedCrash', override: true },
    );
  }
  const crashAt =
    (point: CrashPoint): HandlerWrap =>
    (handlers) => ({
      ...handlers,
      [point.step]: async (input: unknown) => {
        const crash: ArmedCrash = { point, seen: 0, fired: false };
        armed = crash;
        try {
          await handlers[point.step](input);
        } finally {
          armed = undefined;
        }
        throw crash.fired
          ? new InjectedCrashError(`the crash in ${point.step} was swallowed`)
          : new Error(`CrashPointNotReached: ${point.step} made no ${point.command}`);
      },
    });

  // Every variant (withFaults, …) has its own runner and tokens: an event completes whichever holds it.
  const tokenStores: LocalTaskTokens[] = [];
  const anyStore: TaskCompletion = {
    async succeed(token, output) {
      for (const store of tokenStores)
        if ((await store.succeed(token, output)) === 'completed') return 'completed';
      return 'stale';
    },
    async fail(token, error, cause) {
      for (const store of tokenStores)
        if ((await store.fail(token, error, cause)) === 'completed') return 'completed';
      return 'stale';
    },
  };
  let delivery: RdsEventDelivery | undefined;
  const rdsEventOutcomes: RdsEventOutcome[] = [];

  const harness = (wrap: HandlerWrap | undefined): Harness<Source> => {
    const workflows = new LocalWorkflows(stackTemplate(hookConfig), {
      ...(wrap ? { wrapHandlers: wrap } : {}),
      taskTimerMs: options.taskTimerMs ?? testTaskTimerMs,
    });
    tokenStores.push(workflows.taskTokens);
    const rt = createRuntime({
      env,
      aws: clients,
      workflows,
      tasks: workflows.taskTokens,
      logger: options.logger ?? testLogger(),
      hooks,
    });
    workflows.attach(rt);
    const settled = async (kind: 'create' | 'delete' | 'refresh', forkId: string) => {
      await workflows.idle();
      return workflows
        .list(forkId)
        .filter((e) => e.kind === kind)
        .at(-1);
    };
    return {
      rt,
      workflows,
      source,
      clients,
      async create(body) {
        const { fork } = await createFork(rt, { owner: OWNER, body: createForkBodySchema.parse(body) });
        const execution = await settled('create', fork.id);
        if (!execution) throw new Error(`no create execution for ${fork.id}`);
        return { fork: await rt.store.mustGet(fork.id), execution };
      },
      async delete(forkId) {
        await deleteFork(rt, forkId, OWNER);
        const execution = await settled('delete', forkId);
        return { fork: await rt.store.mustGet(forkId), execution };
      },
      async refresh(forkId, body = {}) {
        await refreshFork(rt, forkId, OWNER, refreshForkBodySchema.parse(body));
        const execution = await settled('refresh', forkId);
        if (!execution) throw new Error(`no refresh execution for ${forkId}`);
        return { fork: await rt.store.mustGet(forkId), execution };
      },
      leftovers: (forkId) => leftovers(rt, clients, forkId, hostedZoneId),
      withFaults: (more) => harness(injectFaults(more)),
      withHandlers: (more) => harness(more),
      withCrash: (point) => harness(crashAt(point)),
      rdsEventOutcomes,
      close: async () => {
        await delivery?.stop();
        delivery = undefined;
      },
    };
  };
  const base = harness(options.faults ? injectFaults(options.faults) : undefined);
  if (options.rdsEvents) {
    const eventRuntime = createRuntime({
      env,
      aws: clients,
      workflows: base.workflows,
      tasks: anyStore,
      logger: options.logger ?? testLogger(),
    });
    delivery = await startRdsEventDelivery({
      endpoint,
      deliver: async (event) => {
        rdsEventOutcomes.push(await handleRdsEvent(event, eventRuntime));
      },
    });
  }
  return base;
}

/** The slice of an SDK client's middleware stack the crash injection uses. */
interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override: boolean },
  ): void;
}

/** Everything in the emulator that belongs to a fork: must be empty after a delete or a failure. */
async function leftovers(
  rt: Runtime,
  clients: Clients,
  forkId: string,
  hostedZoneId: string,
): Promise<Leftovers> {
  // One RDS API answers for every engine: moto (like AWS) lists DocumentDB clusters through it too.
  const instances = (await clients.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  const clusters = (await clients.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
  const snapshots = (await clients.rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [];
  const clusterSnapshots =
    (await clients.rds.send(new DescribeDBClusterSnapshotsCommand({}))).DBClusterSnapshots ?? [];
  const secrets = (await clients.secrets.send(new ListSecretsCommand({}))).SecretList ?? [];
  const records =
    (await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId })))
      .ResourceRecordSets ?? [];
  const schedules =
    (await clients.scheduler.send(new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP }))).Schedules ?? [];
  const fork = await rt.store.get(forkId);
  return {
    instances: instances.map((i) => i.DBInstanceIdentifier ?? '').filter((id) => id.startsWith(forkId)),
    clusters: clusters.map((c) => c.DBClusterIdentifier ?? '').filter((id) => id.startsWith(forkId)),
    snapshots: snapshots.map((s) => s.DBSnapshotIdentifier ?? '').filter((id) => id.includes(forkId)),
    clusterSnapshots: clusterSnapshots
      .map((s) => s.DBClusterSnapshotIdentifier ?? '')
      .filter((id) => id.includes(forkId)),
    secrets: secrets.map((s) => s.Name ?? '').filter((name) => name.includes(forkId)),
    dnsRecords: records
      .filter((r) => r.Type === 'CNAME' && fork && r.Name === `${fork.dnsName}.`)
      .map((r) => r.Name ?? ''),
    schedules: schedules.map((s) => s.Name ?? '').filter((name) => name.includes(forkId)),
  };
}

export const NOTHING_LEFT: Leftovers = {
  instances: [],
  clusters: [],
  snapshots: [],
  clusterSnapshots: [],
  secrets: [],
  dnsRecords: [],
  schedules: [],
};

export async function secretValue(
  clients: ReturnType<typeof motoClients>,
  arn: string,
): Promise<Record<string, unknown>> {
  const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  return JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>;
}

export async function schedule(clients: ReturnType<typeof motoClients>, name: string) {
  return clients.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: SCHEDULE_GROUP }));
}

/** The DB instance, as moto describes it now (throws when there is none). */
export async function describeInstance(h: { clients: Clients }, id: string) {
  const out = await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const instance = out.DBInstances?.[0];
  if (!instance) throw new Error(`no instance ${id}`);
  return instance;
}

/** The DB cluster (Aurora or DocumentDB), as moto describes it now (throws when there is none). */
export async function describeCluster(h: { clients: Clients }, id: string) {
  const out = await h.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  const cluster = out.DBClusters?.[0];
  if (!cluster) throw new Error(`no cluster ${id}`);
  return cluster;
}

export async function tagsOf(
  h: { clients: Clients },
  arn: string,
): Promise<Record<string, string | undefined>> {
  const out = await h.clients.rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key, t.Value]));
}
