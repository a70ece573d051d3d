/**
 * The post-restore hook in the synthesized CreateFork, run in-process against moto, the hooks being
 * local modules as in the offline mode (test/fixtures/hooks/): it runs once the database is available
 * and its credentials rotated, before the DNS name and `ready`, with the fork and never a password;
 * and it fails closed — a hook that throws, returns an error or times out fails the fork, whose
 * cleanup leaves nothing behind and whose error names the hook.
 */
import { fileURLToPath } from 'node:url';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import type { PostRestoreHookEvent } from '../../lambdas/core/post-restore-hook.js';
import type { LocalHook } from '../../local/hook-modules.js';
import type { LocalExecution } from '../../local/local-workflows.js';
import type { SeededClusterSource } from '../../local/seed.js';
import { resetMoto } from '../support/moto.js';
import {
  clusterWorkflowHarness,
  type Harness,
  NOTHING_LEFT,
  secretValue,
  workflowHarness,
} from '../support/workflow-harness.js';

const fixture = (name: string): LocalHook => ({
  name,
  path: fileURLToPath(new URL(`../fixtures/hooks/${name}.mjs`, import.meta.url)),
});
/** `records` is the default; the others are asked for by name. */
const HOOKS = ['records', 'throws', 'returns-error', 'hangs'].map(fixture);
const TIMEOUT_SECONDS = 1;

interface HookCall {
  event: PostRestoreHookEvent;
  seen?: { status: string; step: string; dnsRecords: number; secretArn?: string };
  context: { functionName: string; invokedFunctionArn: string };
}
type HookGlobals = typeof globalThis & {
  __dbforkHookCalls?: HookCall[];
  __dbforkHookProbe?: (event: PostRestoreHookEvent) => Promise<HookCall['seen']>;
};
const globals = globalThis as HookGlobals;

/** The calls the `records` hook got for one fork. */
const callsFor = (forkId: string) => (globals.__dbforkHookCalls ?? []).filter((c) => c.event.id === forkId);

/** While the hook runs: where the fork is, and whether its DNS name exists yet. */
function probeWith<S>(h: Harness<S>): HookGlobals['__dbforkHookProbe'] {
  return async (event) => {
    const fork = await h.rt.store.mustGet(event.id);
    const records = await h.clients.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: h.rt.env.hostedZoneId }),
    );
    return {
      status: fork.status,
      step: fork.step,
      dnsRecords: (records.ResourceRecordSets ?? []).filter((r) => r.Name === `${event.dnsName}.`).length,
      ...(fork.secretArn ? { secretArn: fork.secretArn } : {}),
    };
  };
}

async function expectFailedClean<S>(
  h: Harness<S>,
  result: { fork: ForkRecord; execution: LocalExecution },
  error: { code: string; message: string },
): Promise<void> {
  const { fork, execution } = result;
  expect(execution.status).toBe('FAILED');
  expect({ status: fork.status, step: fork.step }).toEqual({ status: 'failed', step: 'failed' });
  expect(fork.error).toEqual(error);
  expect(fork.hook).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
  const steps = fork.history.map((e) => e.step);
  expect(steps).toEqual(expect.arrayContaining(['running-hook', 'cleaning-up', 'failed']));
  // It never got a name: the hook runs before register-dns.
  expect(steps).not.toContain('registering-dns');
  expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  await expect(h.rt.secrets.read(fork.id)).resolves.toBeUndefined();
  expect(await h.rt.schedules.exists(fork.id, h.rt.env.schedulerGroupName)).toBe(false);
}

