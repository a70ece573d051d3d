import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import {
  TEST_DELETE_SM_ARN,
  TEST_EXPIRY_WARNING_FN_ARN,
  TEST_REFRESH_SM_ARN,
  TEST_SCHEDULER_GROUP,
  TEST_SCHEDULER_ROLE_ARN,
  type TestEnvOverrides,
} from '../../support/runtime.js';
import { FORK_ID, FORK_NAME, forkRecord, SOURCE_ID } from '../core/fixtures.js';
import {
  ADMIN_CALLER,
  ADMIN_ROLE,
  type ApiHarness,
  apiHarness,
  bodyOf,
  expectError,
  givenFork,
  givenUpdatesSucceed,
  OTHER_CALLER,
  updatesOf,
} from './support.js';

const ready = forkRecord({ status: 'ready', step: 'ready', order: 100, progress: 100 });
const restoring = forkRecord({ status: 'creating', step: 'restoring', order: 30, progress: 25 });

let h: ApiHarness;

const EXTENDED = '2026-11-22T12:00:00.000Z';

/** The fork before the PATCH, and as the store reads it after `setExpiry` (by default: expiring at EXTENDED). */
function setup(fork: ForkRecord, env: TestEnvOverrides = {}, after?: Partial<ForkRecord>) {
  h = apiHarness({ env: { policy: { allowedSources: [SOURCE_ID], adminPrincipals: [ADMIN_ROLE] }, ...env } });
  const extended = { ...fork, expiresAt: EXTENDED, ttlHours: 48, ...after };
  givenFork(h.mocks, fork, fork, extended);
  givenUpdatesSucceed(h.mocks, extended);
  h.mocks.scheduler.on(GetScheduleCommand).resolves({ Name: `dbfork-${fork.id}` });
  h.mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
}

beforeEach(() => setup(ready));

const patch = (body: unknown, caller?: string, ref = FORK_ID) =>
  h.call('PATCH', `/v1/forks/${ref}`, { body, ...(caller ? { caller } : {}) });

function expiryUpdates() {
  const ttlChanges = updatesOf(h.mocks).filter(
    (update) => (update.ExpressionAttributeValues as Record<string, unknown>)[':ttlHours'] !== undefined,
  );
  return ttlChanges.map((update) => {
    const values = update.ExpressionAttributeValues as Record<string, unknown>;
    return {
      expiresAt: values[':expiresAt'],
      ttlHours: values[':ttlHours'],
      ttlMinutes: values[':ttlMinutes'],
    };
  });
}

