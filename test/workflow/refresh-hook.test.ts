/**
 * The post-restore hook in the synthesized RefreshFork, run in-process against moto with the hooks
 * as local modules (test/fixtures/hooks/): it runs on the refresh's new database once that accepts
 * its password and before the secret or the DNS name move to it, with `trigger: "refresh"`; and it
 * fails closed — a failing hook fails the refresh, whose undo leaves the old database serving with
 * the secret and the CNAME as they were, and `Fork Refresh Failed` names the hook.
 */
import { fileURLToPath } from 'node:url';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { LifecycleEvent } from '../../lambdas/core/events.js';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import type { PostRestoreHookEvent } from '../../lambdas/core/post-restore-hook.js';
import type { LocalHook } from '../../local/hook-modules.js';
import { resetMoto } from '../support/moto.js';
import { describeInstance, type Harness, secretValue, workflowHarness } from '../support/workflow-harness.js';

const HOOKS: LocalHook[] = [
  { name: 'records', path: fileURLToPath(new URL('../fixtures/hooks/records.mjs', import.meta.url)) },
];

interface Seen {
  cname?: string;
  secretHost?: unknown;
  refresh?: { state?: string; step?: string };
}
interface HookCall {
  event: PostRestoreHookEvent;
  seen?: Seen;
}
type HookGlobals = typeof globalThis & {
  __dbforkHookCalls?: HookCall[];
  __dbforkHookProbe?: (event: PostRestoreHookEvent) => Promise<Seen>;
};
const globals = globalThis as HookGlobals;

const callsFor = (forkId: string) => (globals.__dbforkHookCalls ?? []).filter((c) => c.event.id === forkId);

async function cnameOf(h: Harness, dnsName: string): Promise<string | undefined> {
  const out = await h.clients.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: h.rt.env.hostedZoneId }),
  );
  const record = out.ResourceRecordSets?.find((r) => r.Type === 'CNAME' && r.Name === `${dnsName}.`);
  return record?.ResourceRecords?.[0]?.Value;
}

/** Every lifecycle event the harness's workflows publish, from now on. */
function recordPublished(h: Harness): { type: LifecycleEvent; fork: ForkRecord }[] {
  const published: { type: LifecycleEvent; fork: ForkRecord }[] = [];
  const publish = h.rt.events.publish.bind(h.rt.events);
  vi.spyOn(h.rt.events, 'publish').mockImplementation(async (type, fork) => {
    published.push({ type, fork });
    await publish(type, fork);
  });
  return published;
}

/** While a refresh's hook runs: where the CNAME and the secret point, and where the refresh is. */
function probeWith(h: Harness, failRefreshOf: Set<string>): HookGlobals['__dbforkHookProbe'] {
  return async (event) => {
    if (event.trigger === 'refresh' && failRefreshOf.has(event.name)) {
      throw new Error(`masking ${event.name} failed: relation customers does not exist`);
    }
    const fork = await h.rt.store.mustGet(event.id);
    const secret = await secretValue(h.clients, fork.secretArn ?? '');
    const cname = await cnameOf(h, event.dnsName);
    return {
      ...(cname ? { cname } : {}),
      secretHost: secret.host,
      ...(fork.refresh ? { refresh: { state: fork.refresh.state, step: fork.refresh.step } } : {}),
    };
  };
}

