/**
 * Safety invariant 5, the authorization half: only the fork's owner or a configured admin may
 * PATCH or DELETE it. Every caller below comes as a compliant/non-compliant pair that differs in
 * one thing; a refused caller gets 403 and nothing is written, started or rescheduled.
 */
import { GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TEST_ACCOUNT } from '../../support/runtime.js';
import { FORK_ID, FORK_NAME, forkRecord, OWNER, SOURCE_ID } from '../core/fixtures.js';
import { type ApiHarness, apiHarness, expectError, givenFork, givenUpdatesSucceed } from './support.js';

const ADMIN_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/platform/dbfork-admin`;
const ADMIN_USER = `arn:aws:iam::${TEST_ACCOUNT}:user/ops-dana`;
const OTHER_ACCOUNT = '210987654321';

/** [who, caller, allowed]: each refused caller sits next to the allowed one it imitates. */
const CALLERS: [string, string, boolean][] = [
  ['the owner (same session)', OWNER, true],
  ['another session of the owner’s role', OWNER.replace('/alice', '/bob'), false],
  ['a session of the admin role', `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/dbfork-admin/carol`, true],
  [
    'a session of the admin role name in another account',
    `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/dbfork-admin/carol`,
    false,
  ],
  [
    'a session of a role whose name only starts like the admin role',
    `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/dbfork-admin2/carol`,
    false,
  ],
  [
    'a session whose name is the admin role',
    `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/developer/dbfork-admin`,
    false,
  ],
  ['the admin role ARN itself', ADMIN_ROLE, true],
  [
    'an IAM role ARN of the same name outside the admin path',
    `arn:aws:iam::${OTHER_ACCOUNT}:role/platform/dbfork-admin`,
    false,
  ],
  ['a configured admin user', ADMIN_USER, true],
  ['a user of the same name in another account', ADMIN_USER.replace(TEST_ACCOUNT, OTHER_ACCOUNT), false],
  ['the owner ARN in another case', OWNER.toUpperCase(), false],
  ['the owner ARN with a suffix', `${OWNER}x`, false],
];

const ready = forkRecord({ status: 'ready', step: 'ready', order: 100, progress: 100 });

function setup(): ApiHarness {
  const h = apiHarness({
    env: { policy: { allowedSources: [SOURCE_ID], adminPrincipals: [ADMIN_ROLE, ADMIN_USER] } },
  });
  const extended = { ...ready, expiresAt: '2026-11-22T12:00:00.000Z' };
  givenFork(h.mocks, ready, ready, extended);
  givenUpdatesSucceed(h.mocks, extended);
  h.mocks.dynamo?.on(TransactWriteCommand).resolves({});
  h.mocks.scheduler.on(GetScheduleCommand).resolves({ Name: `dbfork-${FORK_ID}` });
  h.mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  return h;
}

/** Every write the request caused: DynamoDB writes, workflow starts, schedule changes. */
function effects(h: ApiHarness) {
  return {
    dynamoWrites: (h.mocks.dynamo?.calls() ?? []).filter(
      (call) => call.args[0] instanceof UpdateCommand || call.args[0] instanceof TransactWriteCommand,
    ).length,
    workflows: h.workflows.started.length,
    scheduleUpdates: h.mocks.scheduler.commandCalls(UpdateScheduleCommand).length,
  };
}

const REQUESTS = [
  { method: 'PATCH', body: { ttlHours: 48 }, ok: 200 },
  { method: 'DELETE', body: undefined, ok: 202 },
] as const;

describe.each(REQUESTS)('$method /v1/forks/{id} authorization', ({ method, body, ok }) => {
  it.each(CALLERS)('%s → allowed: %s', async (_who, caller, allowed) => {
    for (const ref of [FORK_ID, FORK_NAME]) {
      const h = setup();
      const result = await h.call(method, `/v1/forks/${ref}`, { caller, ...(body ? { body } : {}) });
      if (allowed) {
        expect(result.statusCode).toBe(ok);
        expect(effects(h).dynamoWrites).toBeGreaterThan(0);
      } else {
        const error = expectError(result, 403, 'forbidden');
        expect(error.message).toContain(`only the fork's owner (${OWNER}) or a dbfork admin`);
        expect(effects(h)).toEqual({ dynamoWrites: 0, workflows: 0, scheduleUpdates: 0 });
        expect(h.mocks.rds.calls()).toEqual([]);
      }
    }
  });
});

describe('GET is not restricted to the owner', () => {
  it('shows any fork to any signed caller (reads only)', async () => {
    const h = setup();
    const result = await h.call('GET', `/v1/forks/${FORK_ID}`, { caller: OWNER.replace('/alice', '/bob') });
    expect(result.statusCode).toBe(200);
    expect(effects(h)).toEqual({ dynamoWrites: 0, workflows: 0, scheduleUpdates: 0 });
  });
});
