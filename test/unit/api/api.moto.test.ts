/**
 * The API against a real DynamoDB (moto) with RDS mocked: the store's conditional writes, name guard,
 * idempotency items and GSIs as the handlers really use them.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApi } from '../../../lambdas/api/routes.js';
import type { PublicFork } from '../../../lambdas/core/fork.js';
import { motoEndpoint } from '../../support/moto.js';
import { createMotoForkTable, mockedRuntime, motoClients, uniqueTableName } from '../../support/runtime.js';
import { SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiEvent,
  bodyOf,
  CALLER,
  expectError,
  givenRds,
  OTHER_CALLER,
  type RequestOptions,
} from './support.js';

let endpoint: string;
let h: ApiHarness;

beforeAll(() => {
  endpoint = motoEndpoint();
});

beforeEach(async () => {
  const tableName = uniqueTableName('dbfork-api');
  await createMotoForkTable(endpoint, tableName);
  const runtime = mockedRuntime({ dynamo: motoClients(endpoint).dynamo, env: { tableName } });
  const api = createApi(runtime.rt);
  h = {
    ...runtime,
    api,
    call: (method: string, path: string, options?: RequestOptions) => api(apiEvent(method, path, options)),
  };
  givenRds(h.mocks, [sourceInstance()]);
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
});

const create = async (body: Record<string, unknown>, options: RequestOptions = {}) => {
  const result = await h.call('POST', '/v1/forks', { body: { source: SOURCE_ID, ...body }, ...options });
  return { result, fork: bodyOf<PublicFork>(result) };
};

describe('the API on a real fork table', () => {
  it('creates, shows, extends and deletes a fork, starting one workflow of each kind', async () => {
    const { result, fork } = await create({ name: 'pr-7', tags: { team: 'payments' } });
    expect(result.statusCode).toBe(202);

    const byName = await h.call('GET', '/v1/forks/pr-7');
    expect(bodyOf<PublicFork>(byName).id).toBe(fork.id);

    const extended = await h.call('PATCH', '/v1/forks/pr-7', { body: { ttlHours: 72 } });
    expect({ status: extended.statusCode, expiresAt: bodyOf<PublicFork>(extended).expiresAt }).toEqual({
      status: 200,
      expiresAt: '2026-11-23T12:00:00.000Z',
    });

    const first = await h.call('DELETE', `/v1/forks/${fork.id}`);
    const second = await h.call('DELETE', `/v1/forks/${fork.id}`);
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    const shown = bodyOf<PublicFork>(await h.call('GET', `/v1/forks/${fork.id}`));
    expect({ status: shown.status, step: shown.step, last: shown.history.at(-1)?.message }).toEqual({
      status: 'deleting',
      step: 'removing-dns',
      last: `deletion requested by ${CALLER}`,
    });
    expect(h.workflows.started).toEqual([
      { kind: 'create', forkId: fork.id },
      { kind: 'delete', forkId: fork.id, reason: 'api' },
    ]);
  });

  it('replays a retried create and refuses the key with another body', async () => {
    const headers = { 'Idempotency-Key': 'retry-1' };
    const first = await create({ name: 'pr-8' }, { headers });
    const again = await create({ name: 'pr-8' }, { headers });
    const other = await create({ name: 'pr-9' }, { headers });

    expect(again.fork.id).toBe(first.fork.id);
    expect(again.result.headers?.['idempotent-replayed']).toBe('true');
    expectError(other.result, 409, 'idempotency_key_reused');
    expect(h.workflows.started).toEqual([{ kind: 'create', forkId: first.fork.id }]);
  });

  it('refuses a second live fork with the same name, and frees the name when creation could not start', async () => {
    await create({ name: 'pr-10' });
    expectError((await create({ name: 'pr-10' })).result, 409, 'name_taken');

    h.workflows.failNext(new Error('states unavailable'));
    const failed = await create({ name: 'pr-11' });
    expectError(failed.result, 503, 'service_unavailable');
    const retried = await create({ name: 'pr-11' });

    expect(retried.result.statusCode).toBe(202);
  });

  it('pages through forks newest first without repeats, filtered by owner', async () => {
    const ids: string[] = [];
    for (const name of ['pr-a', 'pr-b', 'pr-c']) {
      ids.push((await create({ name })).fork.id);
      h.clock.advance({ minutes: 1 });
    }
    await create({ name: 'pr-bob' }, { caller: OTHER_CALLER });

    const page1 = bodyOf<{ forks: PublicFork[]; nextToken?: string }>(
      await h.call('GET', '/v1/forks', { query: { owner: 'me', limit: '2' } }),
    );
    const page2 = bodyOf<{ forks: PublicFork[]; nextToken?: string }>(
      await h.call('GET', '/v1/forks', {
        query: { owner: 'me', limit: '2', nextToken: page1.nextToken ?? '' },
      }),
    );

    expect([...page1.forks, ...page2.forks].map((f) => f.id)).toEqual([...ids].reverse());
    const crossed = await h.call('GET', '/v1/forks', {
      query: { status: 'ready', nextToken: page1.nextToken ?? '' },
    });
    expectError(crossed, 400, 'validation_failed');
  });
});
