/**
 * Quotas, idempotency and races at the API/store level against a real DynamoDB (moto), RDS mocked:
 * concurrent requests (Promise.all) race on the store's transactions exactly as they would in
 * Lambda, and the counts that come out are read back from the table.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../lambdas/api/routes.js';
import type { PublicFork } from '../../../lambdas/core/fork.js';
import { motoEndpoint } from '../../support/moto.js';
import {
  createMotoForkTable,
  mockedRuntime,
  motoClients,
  type PolicyInput,
  uniqueTableName,
} from '../../support/runtime.js';
import { SOURCE_ARN, SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiEvent,
  bodyOf,
  CALLER,
  type ErrorJson,
  expectError,
  givenRds,
  type RequestOptions,
} from './support.js';

const N = 8;
const K = 3;
const OTHER_SOURCE = 'billing-prod';

let endpoint: string;
let raw: DynamoDBDocumentClient;

/**
 * moto serves requests on threads without locking its DynamoDB model (a transaction deep-copies the
 * tables and restores the copy on failure, undoing a concurrent writer), so concurrent
 * transactions can interleave inside moto or fail with an HTML 500: guarantees DynamoDB gives and
 * moto does not. One request at a time on the wire gives back DynamoDB's per-request atomicity;
 * the requests of the concurrent API calls still interleave freely between each other, which is
 * the race under test.
 */
function oneRequestAtATime(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => (args) => {
      const run = tail.then(() => next(args));
      tail = run.catch(() => undefined);
      return run;
    },
    { step: 'finalizeRequest', name: 'oneRequestAtATime' },
  );
  return client;
}

beforeAll(() => {
  endpoint = motoEndpoint();
  raw = oneRequestAtATime(motoClients(endpoint).dynamo);
});

interface Harness extends ApiHarness {
  tableName: string;
}

async function harness(quotas: PolicyInput['quotas'] = {}): Promise<Harness> {
  const tableName = uniqueTableName('dbfork-quota');
  await createMotoForkTable(endpoint, tableName);
  const runtime = mockedRuntime({
    dynamo: raw,
    env: { tableName, policy: { allowedSources: [SOURCE_ID, OTHER_SOURCE], quotas } },
  });
  const api = createApi(runtime.rt);
  givenRds(runtime.mocks, [
    sourceInstance(),
    sourceInstance({
      DBInstanceIdentifier: OTHER_SOURCE,
      DBInstanceArn: SOURCE_ARN.replace(SOURCE_ID, OTHER_SOURCE),
    }),
  ]);
  runtime.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  return {
    ...runtime,
    api,
    tableName,
    call: (method: string, path: string, options?: RequestOptions) => api(apiEvent(method, path, options)),
  };
}

const callerN = (n: number) => CALLER.replace('/alice', `/user-${n}`);

const create = (h: Harness, body: Record<string, unknown>, options: RequestOptions = {}) =>
  h.call('POST', '/v1/forks', { body: { source: SOURCE_ID, ...body }, ...options });

/** Every item of the table, by kind. */
async function table(h: Harness) {
  const { Items = [] } = await raw.send(new ScanCommand({ TableName: h.tableName, ConsistentRead: true }));
  const forks = Items.filter((item) => item.sk === 'FORK');
  const live = (pk: string) => Items.find((item) => item.pk === pk)?.live as number | undefined;
  return { items: Items, forks, live };
}

function statuses(results: APIGatewayProxyResult[]): number[] {
  return results.map((r) => r.statusCode).sort();
}

function quotaErrors(results: APIGatewayProxyResult[]) {
  return results.filter((r) => r.statusCode === 429).map((r) => bodyOf<ErrorJson>(r).error);
}

/** What the delete workflow does to the record, in one step: the fork is gone. */
async function finishDelete(h: Harness, id: string) {
  await h.rt.store.transition(id, { step: 'deleted', message: 'test: delete workflow finished' });
}

