import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import { FORK_ID, FORK_NAME, forkRecord, SOURCE_ID } from '../core/fixtures.js';
import {
  ADMIN_CALLER,
  ADMIN_ROLE,
  type ApiHarness,
  apiHarness,
  bodyOf,
  CALLER,
  expectError,
  givenFork,
  OTHER_CALLER,
  updatesOf,
} from './support.js';

const ready = forkRecord({ status: 'ready', step: 'ready', order: 100, progress: 100 });
const deleting = forkRecord({ status: 'deleting', step: 'removing-dns', order: 310, progress: 10 });
const deleted = forkRecord({ status: 'deleted', step: 'deleted', order: 400, progress: 100 });
const failed = forkRecord({
  status: 'failed',
  step: 'failed',
  order: 200,
  error: { code: 'WaitTimeoutError', message: 'gave up' },
});

let h: ApiHarness;

function setup(...versions: ForkRecord[]) {
  h = apiHarness({ env: { policy: { allowedSources: [SOURCE_ID], adminPrincipals: [ADMIN_ROLE] } } });
  givenFork(h.mocks, ...versions);
  h.mocks.dynamo?.on(UpdateCommand).resolves({});
}

beforeEach(() => setup(ready, deleting));

const del = (caller?: string, ref = FORK_ID) =>
  h.call('DELETE', `/v1/forks/${ref}`, caller ? { caller } : {});

function transitions() {
  return updatesOf(h.mocks).map((update) => {
    const values = update.ExpressionAttributeValues as Record<string, unknown>;
    const [entry] = values[':entry'] as { message: string }[];
    return { key: update.Key, step: values[':step'], message: entry?.message };
  });
}

describe('DELETE /v1/forks/{id}', () => {
  it('marks the fork deleting, starts one delete workflow and answers 202 when the owner asks', async () => {
    const result = await del();

    expect({ status: result.statusCode, forkStatus: bodyOf(result).status }).toEqual({
      status: 202,
      forkStatus: 'deleting',
    });
    expect(transitions()).toEqual([
      {
        key: { pk: `FORK#${FORK_ID}`, sk: 'FORK' },
        step: 'removing-dns',
        message: `deletion requested by ${CALLER}`,
      },
    ]);
    expect(h.workflows.started).toEqual([{ kind: 'delete', forkId: FORK_ID, reason: 'api' }]);
  });

  it('deletes a fork addressed by its live name', async () => {
    expect((await del(undefined, FORK_NAME)).statusCode).toBe(202);
    expect(h.workflows.started).toEqual([{ kind: 'delete', forkId: FORK_ID, reason: 'api' }]);
  });

  it('answers 202 without a second workflow when the fork is already deleting', async () => {
    setup(deleting);

    const result = await del();

    expect(result.statusCode).toBe(202);
    expect(transitions()).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it('answers 200 with the fork and does nothing when it is already deleted', async () => {
    setup(deleted);

    const result = await del();

    expect({ status: result.statusCode, forkStatus: bodyOf(result).status }).toEqual({
      status: 200,
      forkStatus: 'deleted',
    });
    expect(transitions()).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it('starts one workflow for two DELETEs in a row', async () => {
    setup(ready, deleting);

    const first = await del();
    const second = await del();

    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(h.workflows.started).toEqual([{ kind: 'delete', forkId: FORK_ID, reason: 'api' }]);
    expect(transitions().length).toBe(1);
  });

  it('deletes a failed fork the same way', async () => {
    setup(failed, { ...failed, status: 'deleting', step: 'removing-dns', order: 310 });

    expect((await del()).statusCode).toBe(202);
    expect(transitions().map((t) => t.step)).toEqual(['removing-dns']);
    expect(h.workflows.started).toEqual([{ kind: 'delete', forkId: FORK_ID, reason: 'api' }]);
  });

  it('answers 202 without starting anything when a concurrent delete moved the fork first', async () => {
    h.mocks.dynamo
      ?.on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const result = await del();

    expect({ status: result.statusCode, forkStatus: bodyOf(result).status }).toEqual({
      status: 202,
      forkStatus: 'deleting',
    });
    expect(h.workflows.started).toEqual([]);
  });

  it("answers 403 and changes nothing when the caller is not the fork's owner", async () => {
    expectError(await del(OTHER_CALLER), 403, 'forbidden');

    expect(transitions()).toEqual([]);
    expect(h.workflows.started).toEqual([]);
  });

  it('lets a session of a configured admin role delete any fork', async () => {
    expect((await del(ADMIN_CALLER)).statusCode).toBe(202);
  });

  it('answers 404 when the fork does not exist', async () => {
    h.mocks.dynamo?.on(GetCommand).resolves({});

    expectError(await del(undefined, 'fork-000000000000'), 404, 'fork_not_found');
    expect(h.workflows.started).toEqual([]);
  });

  it('answers 503 when the delete workflow cannot be started', async () => {
    h.workflows.failNext(Object.assign(new Error('service down'), { name: 'ServiceUnavailable' }));

    const error = expectError(await del(), 503, 'service_unavailable');

    expect(error.message).toContain('marked for deletion');
  });
});
