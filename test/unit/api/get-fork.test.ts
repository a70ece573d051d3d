import { beforeEach, describe, expect, it } from 'vitest';
import { POOL_OWNER, toPublicFork } from '../../../lambdas/core/fork.js';
import { FORK_ID, FORK_NAME, forkRecord } from '../core/fixtures.js';
import { type ApiHarness, apiHarness, bodyOf, expectError, givenFork, givenNoFork } from './support.js';

let h: ApiHarness;
const fork = forkRecord({
  status: 'ready',
  step: 'ready',
  order: 100,
  progress: 100,
  endpoint: { host: 'pr-1234.forks.test.internal', port: 5432 },
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/fork-abcdef123456-AbCdEf',
});

beforeEach(() => {
  h = apiHarness();
  givenNoFork(h.mocks);
});

describe('GET /v1/forks/{id}', () => {
  it('answers the public fork when the id exists', async () => {
    givenFork(h.mocks, fork);

    const result = await h.call('GET', `/v1/forks/${FORK_ID}`);

    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body).toEqual(JSON.parse(JSON.stringify(toPublicFork(fork))));
    expect(Object.keys(body)).not.toContain('order');
  });

  it('finds a live fork by its name', async () => {
    givenFork(h.mocks, fork);

    const result = await h.call('GET', `/v1/forks/${FORK_NAME}`);

    expect({ status: result.statusCode, id: bodyOf(result).id }).toEqual({ status: 200, id: FORK_ID });
  });

  it('answers 404 when neither an id nor a live name matches', async () => {
    const error = expectError(await h.call('GET', '/v1/forks/fork-000000000000'), 404, 'fork_not_found');

    expect(error.message).toBe('no fork with id or live name "fork-000000000000"');
  });

  it('answers 404 for an unclaimed warm-pool member: it is no one’s fork, not even an admin’s', async () => {
    givenFork(h.mocks, {
      ...fork,
      owner: POOL_OWNER,
      status: 'creating',
      step: 'pooled',
      pool: { source: 'orders-prod' },
    });

    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { ttlHours: 2 }],
      ['DELETE', undefined],
      ['POST', {}],
    ] as const) {
      const path = method === 'POST' ? `/v1/forks/${FORK_ID}/refresh` : `/v1/forks/${FORK_ID}`;
      const answer = await h.call(method, path, body === undefined ? {} : { body });
      expect({ method, status: answer.statusCode }).toEqual({ method, status: 404 });
      expectError(answer, 404, 'fork_not_found');
    }
  });

  it('answers 400 when the id can be neither an id nor a name', async () => {
    const error = expectError(
      await h.call('GET', '/v1/forks/Robert%27%29%3B%20DROP'),
      400,
      'validation_failed',
    );

    expect(error.details).toEqual([{ path: 'id', message: 'must be a fork id (fork-…) or fork name' }]);
  });
});
