import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { beforeEach, describe, expect, it } from 'vitest';
import { changeExpiry } from '../../lambdas/api/routes/patch-fork.js';
import { atExpression } from '../../lambdas/core/expiry-schedule.js';
import { scheduleName, warningScheduleName } from '../../lambdas/core/ids.js';
import { handleExpiryWarning } from '../../lambdas/events/expiry-warning.js';
import { fireDueSchedules } from '../../local/scheduler-emulation.js';
import { resetMoto } from '../support/moto.js';
import {
  type Harness,
  NOTHING_LEFT,
  OWNER,
  SCHEDULE_GROUP,
  schedule,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Fork Expiring end to end on moto: the warning schedule the create workflow puts, fired as
 * Scheduler would (local/scheduler-emulation.ts, through the expiry-warning function's handler),
 * moved by PATCH, and silenced by a delete. Every lifecycle event is read as it leaves for the bus.
 */

interface Sent {
  detailType: string;
  detail: { id: string; expiresAt: string; expiryWarningAt?: string; status: string };
}

/** Every lifecycle event, in the order it was put on the bus. */
function tapEvents(h: Harness): Sent[] {
  const sent: Sent[] = [];
  h.clients.events.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutEventsCommand') {
        const input = (args as { input: PutEventsCommand['input'] }).input;
        for (const entry of input.Entries ?? []) {
          sent.push({ detailType: entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'lifecycleEventTap' },
  );
  return sent;
}

/** Fires the due schedules as Scheduler would at `at` (ISO), warnings through their function's handler. */
function fireAt(h: Harness, at: string) {
  return fireDueSchedules({
    scheduler: h.clients.scheduler,
    groupName: SCHEDULE_GROUP,
    deleteStateMachineArn: h.rt.env.deleteStateMachineArn ?? '',
    workflows: h.workflows,
    expiryWarning: {
      functionArn: h.rt.env.expiryWarningFunctionArn ?? '',
      invoke: (input) => handleExpiryWarning(input, h.rt),
    },
    now: new Date(at),
  });
}

const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('Fork Expiring (moto)', () => {
  let h: Harness;
  let sent: Sent[];

  beforeEach(async () => {
    await resetMoto();
    h = await workflowHarness();
    sent = tapEvents(h);
  });

  it('is announced the lead time before the expiry, then the expiry deletes the fork and leaves nothing', async () => {
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 24 });
    expect(fork.status).toBe('ready');
    // 24 hours left when scheduled: the default lead time of 60 minutes.
    const warningAt = shift(fork.expiresAt, -60 * 60_000);
    expect(fork.expiryWarningAt).toBe(warningAt);
    expect(await schedule(h.clients, warningScheduleName(fork.id))).toMatchObject({
      ScheduleExpression: atExpression(warningAt),
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({
        Arn: h.rt.env.expiryWarningFunctionArn,
        Input: JSON.stringify({ forkId: fork.id, expiresAt: fork.expiresAt }),
      }),
    });

    expect(await fireAt(h, shift(warningAt, -1000))).toEqual([]);
    expect(await fireAt(h, shift(warningAt, 1000))).toEqual([
      { name: warningScheduleName(fork.id), forkId: fork.id, target: 'expiry-warning' },
    ]);
    expect(await fireAt(h, shift(warningAt, 2000))).toEqual([]);
    expect(await fireAt(h, shift(fork.expiresAt, 1000))).toEqual([
      { name: scheduleName(fork.id), forkId: fork.id, target: 'delete-workflow' },
    ]);
    await h.workflows.idle();

    expect(sent.map((e) => e.detailType)).toEqual([
      'Fork Requested',
      'Fork Ready',
      'Fork Expiring',
      'Fork Deleted',
    ]);
    expect(sent[2]?.detail).toMatchObject({
      id: fork.id,
      status: 'ready',
      expiresAt: fork.expiresAt,
      expiryWarningAt: warningAt,
    });
    expect((await h.rt.store.mustGet(fork.id)).status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('moves with a PATCH: the old expiry is never announced, the new one is', async () => {
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 24 });
    const stale = { forkId: fork.id, expiresAt: fork.expiresAt };

    const extended = await changeExpiry(h.rt, fork.id, OWNER, { ttlHours: 48 });

    const warningAt = shift(extended.expiresAt, -60 * 60_000);
    expect(extended.expiryWarningAt).toBe(warningAt);
    expect((await schedule(h.clients, warningScheduleName(fork.id))).ScheduleExpression).toBe(
      atExpression(warningAt),
    );
    // A late or duplicate delivery of the old warning announces nothing.
    expect(await handleExpiryWarning(stale, h.rt)).toBe('moved');
    expect(await fireAt(h, shift(fork.expiresAt, -30 * 60_000))).toEqual([]);
    expect(await fireAt(h, shift(warningAt, 1000))).toMatchObject([{ target: 'expiry-warning' }]);

    const warnings = sent.filter((e) => e.detailType === 'Fork Expiring');
    expect(warnings.map((e) => e.detail.expiresAt)).toEqual([extended.expiresAt]);
    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('is never announced after the fork was deleted: the delete removes it, and a late fire is ignored', async () => {
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 24 });

    const deleted = await h.delete(fork.id);

    expect(deleted.fork.status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    expect(await handleExpiryWarning({ forkId: fork.id, expiresAt: fork.expiresAt }, h.rt)).toBe('not-live');
    expect(await fireAt(h, shift(fork.expiresAt, 1000))).toEqual([]);
    expect(sent.map((e) => e.detailType)).toEqual(['Fork Requested', 'Fork Ready', 'Fork Deleted']);
  });
});
