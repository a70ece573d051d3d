/** The pure helpers of the steps: snapshot ids, restore windows, failure causes, the state schema, wait loops. */
import { describe, expect, it } from 'vitest';
import { RestoreWindowError, WaitTimeoutError } from '../../../lambdas/core/errors.js';
import { checkRestoreWindow, snapshotIdOf } from '../../../lambdas/core/restore-window.js';
import { failureOf } from '../../../lambdas/steps/mark-deleting.js';
import { STEPS as STEP_MODULES } from '../../../lambdas/steps/registry.js';
import {
  checked,
  FIRST_HEARTBEAT_SECONDS,
  heartbeatAfter,
  nextPoll,
  waitStarts,
  workflowStateSchema,
} from '../../../lambdas/steps/step.js';
import { STEP_NAMES } from '../../../lambdas/steps/step-names.js';
import { mockedRuntime, TEST_NOW } from '../../support/runtime.js';
import { FORK_ID, sourceDatabase } from '../core/fixtures.js';

describe('snapshotIdOf', () => {
  it.each([
    [
      'arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-prod-2026-11-20-03-00',
      'rds:orders-prod-2026-11-20-03-00',
    ],
    ['arn:aws:rds:us-east-1:123456789012:snapshot:before-migration', 'before-migration'],
    ['arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:aurora-2026-11-20', 'rds:aurora-2026-11-20'],
    ['arn:aws-cn:rds:cn-north-1:123456789012:snapshot:manual-1', 'manual-1'],
    ['rds:orders-prod-2026-11-20-03-00', 'rds:orders-prod-2026-11-20-03-00'],
    ['before-migration', 'before-migration'],
  ])('turns %s into the identifier %s (moto 5.2.1 cannot restore by automated-snapshot ARN)', (ref, id) => {
    expect(snapshotIdOf(ref)).toBe(id);
  });
});

describe('checkRestoreWindow', () => {
  const source = sourceDatabase({
    restorableWindow: { earliest: '2026-11-13T04:00:00.000Z', latest: '2026-11-20T11:55:00.000Z' },
  });
  const window = {
    earliestRestorableTime: '2026-11-13T04:00:00.000Z',
    latestRestorableTime: '2026-11-20T11:55:00.000Z',
  };

  it.each(['2026-11-13T04:00:00.000Z', '2026-11-18T00:00:00Z', '2026-11-20T12:55:00+01:00'])(
    'accepts %s inside the window',
    (time) => {
      expect(() => checkRestoreWindow(source, time)).not.toThrow();
    },
  );

  it.each([
    ['before the earliest', '2026-11-13T03:59:59Z'],
    ['after the latest', '2026-11-20T11:55:01Z'],
  ])('refuses a time %s with RestoreWindowError carrying the window', (_case, time) => {
    let error: unknown;
    try {
      checkRestoreWindow(source, time);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(RestoreWindowError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'outside_restore_window',
      details: [{ path: 'restore.time', message: 'outside the restorable window', ...window }],
    });
    expect((error as Error).message).toContain('[2026-11-13T04:00:00.000Z, 2026-11-20T11:55:00.000Z]');
  });

  it('refuses any time when the source has no window (automated backups off), saying so', () => {
    expect(() =>
      checkRestoreWindow(sourceDatabase({ restorableWindow: {} }), '2026-11-18T00:00:00Z'),
    ).toThrow(
      expect.objectContaining({
        name: 'RestoreWindowError',
        details: [
          {
            path: 'restore.time',
            message: 'no restorable window',
            earliestRestorableTime: null,
            latestRestorableTime: null,
          },
        ],
      }),
    );
  });
});

