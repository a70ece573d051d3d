import { beforeEach, describe, expect, it } from 'vitest';
import { toPublicFork } from '../../../lambdas/core/fork.js';
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

  it('answers 400 when the id can be neither an id nor a name', async () => {
    const error = expectError(
      await h.call('GET', '/v1/forks/Robert%27%29%3B%20DROP'),
      400,
      'validation_failed',
    );

    expect(error.details).toEqual([{ path: 'id', message: 'must be a fork id (fork-…) or fork name' }]);
  });
});