describe('CreateFork with a post-restore hook: an RDS instance fork (moto)', () => {
  let h: Harness;

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness({ postRestoreHook: { hooks: HOOKS, timeoutSeconds: TIMEOUT_SECONDS } });
    globals.__dbforkHookProbe = probeWith(h);
  });

  it('runs the default hook once, on the available database, before the fork is named or ready', async () => {
    const { fork, execution } = await h.create({ source: 'orders-prod', name: 'masked', tags: { pr: '7' } });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fork.status).toBe('ready');
    expect(fork.hook).toEqual({
      name: 'records',
      status: 'succeeded',
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      durationMs: expect.any(Number),
    });
    const steps = fork.history.map((e) => e.step);
    expect(steps.indexOf('running-hook')).toBeGreaterThan(steps.indexOf('rotating-credentials'));
    expect(steps.indexOf('running-hook')).toBeLessThan(steps.indexOf('registering-dns'));

    const calls = callsFor(fork.id);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    // While it ran the fork was still being created, with its secret and without its DNS name.
    expect(call?.seen).toEqual({
      status: 'creating',
      step: 'running-hook',
      dnsRecords: 0,
      secretArn: fork.secretArn,
    });
    expect(call?.context.functionName).toBe('records');
    expect(call?.event).toEqual({
      trigger: 'create',
      hook: 'records',
      id: fork.id,
      name: 'masked',
      source: fork.source,
      endpoint: fork.endpoint?.host,
      port: fork.endpoint?.port,
      engine: 'postgres',
      secretArn: fork.secretArn,
      dnsName: fork.dnsName,
      restore: fork.restore,
      owner: fork.owner,
      tags: { pr: '7' },
      expiresAt: fork.expiresAt,
    });
    // Never a secret: neither the password nor anything else the secret holds but its ARN.
    const secret = await secretValue(h.clients, fork.secretArn ?? '');
    const text = JSON.stringify(call?.event);
    expect(String(secret.password).length).toBeGreaterThan(8);
    expect(text).not.toContain(String(secret.password));
    expect(text).not.toMatch(/password|username/i);
  });

  it('fails the fork naming the hook when the hook throws, and leaves nothing behind', async () => {
    const result = await h.create({ source: 'orders-prod', name: 'thrown', hook: 'throws' });
    await expectFailedClean(h, result, {
      code: 'PostRestoreHookError',
      message:
        'post-restore hook throws failed: TypeError: masking thrown failed: column customers.ssn does not exist',
    });
  });

  it('fails the fork naming the hook when the hook returns an error, and leaves nothing behind', async () => {
    const result = await h.create({ source: 'orders-prod', name: 'refused', hook: 'returns-error' });
    await expectFailedClean(h, result, {
      code: 'PostRestoreHookError',
      message:
        'post-restore hook returns-error failed: seed data rejected: 3 rows violate orders_customer_fk',
    });
  });

  it('fails the fork naming the hook when the hook times out, and leaves nothing behind', async () => {
    const result = await h.create({ source: 'orders-prod', name: 'stalled', hook: 'hangs' });
    await expectFailedClean(h, result, {
      code: 'PostRestoreHookTimeoutError',
      message: `post-restore hook hangs timed out: no answer within ${TIMEOUT_SECONDS} s (postRestoreHook.timeoutSeconds)`,
    });
  });

  it('cleans up when the step fails after the hook ran, and does not run the hook again', async () => {
    const faulty = h.withFaults({ 'run-hook': 'after' });
    const result = await faulty.create({ source: 'orders-prod', name: 'after-hook' });
    expect(result.fork.error?.code).toBe('InjectedFaultError');
    expect(result.fork.status).toBe('failed');
    expect(await faulty.leftovers(result.fork.id)).toEqual(NOTHING_LEFT);
    expect(callsFor(result.fork.id)).toHaveLength(1);
  });
});

describe('CreateFork with a post-restore hook: an Aurora cluster fork (moto)', () => {
  let h: Harness<SeededClusterSource>;

  beforeAll(async () => {
    await resetMoto();
    h = await clusterWorkflowHarness({
      source: { kind: 'aurora-cluster', engine: 'aurora-postgresql' },
      sourceId: 'analytics-aurora',
      postRestoreHook: { hooks: HOOKS, timeoutSeconds: TIMEOUT_SECONDS },
    });
    globals.__dbforkHookProbe = probeWith(h);
  });

  it('runs the hook on the cluster endpoint once its writer is available', async () => {
    const { fork, execution } = await h.create({ source: 'analytics-aurora', restore: { type: 'clone' } });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fork.hook?.status).toBe('succeeded');
    const [call] = callsFor(fork.id);
    expect(call?.event).toMatchObject({
      engine: 'aurora-postgresql',
      source: { kind: 'aurora-cluster' },
      endpoint: fork.endpoint?.host,
      port: fork.endpoint?.port,
    });
    expect(call?.seen).toMatchObject({ status: 'creating', dnsRecords: 0 });
  });

  it('fails a thrown hook on a cluster fork and removes the cluster and its instance', async () => {
    const result = await h.create({ source: 'analytics-aurora', hook: 'throws' });
    await expectFailedClean(h, result, {
      code: 'PostRestoreHookError',
      message: `post-restore hook throws failed: TypeError: masking ${result.fork.name} failed: column customers.ssn does not exist`,
    });
  });
});