describe('RefreshFork with a post-restore hook (moto)', () => {
  let h: Harness;
  let published: { type: LifecycleEvent; fork: ForkRecord }[];
  const failRefreshOf = new Set<string>();
  const eventsOf = (forkId: string) => published.filter((e) => e.fork.id === forkId);

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness({ postRestoreHook: { hooks: HOOKS, timeoutSeconds: 5 } });
    globals.__dbforkHookProbe = probeWith(h, failRefreshOf);
    published = recordPublished(h);
  });

  it('runs the hook once on the new database before the secret and the DNS name move to it', async () => {
    const { fork } = await h.create({ source: 'orders-prod', name: 'masked-nightly' });
    expect(fork.hook?.status).toBe('succeeded');

    const { fork: refreshed, execution } = await h.refresh(fork.id);

    expect(execution.status, JSON.stringify(execution.error)).toBe('SUCCEEDED');
    const newId = `${fork.id}-r1`;
    const instance = await describeInstance(h, newId);
    const calls = callsFor(fork.id);
    expect(calls.map((c) => c.event.trigger)).toEqual(['create', 'refresh']);
    const call = calls[1];
    expect(call?.event).toMatchObject({
      trigger: 'refresh',
      hook: 'records',
      id: fork.id,
      name: 'masked-nightly',
      endpoint: instance.Endpoint?.Address,
      port: instance.Endpoint?.Port,
      secretArn: fork.secretArn,
      dnsName: fork.dnsName,
      restore: refreshed.refresh?.restore,
    });
    // While it ran, the old database still served: the secret and the CNAME named it.
    expect(call?.seen).toEqual({
      cname: fork.endpoint?.host,
      secretHost: fork.endpoint?.host,
      refresh: { state: 'running', step: 'running-hook' },
    });
    expect(JSON.stringify(call?.event)).not.toMatch(/password|username/i);
    // Its run is the refresh's; the create's own record of its hook is as the create left it.
    expect(refreshed.refresh).toMatchObject({
      state: 'succeeded',
      hook: { name: 'records', status: 'succeeded', durationMs: expect.any(Number) },
    });
    expect(refreshed.hook).toEqual(fork.hook);
    const messages = refreshed.history.map((e) => e.message);
    const ran = messages.findIndex((m) => m.includes('post-restore hook records succeeded'));
    const switched = messages.findIndex((m) => m.includes(`moving the secret and ${fork.dnsName}`));
    expect(ran).toBeGreaterThan(-1);
    expect(ran).toBeLessThan(switched);
    expect(eventsOf(fork.id).map((e) => e.type)).toContain('Fork Refreshed');
  });

  it('runs it again for the next refresh, on that refresh’s database', async () => {
    const { fork } = await h.create({ source: 'orders-prod', name: 'twice-refreshed' });
    await h.refresh(fork.id);
    const { execution } = await h.refresh(fork.id);

    expect(execution.status).toBe('SUCCEEDED');
    expect(callsFor(fork.id).map((c) => c.event.trigger)).toEqual(['create', 'refresh', 'refresh']);
    const second = await describeInstance(h, `${fork.id}-r2`);
    expect(callsFor(fork.id)[2]?.event.endpoint).toBe(second.Endpoint?.Address);
  });

  it('fails the refresh naming the hook when it throws: the old database keeps serving and Fork Refresh Failed says why', async () => {
    const { fork } = await h.create({ source: 'orders-prod', name: 'refused-refresh' });
    const secretBefore = await secretValue(h.clients, fork.secretArn ?? '');
    failRefreshOf.add('refused-refresh');

    const { fork: after, execution } = await h.refresh(fork.id);

    expect(execution.status).toBe('FAILED');
    const error = {
      code: 'PostRestoreHookError',
      message:
        'post-restore hook records failed: masking refused-refresh failed: relation customers does not exist',
    };
    expect(after).toMatchObject({
      status: 'ready',
      step: 'ready',
      endpoint: fork.endpoint,
      secretArn: fork.secretArn,
      refresh: { state: 'failed', error, hook: { name: 'records', status: 'failed' } },
    });
    expect(after.databaseId ?? after.id).toBe(fork.id);
    expect(await secretValue(h.clients, fork.secretArn ?? '')).toEqual(secretBefore);
    expect(await cnameOf(h, fork.dnsName)).toBe(fork.endpoint?.host);
    expect((await describeInstance(h, fork.id)).DBInstanceStatus).toBe('available');
    await expect(describeInstance(h, `${fork.id}-r1`)).rejects.toThrow();
    const failed = eventsOf(fork.id).find((e) => e.type === 'Fork Refresh Failed');
    expect(failed?.fork.refresh?.error).toEqual(error);
    expect(eventsOf(fork.id).map((e) => e.type)).not.toContain('Fork Refreshed');
  });

  it('undoes a refresh whose run-hook step failed after the hook ran, without running the hook again', async () => {
    const { fork } = await h.create({ source: 'orders-prod', name: 'after-hook-refresh' });
    const faulty = h.withFaults({ 'run-hook': 'after' });

    const { fork: after, execution } = await faulty.refresh(fork.id);

    expect(execution.status).toBe('FAILED');
    expect(after.refresh).toMatchObject({
      state: 'failed',
      error: { code: 'InjectedFaultError' },
      hook: { status: 'succeeded' },
    });
    expect(callsFor(fork.id).map((c) => c.event.trigger)).toEqual(['create', 'refresh']);
    expect(await cnameOf(h, fork.dnsName)).toBe(fork.endpoint?.host);
  });
});