describe('failureOf', () => {
  it('reads the errorMessage out of a Lambda task Cause (JSON)', () => {
    const cause = JSON.stringify({
      errorType: 'RestoreWindowError',
      errorMessage: 'outside the window',
      trace: ['at x'],
    });

    expect(failureOf({ Error: 'RestoreWindowError', Cause: cause })).toEqual({
      code: 'RestoreWindowError',
      message: 'outside the window',
    });
  });

  it('keeps a plain-text Cause (a local run, a States.* error) as the message', () => {
    expect(failureOf({ Error: 'States.Timeout', Cause: 'task timed out after 900 seconds' })).toEqual({
      code: 'States.Timeout',
      message: 'task timed out after 900 seconds',
    });
  });

  it('copes with a missing error, a non-string Cause and an overlong message', () => {
    expect(failureOf(undefined)).toEqual({ code: 'UnknownError', message: 'unknown cause' });
    expect(failureOf({ Error: 'X', Cause: { detail: 1 } })).toEqual({ code: 'X', message: '{"detail":1}' });
    expect(failureOf({ Error: 'X', Cause: 'y'.repeat(5000) }).message).toHaveLength(2000);
  });
});

describe('workflow state', () => {
  it('passes unknown fields through and rejects a bad fork id', () => {
    expect(workflowStateSchema.parse({ forkId: FORK_ID, extra: { a: 1 } })).toEqual({
      forkId: FORK_ID,
      extra: { a: 1 },
    });
    expect(() => workflowStateSchema.parse({ forkId: '../etc' })).toThrow(/is not a fork id/);
    expect(() => workflowStateSchema.parse({ forkId: FORK_ID, mode: 'explode' })).toThrow();
  });

  it('every step name has a step, registered under its own name', () => {
    expect(Object.keys(STEP_MODULES).sort()).toEqual([...STEP_NAMES].sort());
    for (const [name, step] of Object.entries(STEP_MODULES)) expect(step.name).toBe(name);
  });
});

describe('nextPoll and checked', () => {
  it('starts a loop at the first check and counts', () => {
    const { rt, clock } = mockedRuntime();

    const first = nextPoll({ forkId: FORK_ID }, rt, 'database');
    clock.advance({ minutes: 3 });
    const second = nextPoll({ forkId: FORK_ID, poll: first }, rt, 'database');

    expect(first).toEqual({ startedAt: TEST_NOW, count: 1 });
    expect(second).toEqual({ startedAt: TEST_NOW, count: 2 });
  });

  it.each([
    ['snapshot', 240],
    ['database', 180],
    ['credentials', 30],
    ['gone', 90],
  ] as const)('gives up on the %s after %i minutes with WaitTimeoutError', (budget, minutes) => {
    const { rt, clock } = mockedRuntime();
    const poll = { startedAt: TEST_NOW, count: 4 };

    clock.advance({ minutes });
    expect(nextPoll({ forkId: FORK_ID, poll }, rt, budget)).toEqual({ startedAt: TEST_NOW, count: 5 });
    clock.advance({ seconds: 1 });
    expect(() => nextPoll({ forkId: FORK_ID, poll }, rt, budget)).toThrow(WaitTimeoutError);
  });

  it('drops the loop bookkeeping once ready', () => {
    const poll = { startedAt: TEST_NOW, count: 2 };

    expect(checked(true, poll)).toEqual({ ready: true, poll: undefined, heartbeatSeconds: undefined });
    expect(checked(false, poll)).toEqual({ ready: false, poll, heartbeatSeconds: 600 });
  });

  it('backs the safety-net heartbeat off from a minute to ten minutes, then holds it', () => {
    expect(waitStarts(false)).toEqual({ ready: false, poll: undefined, heartbeatSeconds: 60 });
    expect(waitStarts(true)).toEqual({ ready: true, poll: undefined, heartbeatSeconds: undefined });
    expect([1, 2, 3, 4, 10, 50].map(heartbeatAfter)).toEqual([240, 600, 600, 600, 600, 600]);
    // Without events, a 20-minute wait is four checks: 60 + 240 + 600 + 600 s ≥ 20 min; with events,
    // the three before it ends (at 1, 5 and 15 minutes).
    let waited = FIRST_HEARTBEAT_SECONDS;
    let checks = 0;
    while (waited < 20 * 60) waited += heartbeatAfter(++checks);
    expect(checks + 1).toBe(4);
  });
});