describe('PATCH /v1/forks/{id}', () => {
  it('moves the expiry to now + ttlHours and moves both schedules when the fork is ready', async () => {
    const result = await patch({ ttlHours: 48 });

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).expiresAt).toBe(EXTENDED);
    expect(expiryUpdates()).toEqual([{ expiresAt: EXTENDED, ttlHours: 48, ttlMinutes: 2880 }]);
    expect(h.mocks.scheduler.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({
        Name: `dbfork-${FORK_ID}`,
        GroupName: TEST_SCHEDULER_GROUP,
        ScheduleExpression: 'at(2026-11-22T12:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        Target: expect.objectContaining({ Arn: TEST_DELETE_SM_ARN, RoleArn: TEST_SCHEDULER_ROLE_ARN }),
      }),
      // Fork Expiring: the configured lead time (60 minutes) before the new expiry.
      expect.objectContaining({
        Name: `dbfork-warn-${FORK_ID}`,
        GroupName: TEST_SCHEDULER_GROUP,
        ScheduleExpression: 'at(2026-11-22T11:00:00)',
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({
          Arn: TEST_EXPIRY_WARNING_FN_ARN,
          RoleArn: TEST_SCHEDULER_ROLE_ARN,
          Input: JSON.stringify({ forkId: FORK_ID, expiresAt: EXTENDED }),
        }),
      }),
    ]);
    expect(bodyOf(result).expiryWarningAt).toBe('2026-11-22T11:00:00.000Z');
  });

  it('forgets the old warning in the same write as the new expiry, and records the new one only for that expiry', async () => {
    await patch({ ttlHours: 48 });

    const [change, warning] = updatesOf(h.mocks);
    expect(change?.UpdateExpression).toMatch(/ REMOVE #warningAt, #warningSentAt$/);
    expect(change?.ExpressionAttributeNames).toMatchObject({
      '#warningAt': 'expiryWarningAt',
      '#warningSentAt': 'expiryWarningSentAt',
    });
    expect(warning?.ConditionExpression).toContain('#expiresAt = :expiresAt');
    expect(warning?.ExpressionAttributeValues).toMatchObject({
      ':expiresAt': EXTENDED,
      ':warningAt': '2026-11-22T11:00:00.000Z',
    });
  });

  it('warns halfway through what is left when that is less than the lead time', async () => {
    setup(ready, {}, { expiresAt: '2026-11-20T12:45:00.000Z', ttlHours: 1, ttlMinutes: 45 });

    const result = await patch({ expiresAt: '2026-11-20T12:45:00Z' });

    expect(result.statusCode).toBe(200);
    const warning = h.mocks.scheduler
      .commandCalls(UpdateScheduleCommand)
      .find((call) => call.args[0].input.Name === `dbfork-warn-${FORK_ID}`);
    // 45 minutes left, less than the 60-minute lead time: warned 22.5 minutes before.
    expect(warning?.args[0].input.ScheduleExpression).toBe('at(2026-11-20T12:22:30)');
    expect(bodyOf(result).expiryWarningAt).toBe('2026-11-20T12:22:30.000Z');
  });

  it('uses the configured expiryWarningMinutes', async () => {
    setup(ready, { policy: { allowedSources: [SOURCE_ID], expiryWarningMinutes: 15 } });

    const result = await patch({ ttlHours: 48 });

    expect(bodyOf(result).expiryWarningAt).toBe('2026-11-22T11:45:00.000Z');
  });

  it('accepts an explicit expiresAt, normalised to UTC, and addresses the fork by name', async () => {
    const result = await patch({ expiresAt: '2026-11-21T09:30:00+02:00' }, undefined, FORK_NAME);

    expect(result.statusCode).toBe(200);
    expect(expiryUpdates()).toEqual([
      { expiresAt: '2026-11-21T07:30:00.000Z', ttlHours: 20, ttlMinutes: 1170 },
    ]);
  });

  it('only records the expiry when the fork is still creating (the workflow schedules it later)', async () => {
    setup(restoring);

    const result = await patch({ ttlHours: 48 });

    expect(result.statusCode).toBe(200);
    expect(expiryUpdates()).toEqual([
      { expiresAt: '2026-11-22T12:00:00.000Z', ttlHours: 48, ttlMinutes: 2880 },
    ]);
    expect(h.mocks.scheduler.calls()).toEqual([]);
  });

  it('moves the expiry to now + ttlMinutes, keeping both units, and moves the schedule', async () => {
    setup(ready, {}, { expiresAt: '2026-11-20T13:30:00.000Z', ttlHours: 2, ttlMinutes: 90 });

    const result = await patch({ ttlMinutes: 90 });

    expect(result.statusCode).toBe(200);
    expect(expiryUpdates()).toEqual([{ expiresAt: '2026-11-20T13:30:00.000Z', ttlHours: 2, ttlMinutes: 90 }]);
    expect(h.mocks.scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe(
      'at(2026-11-20T13:30:00)',
    );
  });

  it('answers 400 naming the minimum when ttlMinutes is below ttl.minMinutes', async () => {
    const error = expectError(await patch({ ttlMinutes: 59 }), 400, 'validation_failed');

    expect(error.message).toBe('ttlMinutes 59 is below the minimum TTL of 60 minutes');
    expect(error.details).toEqual([{ path: 'ttlMinutes', message: 'must be at least 60', minMinutes: 60 }]);
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it('answers 400 naming the maximum when ttlMinutes is beyond the configured max TTL', async () => {
    setup(ready, { policy: { allowedSources: [SOURCE_ID], ttl: { defaultHours: 24, maxHours: 72 } } });

    const error = expectError(await patch({ ttlMinutes: 4321 }), 400, 'validation_failed');

    expect(error.message).toContain('maximum TTL of 72 hours (4320 minutes)');
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it('accepts an expiresAt one minute ahead when the policy allows one-minute TTLs', async () => {
    setup(ready, { policy: { allowedSources: [SOURCE_ID], ttl: { minMinutes: 1 } } });

    const result = await patch({ expiresAt: '2026-11-20T12:01:00Z' });

    expect(result.statusCode).toBe(200);
    expect(expiryUpdates()).toEqual([{ expiresAt: '2026-11-20T12:01:00.000Z', ttlHours: 1, ttlMinutes: 1 }]);
  });

  it("answers 403 and writes nothing when the caller is not the fork's owner", async () => {
    const error = expectError(await patch({ ttlHours: 48 }, OTHER_CALLER), 403, 'forbidden');

    expect(error.message).toContain(ready.owner);
    expect(updatesOf(h.mocks)).toEqual([]);
    expect(h.mocks.scheduler.calls()).toEqual([]);
  });

  it('lets a session of a configured admin role change any fork', async () => {
    expect((await patch({ ttlHours: 48 }, ADMIN_CALLER)).statusCode).toBe(200);
  });

  it('answers 400 naming the maximum when ttlHours is beyond the configured max TTL', async () => {
    setup(ready, { policy: { allowedSources: [SOURCE_ID], ttl: { defaultHours: 24, maxHours: 72 } } });

    const error = expectError(await patch({ ttlHours: 100 }), 400, 'validation_failed');

    expect(error.message).toContain('72 hours');
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it('answers 400 naming the maximum when expiresAt is beyond now + max TTL', async () => {
    const error = expectError(await patch({ expiresAt: '2027-01-01T00:00:00Z' }), 400, 'validation_failed');

    expect(error.message).toContain('maximum TTL of 720 hours');
    expect(error.details).toEqual([
      {
        path: 'expiresAt',
        message: 'must be at most 720 hours from now',
        maxHours: 720,
        latest: '2026-12-20T12:00:00.000Z',
      },
    ]);
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it.each([
    ['in the past', '2026-11-20T11:00:00Z'],
    ['too soon', '2026-11-20T12:02:00Z'],
  ])('answers 400 when expiresAt is %s', async (words, expiresAt) => {
    const error = expectError(await patch({ expiresAt }), 400, 'validation_failed');

    expect(error.message).toContain(words);
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it.each([
    ['neither field', {}],
    ['both fields', { ttlHours: 2, expiresAt: '2026-11-21T00:00:00Z' }],
    ['ttlHours 0', { ttlHours: 0 }],
    ['ttlHours 1.5', { ttlHours: 1.5 }],
    ['ttlHours "24"', { ttlHours: '24' }],
    ['ttlHours and ttlMinutes', { ttlHours: 2, ttlMinutes: 120 }],
    ['ttlMinutes and expiresAt', { ttlMinutes: 120, expiresAt: '2026-11-21T00:00:00Z' }],
    ['ttlMinutes 0', { ttlMinutes: 0 }],
    ['ttlMinutes 1.5', { ttlMinutes: 1.5 }],
    ['an unknown field', { ttlHours: 2, name: 'x' }],
    ['a bad time', { expiresAt: 'tomorrow' }],
  ])('answers 400 when the body has %s', async (_case, body) => {
    expectError(await patch(body), 400, 'validation_failed');
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it.each([
    forkRecord({ status: 'deleting', step: 'deleting-database', order: 320 }),
    forkRecord({ status: 'deleted', step: 'deleted', order: 400 }),
    forkRecord({ status: 'failed', step: 'failed', order: 200 }),
    forkRecord({ status: 'creating', step: 'cleaning-up', order: 110 }),
  ])('answers 409 when the fork is $step', async (fork) => {
    setup(fork);

    const error = expectError(await patch({ ttlHours: 48 }), 409, 'invalid_state');

    expect(error.message).toContain(fork.status);
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it('answers 503 asking to repeat when the schedule cannot be moved', async () => {
    h.mocks.scheduler
      .on(UpdateScheduleCommand)
      .rejects(Object.assign(new Error('boom'), { name: 'InternalServerException' }));

    const error = expectError(await patch({ ttlHours: 48 }), 503, 'service_unavailable');

    expect(error.message).toContain('repeat the request');
  });

  it('answers 500 and writes nothing when the function lacks the scheduler configuration', async () => {
    setup(ready, { schedulerRoleArn: undefined });

    const error = expectError(await patch({ ttlHours: 48 }), 500, 'internal_error');

    expect(error.message).not.toContain('DBFORK_');
    expect(updatesOf(h.mocks)).toEqual([]);
  });
});

describe('PATCH /v1/forks/{id} refreshSchedule', () => {
  const CRON = 'cron(0 3 * * ? *)';

  function scheduleCalls() {
    return h.mocks.scheduler.calls().map((call) => {
      const command = call.args[0] as unknown as { constructor: { name: string }; input: unknown };
      return { command: command.constructor.name, input: command.input };
    });
  }

  it('records the cron and creates the recurring schedule that starts RefreshFork', async () => {
    h.mocks.scheduler.on(GetScheduleCommand).rejects(notFound());
    h.mocks.scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });

    const result = await patch({ refreshSchedule: CRON });

    expect(result.statusCode).toBe(200);
    const [update] = updatesOf(h.mocks);
    expect(update?.UpdateExpression).toContain('#schedule = :cron');
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':cron': CRON });
    expect(scheduleCalls().at(-1)).toEqual({
      command: 'CreateScheduleCommand',
      input: expect.objectContaining({
        Name: `dbfork-${FORK_ID}-refresh`,
        GroupName: TEST_SCHEDULER_GROUP,
        ScheduleExpression: CRON,
        ScheduleExpressionTimezone: 'UTC',
        Target: expect.objectContaining({
          Arn: TEST_REFRESH_SM_ARN,
          RoleArn: TEST_SCHEDULER_ROLE_ARN,
          Input: JSON.stringify({ forkId: FORK_ID, scheduled: true }),
        }),
      }),
    });
  });

  it('removes the cron and its schedule with null, and changes the TTL in the same request', async () => {
    h.mocks.scheduler.on(DeleteScheduleCommand).resolves({});

    expect((await patch({ ttlHours: 48, refreshSchedule: null })).statusCode).toBe(200);
    const [expiry, warning, schedule] = updatesOf(h.mocks);
    expect(expiry?.ExpressionAttributeValues).toMatchObject({ ':ttlHours': 48 });
    expect(warning?.UpdateExpression).toContain('#warningAt');
    expect(schedule?.UpdateExpression).toContain('REMOVE #schedule');
    expect(scheduleCalls().filter((c) => c.command === 'DeleteScheduleCommand')).toEqual([
      {
        command: 'DeleteScheduleCommand',
        input: { Name: `dbfork-${FORK_ID}-refresh`, GroupName: TEST_SCHEDULER_GROUP },
      },
    ]);
  });

  it.each([
    ['not a cron', 'every night', /must look like cron\(/],
    ['five fields', 'cron(0 3 * * ?)', /has 5 fields; a Scheduler cron has six/],
    ['both day fields', 'cron(0 3 * * MON *)', /give day-of-month or day-of-week and "\?" in the other/],
    ['an hour out of range', 'cron(0 24 * * ? *)', /hours "24" is not valid/],
    ['a rate', 'rate(1 day)', /must look like cron\(/],
  ])('refuses %s (400) and writes nothing', async (_what, refreshSchedule, message) => {
    const error = expectError(await patch({ refreshSchedule }), 400, 'validation_failed');
    expect(error.message).toMatch(message);
    expect(updatesOf(h.mocks)).toEqual([]);
  });

  it('refuses an empty PATCH (400)', async () => {
    const error = expectError(await patch({}), 400, 'validation_failed');
    expect(error.message).toMatch(
      /give one of "ttlHours", "ttlMinutes" or "expiresAt", and\/or "refreshSchedule"/,
    );
  });
});

function notFound() {
  return Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
}