describe(`quotas under ${N} concurrent creates against a limit of ${K}`, () => {
  it(`creates exactly ${K} forks of one source and answers 429 naming maxLiveForksPerSource to the other ${N - K}`, async () => {
    const h = await harness({ maxLiveForksPerSource: K, maxLiveForksPerOwner: 100 });

    const results = await Promise.all(
      Array.from({ length: N }, (_, n) => create(h, { name: `race-${n}` }, { caller: callerN(n) })),
    );

    expect(statuses(results)).toEqual([...Array(K).fill(202), ...Array(N - K).fill(429)]);
    for (const result of results.filter((r) => r.statusCode === 429)) {
      expectError(result, 429, 'quota_exceeded');
    }
    for (const error of quotaErrors(results)) {
      expect(error.message).toContain('maxLiveForksPerSource');
      expect(error.message).toContain(`source ${SOURCE_ID} already has ${K} live forks`);
      expect(error.details).toEqual([
        {
          path: 'quotas.maxLiveForksPerSource',
          message: 'quota exceeded',
          quota: 'maxLiveForksPerSource',
          limit: K,
          sourceId: SOURCE_ID,
        },
      ]);
    }
    const { forks, live, items } = await table(h);
    expect(forks.length).toBe(K);
    expect(h.workflows.started.length).toBe(K);
    expect(live(`QUOTA#SOURCE#${SOURCE_ID}`)).toBe(K);
    // The refused creates left nothing: no name guard, no owner slot of theirs.
    expect(items.filter((item) => item.sk === 'NAME').length).toBe(K);
    const owners = items.filter((item) => String(item.pk).startsWith('QUOTA#OWNER#'));
    expect(owners.reduce((sum, item) => sum + Number(item.live), 0)).toBe(K);

    // Another source has its own quota.
    expect((await create(h, { source: OTHER_SOURCE })).statusCode).toBe(202);

    // A fork being deleted still holds its slot; once deleted, one more fits (and only one).
    const [first] = forks;
    expect(
      (await h.call('DELETE', `/v1/forks/${first?.id}`, { caller: String(first?.owner) })).statusCode,
    ).toBe(202);
    expectError(await create(h, { name: 'while-deleting' }), 429, 'quota_exceeded');
    await finishDelete(h, String(first?.id));
    expect((await create(h, { name: 'after-delete' })).statusCode).toBe(202);
    expectError(await create(h, { name: 'one-too-many' }), 429, 'quota_exceeded');
    expect((await table(h)).live(`QUOTA#SOURCE#${SOURCE_ID}`)).toBe(K);
  });

  it(`creates exactly ${K} forks for one owner and answers 429 naming maxLiveForksPerOwner to the other ${N - K}`, async () => {
    const h = await harness({ maxLiveForksPerOwner: K, maxLiveForksPerSource: 100 });

    const results = await Promise.all(Array.from({ length: N }, (_, n) => create(h, { name: `mine-${n}` })));

    expect(statuses(results)).toEqual([...Array(K).fill(202), ...Array(N - K).fill(429)]);
    for (const error of quotaErrors(results)) {
      expect(error.code).toBe('quota_exceeded');
      expect(error.message).toContain('maxLiveForksPerOwner');
      expect(error.message).toContain(`${CALLER} already owns ${K} live forks`);
      expect(error.details[0]).toMatchObject({ quota: 'maxLiveForksPerOwner', limit: K, owner: CALLER });
    }
    expect((await table(h)).forks.length).toBe(K);
    expect(h.workflows.started.length).toBe(K);

    // Someone else is not limited by alice's forks.
    expect((await create(h, { name: 'bobs' }, { caller: callerN(99) })).statusCode).toBe(202);

    // A failed fork gives its slot back at once; deleting it later (failed → deleting → deleted)
    // neither takes a slot again nor gives a second one back.
    const failedId = bodyOf<PublicFork>(
      results.find((r) => r.statusCode === 202) as APIGatewayProxyResult,
    ).id;
    await h.rt.store.transition(failedId, { step: 'failed', message: 'test: restore failed' });
    expect((await table(h)).live(`QUOTA#OWNER#${CALLER}`)).toBe(K - 1);
    expect((await h.call('DELETE', `/v1/forks/${failedId}`)).statusCode).toBe(202);
    expect((await table(h)).live(`QUOTA#OWNER#${CALLER}`)).toBe(K - 1);
    await finishDelete(h, failedId);
    expect((await table(h)).live(`QUOTA#OWNER#${CALLER}`)).toBe(K - 1);

    expect((await create(h, { name: 'refill' })).statusCode).toBe(202);
    expectError(await create(h, { name: 'over' }), 429, 'quota_exceeded');
  });

  it('gives a slot back once when two moves out of the live statuses race', async () => {
    const h = await harness({ maxLiveForksPerOwner: K, maxLiveForksPerSource: K });
    const fork = bodyOf<PublicFork>(await create(h, { name: 'racer' }));
    await create(h, { name: 'bystander' });

    // Four retries of the same step (a failed create's last step), all at once: each succeeds.
    const moves = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        h.rt.store.transition(fork.id, { step: 'failed', message: 'test: failed' }),
      ),
    );

    expect(moves.map((m) => m.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const { live, forks } = await table(h);
    expect(live(`QUOTA#OWNER#${CALLER}`)).toBe(1);
    expect(live(`QUOTA#SOURCE#${SOURCE_ID}`)).toBe(1);
    const stored = forks.find((item) => item.id === fork.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.quotaSlots).toBeUndefined();
  });
});

