import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleRdsEvent } from '../../lambdas/events/rds-event.js';
import type { LocalExecution } from '../../local/local-workflows.js';
import { getEmulatorEvents, resetMoto, setEmulatorConfig } from '../support/moto.js';
import { type Harness, NOTHING_LEFT, workflowHarness } from '../support/workflow-harness.js';

/**
 * The create and delete workflows wait on task tokens that RDS events complete (docs/workflows.md):
 * the faithful emulator emits RDS events onto its default bus, local/rds-event-delivery.ts hands
 * them to the real RDS-event handler, and the waits' heartbeats are the safety net.
 */

/** Heartbeats no test here waits for: only an RDS event (or the wait's own first check) ends a wait. */
const EVENTS_ONLY = (_state: string, _seconds: number, timer: 'heartbeat' | 'timeout') =>
  timer === 'heartbeat' ? 60_000 : 600_000;
/** The safety-net checks of the waits (`eventWait` in lib/workflows.construct.ts). */
const SAFETY_NET = /^(Cleanup)?Check(Snapshot|Database|Instances|Gone)$/;
/** Long enough that a wait's own first check finds the change still under way. */
const DELAY_MS = 400;

function statesEntered(execution: LocalExecution | undefined): string[] {
  return (execution?.events ?? []).flatMap((event) =>
    event.type === 'StateEntered' ? [event.state.name] : [],
  );
}

describe('event-driven waits (faithful emulator, RDS events delivered)', () => {
  let h: Harness | undefined;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: DELAY_MS });
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('creates and deletes a fork with every wait completed by an RDS event, no safety-net check', async () => {
    h = await workflowHarness({ rdsEvents: true, taskTimerMs: EVENTS_ONLY });

    const { fork, execution } = await h.create({
      source: 'orders-prod',
      restore: { type: 'fresh-snapshot' },
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fork.status).toBe('ready');
    const created = statesEntered(execution);
    expect(created).toEqual(expect.arrayContaining(['AwaitSnapshot', 'AwaitDatabase']));
    expect(created.filter((name) => SAFETY_NET.test(name))).toEqual([]);
    expect(h.rdsEventOutcomes).toContain('completed');

    const deleted = await h.delete(fork.id);
    expect(deleted.execution?.status).toBe('SUCCEEDED');
    const removed = statesEntered(deleted.execution);
    expect(removed).toContain('AwaitGone');
    expect(removed.filter((name) => SAFETY_NET.test(name))).toEqual([]);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('still creates and deletes a fork when every RDS event is lost: the safety-net checks complete the waits', async () => {
    await setEmulatorConfig({ events: { dropFraction: 1 } });
    h = await workflowHarness({ rdsEvents: true });

    const { fork, execution } = await h.create({ source: 'orders-prod' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fork.status).toBe('ready');
    expect(statesEntered(execution)).toContain('CheckDatabase');
    const emitted = await getEmulatorEvents();
    expect(emitted.length).toBeGreaterThan(0);
    expect(emitted.every((record) => record.dropped)).toBe(true);
    expect(h.rdsEventOutcomes).toEqual([]);

    const deleted = await h.delete(fork.id);
    expect(deleted.execution?.status).toBe('SUCCEEDED');
    expect(statesEntered(deleted.execution)).toContain('CheckGone');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('ignores an RDS event that arrives after the safety net completed its wait', async () => {
    await setEmulatorConfig({ events: { dropFraction: 1 } });
    h = await workflowHarness({ rdsEvents: true });
    const { fork, execution } = await h.create({ source: 'orders-prod' });
    expect(execution.status).toBe('SUCCEEDED');

    // The event RDS would have sent when the restore finished, delivered late.
    const late = {
      source: 'aws.rds',
      'detail-type': 'RDS DB Instance Event',
      resources: [`arn:aws:rds:us-east-1:123456789012:db:${fork.id}`],
      detail: {
        SourceIdentifier: fork.id,
        SourceType: 'DB_INSTANCE',
        EventID: 'RDS-EVENT-0008',
        Message: 'Restored from snapshot',
      },
    };
    const outcome = await handleRdsEvent(late, h.rt);

    expect(['no-wait', 'stale']).toContain(outcome);
    expect(await handleRdsEvent(late, h.rt)).toBe('no-wait');
    expect((await h.rt.store.mustGet(fork.id)).status).toBe('ready');
    expect(h.workflows.list(fork.id).map((e) => `${e.kind}:${e.status}`)).toEqual(['create:SUCCEEDED']);
  });

  it('fails the fork when the RDS event reports the restore failed, and cleans up', async () => {
    await setEmulatorConfig({ failures: { nextRestore: 'restore-error' } });
    h = await workflowHarness({ rdsEvents: true, taskTimerMs: EVENTS_ONLY });

    const { fork, execution } = await h.create({ source: 'orders-prod' });

    expect(execution.status).toBe('FAILED');
    expect(fork.status).toBe('failed');
    expect(fork.error?.message).toContain('restore-error');
    const entered = statesEntered(execution);
    expect(entered).toContain('AwaitDatabase');
    expect(entered.filter((name) => SAFETY_NET.test(name))).toEqual([]);
    expect(h.rdsEventOutcomes).toContain('failed');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});
