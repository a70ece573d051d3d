import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DBSnapshot } from '@aws-sdk/client-rds';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ForkRecord, ForkRefresh } from '../../../lambdas/core/fork.js';
import { FORK_ID, FORK_NAME, forkRecord, SOURCE_ARN, SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiHarness,
  bodyOf,
  CALLER,
  expectError,
  givenFork,
  givenRds,
  OTHER_CALLER,
  updatesOf,
} from './support.js';

/**
 * POST /v1/forks/{id}/refresh: every bad request is refused before anything is written; a good
 * one claims the refresh on the record (a conditional write) and starts RefreshFork once.
 */

const source = { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' as const };
const ready = forkRecord({
  status: 'ready',
  step: 'ready',
  order: 100,
  progress: 100,
  owner: CALLER,
  source,
});

function refreshOf(attempt: number, state: ForkRefresh['state'], overrides: Partial<ForkRefresh> = {}) {
  return {
    state,
    attempt,
    step: 'starting',
    startedAt: '2026-11-20T12:00:00.000Z',
    requestedBy: CALLER,
    restore: { requested: { type: 'latest-backup' as const } },
    databaseId: `${FORK_ID}-r${attempt}`,
    previousDatabaseId: attempt === 1 ? FORK_ID : `${FORK_ID}-r${attempt - 1}`,
    ...overrides,
  };
}

const manual: DBSnapshot = {
  DBSnapshotIdentifier: 'orders-manual-1',
  DBInstanceIdentifier: SOURCE_ID,
  Status: 'available',
  SnapshotType: 'manual',
  SnapshotCreateTime: new Date('2026-11-19T00:00:00Z'),
};

let h: ApiHarness;

function setup(...versions: ForkRecord[]) {
  h = apiHarness({ env: { policy: { allowedSources: [SOURCE_ID] } } });
  givenRds(h.mocks, [sourceInstance()], [manual]);
  givenFork(h.mocks, ...versions);
  h.mocks.dynamo?.on(UpdateCommand).resolves({});
}

const refresh = (body?: unknown, options: { caller?: string; ref?: string; key?: string } = {}) =>
  h.call('POST', `/v1/forks/${options.ref ?? FORK_ID}/refresh`, {
    ...(body === undefined ? {} : { body }),
    ...(options.caller ? { caller: options.caller } : {}),
    ...(options.key ? { headers: { 'Idempotency-Key': options.key } } : {}),
  });

/** The claim the route wrote: its condition and the refresh it set. */
function claims() {
  return updatesOf(h.mocks).map((update) => ({
    condition: update.ConditionExpression,
    refresh: (update.ExpressionAttributeValues as Record<string, unknown>)[':refresh'],
  }));
}

describe('POST /v1/forks/{id}/refresh', () => {
  beforeEach(() => setup(ready, { ...ready, refresh: refreshOf(1, 'running') }));

  it('claims refresh 1 from the latest backup, starts RefreshFork and answers 202 with the fork, without a body', async () => {
    const result = await refresh();

    expect(result.statusCode).toBe(202);
    expect(result.headers?.location).toBe(`/v1/forks/${FORK_ID}`);
    expect(bodyOf(result)).toMatchObject({
      id: FORK_ID,
      status: 'ready',
      refresh: { state: 'running', attempt: 1 },
    });
    expect(claims()).toEqual([
      {
        condition:
          'attribute_exists(pk) AND #status = :ready AND #step = :ready AND attribute_not_exists(#refresh)',
        refresh: {
          state: 'running',
          attempt: 1,
          step: 'starting',
          startedAt: expect.any(String),
          requestedBy: CALLER,
          restore: { requested: { type: 'latest-backup' } },
          databaseId: `${FORK_ID}-r1`,
          previousDatabaseId: FORK_ID,
        },
      },
    ]);
    expect(h.workflows.started).toEqual([{ kind: 'refresh', forkId: FORK_ID, attempt: 1 }]);
  });

  it('keeps the Idempotency-Key on the refresh it claims, and out of the fork object', async () => {
    const result = await refresh(undefined, { key: 'nightly-2026-11-20' });

    expect(result.statusCode).toBe(202);
    expect(claims()[0]?.refresh).toMatchObject({ requestKey: 'nightly-2026-11-20' });
    expect(bodyOf(result).refresh).not.toHaveProperty('requestKey');
  });

  it('answers the refresh a key started when the same caller sends it again, starting nothing', async () => {
    const started = { ...refreshOf(1, 'switching'), requestKey: 'evt-1' };
    setup({ ...ready, refresh: started });

    const result = await refresh({}, { key: 'evt-1' });

    expect(result.statusCode).toBe(202);
    expect(result.headers?.['idempotent-replayed']).toBe('true');
    expect(bodyOf(result)).toMatchObject({ refresh: { state: 'switching', attempt: 1 } });
    expect(bodyOf(result).refresh).not.toHaveProperty('requestKey');
    expect(claims()).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it('refuses the key of a refresh with another body (409), and replays nothing for a caller who may not refresh the fork', async () => {
    const started = { ...refreshOf(1, 'running'), requestKey: 'evt-1' };
    setup({ ...ready, refresh: started });

    expectError(await refresh({ ttlHours: 2 }, { key: 'evt-1' }), 409, 'idempotency_key_reused');
    const admin = await refresh({}, { key: 'evt-1', caller: OTHER_CALLER });
    expect(admin.statusCode).toBe(403);
    expect(claims()).toEqual([]);
  });

  it('refreshes by name, from the given snapshot, with a TTL applied at the switch', async () => {
    const result = await refresh(
      { restore: { type: 'snapshot', snapshotId: 'orders-manual-1' }, ttlHours: 48 },
      { ref: FORK_NAME },
    );

    expect(result.statusCode).toBe(202);
    expect(claims()[0]?.refresh).toMatchObject({
      restore: { requested: { type: 'snapshot', snapshotId: 'orders-manual-1' } },
      ttl: { hours: 48, minutes: 2880 },
    });
  });

  it('numbers the next refresh after the last one that ended, and its database after the serving one', async () => {
    const refreshed = { ...ready, databaseId: `${FORK_ID}-r1`, refresh: refreshOf(1, 'succeeded') };
    setup(refreshed, { ...refreshed, refresh: refreshOf(2, 'running') });

    expect((await refresh()).statusCode).toBe(202);
    expect(claims()).toEqual([
      {
        condition:
          'attribute_exists(pk) AND #status = :ready AND #step = :ready AND (#refresh.#attempt = :previous AND #refresh.#state IN (:succeeded, :failed))',
        refresh: expect.objectContaining({
          attempt: 2,
          databaseId: `${FORK_ID}-r2`,
          previousDatabaseId: `${FORK_ID}-r1`,
        }),
      },
    ]);
    expect(h.workflows.started).toEqual([{ kind: 'refresh', forkId: FORK_ID, attempt: 2 }]);
  });

  it.each([
    ['an unknown field', { restore: { type: 'latest-backup' }, extra: true }, 400, 'validation_failed'],
    ['a bad restore type', { restore: { type: 'yesterday' } }, 400, 'validation_failed'],
    ['ttlHours above the limit', { ttlHours: 1000 }, 400, 'validation_failed'],
    ['both TTL units', { ttlHours: 2, ttlMinutes: 120 }, 400, 'validation_failed'],
    [
      'a snapshot that does not exist',
      { restore: { type: 'snapshot', snapshotId: 'nope' } },
      400,
      'backup_not_found',
    ],
    ['a clone of an RDS instance', { restore: { type: 'clone' } }, 400, 'unsupported_restore'],
    [
      'a time outside the window',
      { restore: { type: 'point-in-time', time: '2001-01-01T00:00:00Z' } },
      400,
      'outside_restore_window',
    ],
    ['malformed JSON', '{"restore":', 400, 'invalid_json'],
  ] as const)('refuses %s and changes nothing', async (_what, body, status, code) => {
    const result = await refresh(body);

    expectError(result, status, code);
    expect(updatesOf(h.mocks)).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it("refuses another caller's fork (403)", async () => {
    expectError(await refresh(undefined, { caller: OTHER_CALLER }), 403, 'forbidden');
    expect(h.workflows.started).toEqual([]);
  });

  it.each([
    ['creating', forkRecord({ owner: CALLER, source }), /only a ready fork can be refreshed/],
    [
      'being deleted',
      forkRecord({ status: 'deleting', step: 'removing-dns', owner: CALLER, source }),
      /is deleting/,
    ],
    [
      'being refreshed',
      { ...ready, refresh: refreshOf(1, 'switching', { step: 'switching' }) },
      /refresh 1 is switching/,
    ],
    [
      'still deleting its old database',
      { ...ready, refresh: refreshOf(1, 'retiring') },
      /is being refreshed/,
    ],
  ])('refuses a fork that is %s (409) and changes nothing', async (_what, fork, message) => {
    setup(fork);

    const error = expectError(await refresh(), 409, 'invalid_state');
    expect(error.message).toMatch(message);
    expect(updatesOf(h.mocks)).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it('answers 409 when a concurrent request claimed the refresh first, starting nothing', async () => {
    setup(ready, { ...ready, refresh: refreshOf(1, 'running', { requestedBy: OTHER_CALLER }) });
    h.mocks.dynamo
      ?.on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'refused', $metadata: {} }));

    const error = expectError(await refresh(), 409, 'invalid_state');
    expect(error.message).toMatch(/refresh 1 is running/);
    expect(h.workflows.started).toEqual([]);
  });

  it('marks the refresh failed and answers 503 when RefreshFork cannot be started', async () => {
    h.workflows.failNext(new Error('Step Functions is down'));

    expectError(await refresh(), 503, 'service_unavailable');
    const updates = updatesOf(h.mocks);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.ExpressionAttributeValues).toMatchObject({
      ':state': 'failed',
      ':error': { code: 'workflow_not_started', message: 'the refresh workflow could not be started' },
    });
  });
});
