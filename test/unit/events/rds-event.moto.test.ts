import { describe, expect, it } from 'vitest';
import type { TaskCompletion, TaskCompletionOutcome } from '../../../lambdas/core/task-completion.js';
import { handleRdsEvent } from '../../../lambdas/events/rds-event.js';
import { forkIdOfResource } from '../../../lambdas/events/rds-event-schema.js';
import { step as checkDatabase } from '../../../lambdas/steps/check-database.js';
import { FORK_ID } from '../core/fixtures.js';
import { forkAt, givenForkDatabase, type StepTest, stepTest } from '../steps/support.js';

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAc-secret-token';

/** An RDS event as EventBridge delivers it (EventBridge events reference, Amazon RDS). */
function rdsEvent(sourceIdentifier: string, eventId = 'RDS-EVENT-0005') {
  return {
    version: '0',
    id: 'c9598bd3-36eb-1289-6d01-768bdaacf8a0',
    'detail-type': 'RDS DB Instance Event',
    source: 'aws.rds',
    account: '123456789012',
    time: '2026-11-20T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:rds:us-east-1:123456789012:db:${sourceIdentifier}`],
    detail: {
      EventCategories: ['creation'],
      SourceType: 'DB_INSTANCE',
      SourceArn: `arn:aws:rds:us-east-1:123456789012:db:${sourceIdentifier}`,
      Date: '2026-11-20T12:00:00.000Z',
      Message: 'DB instance created',
      SourceIdentifier: sourceIdentifier,
      EventID: eventId,
    },
  };
}

/** Completions as Step Functions would take them: once per token, then stale. */
class RecordedCompletions implements TaskCompletion {
  readonly calls: Array<{ kind: 'succeed' | 'fail'; token: string; output?: unknown; error?: string }> = [];
  private readonly done = new Set<string>();
  async succeed(token: string, output: unknown): Promise<TaskCompletionOutcome> {
    return this.record({ kind: 'succeed', token, output });
  }
  async fail(token: string, error: string): Promise<TaskCompletionOutcome> {
    return this.record({ kind: 'fail', token, error });
  }
  private record(call: RecordedCompletions['calls'][number]): TaskCompletionOutcome {
    if (this.done.has(call.token)) return 'stale';
    this.done.add(call.token);
    this.calls.push(call);
    return 'completed';
  }
}

async function parkedAtRestoring(status: string): Promise<StepTest & { completions: RecordedCompletions }> {
  const test = await stepTest(forkAt('restoring'));
  const completions = new RecordedCompletions();
  test.rt.tasks = completions;
  givenForkDatabase(test, { DBInstanceStatus: status });
  // The wait parks itself: its first check finds the database still creating.
  await checkDatabase.run({ state: { forkId: FORK_ID, ready: false }, taskToken: TOKEN }, test.rt);
  return { ...test, completions };
}

describe('forkIdOfResource', () => {
  it('maps the database, the writer instance and the source snapshot to the fork', () => {
    expect(forkIdOfResource('fork-abcdef123456')).toBe('fork-abcdef123456');
    expect(forkIdOfResource('fork-abcdef123456-1')).toBe('fork-abcdef123456');
    expect(forkIdOfResource('fork-abcdef123456-source')).toBe('fork-abcdef123456');
  });

  it('takes the rds:-prefixed identifier of AWS event examples too', () => {
    expect(forkIdOfResource('rds:fork-abcdef123456')).toBe('fork-abcdef123456');
    expect(forkIdOfResource('rds:fork-abcdef123456-1')).toBe('fork-abcdef123456');
  });

  it("maps a refresh's database, its writer and its source snapshot to the fork", () => {
    expect(forkIdOfResource('fork-abcdef123456-r1')).toBe('fork-abcdef123456');
    expect(forkIdOfResource('fork-abcdef123456-r12-1')).toBe('fork-abcdef123456');
    expect(forkIdOfResource('rds:fork-abcdef123456-r3-source')).toBe('fork-abcdef123456');
  });

  it('maps nothing else', () => {
    expect(forkIdOfResource('fork-abcdef123456-r0')).toBeUndefined();
    expect(forkIdOfResource('fork-abcdef123456-rx')).toBeUndefined();
    expect(forkIdOfResource('orders-prod')).toBeUndefined();
    expect(forkIdOfResource('fork-abcdef123456-2')).toBeUndefined();
    expect(forkIdOfResource('rds:fork-abcdef123456-2026-11-20')).toBeUndefined();
  });
});

describe('handleRdsEvent', () => {
  it('leaves the wait parked while the re-check says the database is not ready', async () => {
    const test = await parkedAtRestoring('creating');

    await expect(handleRdsEvent(rdsEvent(FORK_ID), test.rt)).resolves.toBe('not-ready');

    expect(test.completions.calls).toEqual([]);
    expect((await test.rt.waits.get(FORK_ID))?.step).toBe('check-database');
  });

  it('completes the wait with the check output once the re-check sees the database available', async () => {
    const test = await parkedAtRestoring('creating');
    givenForkDatabase(test, { DBInstanceStatus: 'available' });

    await expect(handleRdsEvent(rdsEvent(FORK_ID), test.rt)).resolves.toBe('completed');

    expect(test.completions.calls).toEqual([
      { kind: 'succeed', token: TOKEN, output: { forkId: FORK_ID, ready: true, poll: undefined } },
    ]);
    expect(await test.rt.waits.get(FORK_ID)).toBeUndefined();
  });

  it('ignores a duplicate or late event once the wait is completed', async () => {
    const test = await parkedAtRestoring('creating');
    givenForkDatabase(test, { DBInstanceStatus: 'available' });
    await handleRdsEvent(rdsEvent(FORK_ID), test.rt);

    await expect(handleRdsEvent(rdsEvent(FORK_ID), test.rt)).resolves.toBe('no-wait');

    expect(test.completions.calls).toHaveLength(1);
  });

  it('fails the wait with the error naming the status when the database lands in a failure state', async () => {
    const test = await parkedAtRestoring('creating');
    givenForkDatabase(test, { DBInstanceStatus: 'incompatible-restore' });

    await expect(handleRdsEvent(rdsEvent(FORK_ID, 'RDS-EVENT-0031'), test.rt)).resolves.toBe('failed');

    expect(test.completions.calls).toEqual([{ kind: 'fail', token: TOKEN, error: 'RestoreFailedError' }]);
  });

  it('does nothing for a resource that is not a fork, and for a fork with no wait', async () => {
    const test = await stepTest(forkAt('restoring'));

    await expect(handleRdsEvent(rdsEvent('orders-prod'), test.rt)).resolves.toBe('not-a-fork');
    await expect(handleRdsEvent(rdsEvent(FORK_ID), test.rt)).resolves.toBe('no-wait');
    await expect(handleRdsEvent({ source: 'aws.ec2' }, test.rt)).resolves.toBe('not-a-fork');
  });
});

describe('a check invoked with a task token', () => {
  it('completes its own wait at once when the database is already available', async () => {
    const test = await parkedAtRestoring('available');

    expect(test.completions.calls).toEqual([
      { kind: 'succeed', token: TOKEN, output: { forkId: FORK_ID, ready: true, poll: undefined } },
    ]);
    expect(await test.rt.waits.get(FORK_ID)).toBeUndefined();
  });

  it('keeps the token out of the fork record', async () => {
    const test = await parkedAtRestoring('creating');

    expect(JSON.stringify(await test.rt.store.mustGet(FORK_ID))).not.toContain(TOKEN);
  });
});