describe('idempotency and races', () => {
  it('makes one fork and starts one workflow for 5 concurrent identical requests with one Idempotency-Key', async () => {
    const h = await harness();
    const headers = { 'Idempotency-Key': 'same-key-1' };

    const results = await Promise.all(
      Array.from({ length: 5 }, () => create(h, { name: 'twin' }, { headers })),
    );

    expect(results.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(results.map((r) => bodyOf<PublicFork>(r).id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers?.['idempotent-replayed'] === 'true').length).toBe(4);
    const { forks, live } = await table(h);
    expect(forks.length).toBe(1);
    expect(h.workflows.started).toEqual([{ kind: 'create', forkId: [...ids][0] }]);
    expect(live(`QUOTA#OWNER#${CALLER}`)).toBe(1);

    // Same key, another body: 409, nothing new.
    expectError(await create(h, { name: 'twin-2' }, { headers }), 409, 'idempotency_key_reused');
    expect((await table(h)).forks.length).toBe(1);
    // Same key, same body, later: the same fork again.
    expect(bodyOf<PublicFork>(await create(h, { name: 'twin' }, { headers })).id).toBe([...ids][0]);
    expect(h.workflows.started.length).toBe(1);
  });

  it('starts one delete workflow for two concurrent DELETEs, both answered 202', async () => {
    const h = await harness();
    const fork = bodyOf<PublicFork>(await create(h, { name: 'doomed' }));
    await h.rt.store.transition(fork.id, { step: 'ready', message: 'test: ready' });

    const results = await Promise.all([
      h.call('DELETE', `/v1/forks/${fork.id}`),
      h.call('DELETE', '/v1/forks/doomed'),
    ]);

    expect(results.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(h.workflows.started.filter((w) => w.kind === 'delete')).toEqual([
      { kind: 'delete', forkId: fork.id, reason: 'api' },
    ]);
    const stored = await h.rt.store.mustGet(fork.id);
    expect({ status: stored.status, step: stored.step }).toEqual({
      status: 'deleting',
      step: 'removing-dns',
    });
    expect(stored.history.filter((e) => e.step === 'removing-dns').length).toBe(1);
  });

  it('answers 202 to a DELETE of a fork still creating and moves it to deleting', async () => {
    const h = await harness();
    const fork = bodyOf<PublicFork>(await create(h, { name: 'young' }));
    await h.rt.store.transition(fork.id, { step: 'restoring', message: 'test: restoring' });

    const result = await h.call('DELETE', `/v1/forks/${fork.id}`);

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result)).toMatchObject({ status: 'deleting', step: 'removing-dns' });
    expect(h.workflows.started).toEqual([
      { kind: 'create', forkId: fork.id },
      { kind: 'delete', forkId: fork.id, reason: 'api' },
    ]);
    // The create workflow's next move forward is refused: it sees the fork is being deleted.
    await expect(
      h.rt.store.transition(fork.id, { step: 'creating-instances', message: 'test: create goes on' }),
    ).rejects.toThrow(/deleting/);
    // Still live: the name stays taken until the delete finishes.
    const guard = await raw.send(
      new GetCommand({ TableName: h.tableName, Key: { pk: 'NAME#young', sk: 'NAME' }, ConsistentRead: true }),
    );
    expect(guard.Item?.forkId).toBe(fork.id);
  });
});
