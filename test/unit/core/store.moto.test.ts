/**
 * ForkStore against moto's DynamoDB (the shared server of the vitest `moto` project), on a table
 * created by local/table.ts exactly as the stack creates it. Each test gets a fresh table.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ForkNotFoundError,
  ForkStateConflictError,
  IdempotencyConflictError,
  NameTakenError,
  ValidationError,
} from '../../../lambdas/core/errors.js';
import type { ForkRecord, ForkStep } from '../../../lambdas/core/fork.js';
import type { ForkListing } from '../../../lambdas/core/fork-listing.js';
import type { ForkStore } from '../../../lambdas/core/store.js';
import { motoEndpoint } from '../../support/moto.js';
import { motoClients, motoRuntime, type TestClock } from '../../support/runtime.js';
import { forkRecord, OWNER } from './fixtures.js';

let store: ForkStore;
let listing: ForkListing;
let clock: TestClock;
let tableName: string;
let raw: DynamoDBDocumentClient;

beforeEach(async () => {
  const runtime = await motoRuntime(motoEndpoint());
  store = runtime.rt.store;
  listing = runtime.rt.listing;
  clock = runtime.clock;
  tableName = runtime.env.tableName;
  raw = motoClients(motoEndpoint()).dynamo;
});

const id = (n: number) => `fork-${String(n).padStart(12, '0')}`;

/** A new fork `n`, created one minute after the previous one. */
async function createFork(n: number, overrides: Partial<ForkRecord> = {}): Promise<ForkRecord> {
  clock.advance({ minutes: 1 });
  const record = forkRecord({
    id: id(n),
    name: `fork-name-${n}`,
    createdAt: clock.iso(),
    updatedAt: clock.iso(),
    ...overrides,
  });
  await store.create(record);
  return record;
}

async function walk(forkId: string, steps: ForkStep[]): Promise<ForkRecord> {
  let last: ForkRecord | undefined;
  for (const step of steps) last = await store.transition(forkId, { step, message: step });
  if (!last) throw new Error('no steps');
  return last;
}

const TO_READY: ForkStep[] = [
  'selecting-backup',
  'restoring',
  'rotating-credentials',
  'registering-dns',
  'ready',
];
const TO_DELETED: ForkStep[] = [
  'removing-dns',
  'deleting-database',
  'deleting-secret',
  'deleting-schedule',
  'deleted',
];

async function rawItem(pk: string, sk: string) {
  const { Item } = await raw.send(
    new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

describe('ForkStore (moto DynamoDB)', () => {
  describe('create and get', () => {
    it('stores the record with its index attributes and reads it back without them', async () => {
      const record = forkRecord();

      const created = await store.create(record);

      expect(created).toEqual({ record, replayed: false });
      await expect(store.get(record.id)).resolves.toEqual(record);
      expect(await rawItem(`FORK#${record.id}`, 'FORK')).toMatchObject({
        sourceId: 'orders-prod',
        createdKey: `${record.createdAt}#${record.id}`,
        liveKey: 'LIVE',
      });
      expect(await rawItem(`NAME#${record.name}`, 'NAME')).toEqual({
        pk: `NAME#${record.name}`,
        sk: 'NAME',
        forkId: record.id,
      });
    });

    it('answers undefined for an unknown id, and mustGet throws ForkNotFoundError', async () => {
      await expect(store.get(id(404))).resolves.toBeUndefined();
      await expect(store.mustGet(id(404))).rejects.toBeInstanceOf(ForkNotFoundError);
    });

    it('finds a live fork by its name', async () => {
      const record = await createFork(1);

      await expect(store.findLiveByName(record.name)).resolves.toEqual(record);
      await expect(store.findLiveByName('nobody')).resolves.toBeUndefined();
    });
  });

  describe('name guard', () => {
    it('refuses a second live fork with the same name (NameTakenError) and writes nothing for it', async () => {
      await createFork(1, { name: 'pr-1' });

      const second = createFork(2, { name: 'pr-1' });

      await expect(second).rejects.toBeInstanceOf(NameTakenError);
      await expect(second).rejects.toMatchObject({ statusCode: 409, details: [{ path: 'name' }] });
      await expect(store.get(id(2))).resolves.toBeUndefined();
      expect(await rawItem('NAME#pr-1', 'NAME')).toMatchObject({ forkId: id(1) });
    });

    it('frees the name once the first fork is deleted', async () => {
      await createFork(1, { name: 'pr-1' });
      await walk(id(1), [...TO_READY, ...TO_DELETED]);

      await createFork(2, { name: 'pr-1' });

      await expect(store.findLiveByName('pr-1')).resolves.toMatchObject({ id: id(2) });
    });

    it('frees the name once the first fork failed', async () => {
      await createFork(1, { name: 'pr-1' });
      await walk(id(1), ['restoring', 'cleaning-up', 'failed']);

      await createFork(2, { name: 'pr-1' });

      await expect(store.findLiveByName('pr-1')).resolves.toMatchObject({ id: id(2) });
    });

    it('deletes a failed fork whose name was reused without touching the new holder of the name', async () => {
      await createFork(1, { name: 'pr-1' });
      await walk(id(1), ['cleaning-up', 'failed']);
      await createFork(2, { name: 'pr-1' });

      const deleted = await walk(id(1), TO_DELETED);

      expect(deleted.status).toBe('deleted');
      expect(await rawItem('NAME#pr-1', 'NAME')).toMatchObject({ forkId: id(2) });
      await expect(createFork(3, { name: 'pr-1' })).rejects.toBeInstanceOf(NameTakenError);
    });
  });

  describe('idempotency', () => {
    const body = { source: 'orders-prod', name: 'pr-1', restore: { type: 'latest-backup' } };

    it('replays the first fork for the same key and the same body, writing no second fork', async () => {
      const first = forkRecord({ id: id(1), name: 'pr-1' });
      await store.create(first, { key: 'key-1', body });

      const again = await store.create(forkRecord({ id: id(2), name: 'pr-1' }), {
        key: 'key-1',
        // same content, other key order: still the same request
        body: { restore: { type: 'latest-backup' }, name: 'pr-1', source: 'orders-prod' },
      });

      expect(again).toEqual({ record: first, replayed: true });
      await expect(store.get(id(2))).resolves.toBeUndefined();
    });

    it('refuses the same key with another body (IdempotencyConflictError)', async () => {
      await store.create(forkRecord({ id: id(1), name: 'pr-1' }), { key: 'key-1', body });

      const other = store.create(forkRecord({ id: id(2), name: 'pr-2' }), {
        key: 'key-1',
        body: { ...body, name: 'pr-2' },
      });

      await expect(other).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(other).rejects.toMatchObject({ statusCode: 409, code: 'idempotency_key_reused' });
      await expect(store.get(id(2))).resolves.toBeUndefined();
    });

    it('keeps keys apart per owner', async () => {
      await store.create(forkRecord({ id: id(1), name: 'pr-1' }), { key: 'key-1', body });

      const other = await store.create(
        forkRecord({ id: id(2), name: 'pr-2', owner: 'arn:aws:iam::123456789012:user/bob' }),
        {
          key: 'key-1',
          body,
        },
      );

      expect(other.replayed).toBe(false);
      expect(await rawItem(`IDEMPOTENCY#${OWNER}#key-1`, 'IDEMPOTENCY')).toMatchObject({
        forkId: id(1),
        ttl: Math.floor(Date.parse(clock.iso()) / 1000) + 86400,
      });
    });
  });

  describe('transition', () => {
    it('moves forward, setting status, progress, patch fields and a history entry', async () => {
      const record = await createFork(1);
      clock.advance({ minutes: 5 });

      const moved = await store.transition(record.id, {
        step: 'restoring',
        message: 'restoring fork',
        patch: { restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'rds:x' } } },
      });

      expect(moved).toMatchObject({
        status: 'creating',
        step: 'restoring',
        progress: 25,
        order: 30,
        updatedAt: clock.iso(),
        restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'rds:x' } },
      });
      expect(moved.history.at(-1)).toEqual({
        at: clock.iso(),
        step: 'restoring',
        status: 'creating',
        message: 'restoring fork',
      });
    });

    it('allows the same step again (a retried step)', async () => {
      const record = await createFork(1);
      await store.transition(record.id, { step: 'restoring', message: 'first' });

      const again = await store.transition(record.id, { step: 'restoring', message: 'second' });

      expect(again.step).toBe('restoring');
      expect(again.history.map((h) => h.message)).toEqual(['fork requested', 'first', 'second']);
    });

    it('refuses to move backwards with ForkStateConflictError and leaves the record as it was', async () => {
      const record = await createFork(1);
      const ready = await walk(record.id, TO_READY);

      const back = store.transition(record.id, { step: 'restoring', message: 'back' });

      await expect(back).rejects.toBeInstanceOf(ForkStateConflictError);
      await expect(back).rejects.toMatchObject({ details: [{ status: 'ready', step: 'ready' }] });
      await expect(store.get(record.id)).resolves.toEqual(ready);
    });

    it('never resurrects a deleted fork', async () => {
      const record = await createFork(1);
      const deleted = await walk(record.id, [...TO_READY, ...TO_DELETED]);

      for (const step of ['resolving-source', 'ready', 'removing-dns', 'deleted'] as ForkStep[]) {
        await expect(store.transition(record.id, { step, message: 'again' })).rejects.toBeInstanceOf(
          ForkStateConflictError,
        );
      }
      await expect(store.get(record.id)).resolves.toEqual(deleted);
    });

    it('honours onlyFrom (e.g. cleanup only while creating)', async () => {
      const record = await createFork(1);
      await walk(record.id, ['removing-dns']);

      await expect(
        store.transition(record.id, { step: 'failed', message: 'x', onlyFrom: ['creating'] }),
      ).rejects.toBeInstanceOf(ForkStateConflictError);
    });

    it('throws ForkNotFoundError for an unknown fork', async () => {
      await expect(store.transition(id(404), { step: 'restoring', message: 'x' })).rejects.toBeInstanceOf(
        ForkNotFoundError,
      );
    });

    it('on deletion drops the live index, starts the audit TTL and keeps deletedAt', async () => {
      const record = await createFork(1);
      await walk(record.id, [...TO_READY, ...TO_DELETED.slice(0, -1)]);
      clock.advance({ hours: 1 });

      const deleted = await store.transition(record.id, { step: 'deleted', message: 'gone' });

      expect(deleted).toMatchObject({ status: 'deleted', progress: 100, deletedAt: clock.iso() });
      const item = await rawItem(`FORK#${record.id}`, 'FORK');
      expect(item?.ttl).toBe(Math.floor(Date.parse(clock.iso()) / 1000) + 30 * 86400);
      expect(item).not.toHaveProperty('liveKey');
      expect(await rawItem(`NAME#${record.name}`, 'NAME')).toBeUndefined();
    });

    it('keeps at most the 100 newest history entries', async () => {
      const history = Array.from({ length: 99 }, (_, i) => ({
        at: clock.iso(),
        step: 'restoring' as const,
        status: 'creating' as const,
        message: `retry ${i}`,
      }));
      const record = await createFork(1, { step: 'restoring', order: 30, history });

      await store.transition(record.id, { step: 'restoring', message: 'retry 99' });
      await store.transition(record.id, { step: 'restoring', message: 'retry 100' });

      const current = await store.mustGet(record.id);
      expect(current.history).toHaveLength(100);
      expect(current.history.at(0)?.message).toBe('retry 1');
      expect(current.history.at(-1)?.message).toBe('retry 100');
    });

    it('records an error without moving the fork', async () => {
      const record = await createFork(1);

      await store.recordError(record.id, { code: 'RestoreFailedError', message: 'storage-full' });

      await expect(store.get(record.id)).resolves.toMatchObject({
        step: 'resolving-source',
        error: { code: 'RestoreFailedError', message: 'storage-full' },
      });
    });
  });

  describe('list', () => {
    async function seed(): Promise<void> {
      await createFork(1, { tags: { team: 'payments' } });
      await createFork(2, { tags: { team: 'search' }, owner: 'arn:aws:iam::123456789012:user/bob' });
      await createFork(3, { tags: { team: 'payments' }, sourceRef: 'billing-prod' });
      await createFork(4, { tags: { team: 'payments' } });
      await createFork(5, { tags: { team: 'search' } });
      await walk(id(4), TO_READY);
      await walk(id(1), TO_READY);
    }
    const ids = (items: ForkRecord[]) => items.map((item) => item.id);

    it('lists every fork newest first', async () => {
      await seed();

      const page = await listing.list({ limit: 10 });

      expect(ids(page.items)).toEqual([id(5), id(4), id(3), id(2), id(1)]);
      expect(page.nextToken).toBeUndefined();
    });

    it('filters by source, owner, status and tag, alone and combined', async () => {
      await seed();

      expect(ids((await listing.list({ limit: 10, source: 'billing-prod' })).items)).toEqual([id(3)]);
      expect(ids((await listing.list({ limit: 10, source: 'orders-prod' })).items)).toEqual([
        id(5),
        id(4),
        id(2),
        id(1),
      ]);
      expect(ids((await listing.list({ limit: 10, owner: OWNER })).items)).toEqual([
        id(5),
        id(4),
        id(3),
        id(1),
      ]);
      expect(ids((await listing.list({ limit: 10, status: 'ready' })).items)).toEqual([id(4), id(1)]);
      expect(ids((await listing.list({ limit: 10, tag: { key: 'team', value: 'search' } })).items)).toEqual([
        id(5),
        id(2),
      ]);
      expect(
        ids(
          (
            await listing.list({
              limit: 10,
              source: 'orders-prod',
              status: 'creating',
              tag: { key: 'team', value: 'search' },
            })
          ).items,
        ),
      ).toEqual([id(5), id(2)]);
      expect(ids((await listing.list({ limit: 10, owner: OWNER, status: 'ready' })).items)).toEqual([
        id(4),
        id(1),
      ]);
      expect((await listing.list({ limit: 10, tag: { key: 'team', value: 'nobody' } })).items).toEqual([]);
    });

    it('pages with nextToken, every fork exactly once, in order', async () => {
      await seed();

      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await listing.list({ limit: 2, ...(nextToken ? { nextToken } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page.items));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken && pages < 10);

      expect(seen).toEqual([id(5), id(4), id(3), id(2), id(1)]);
    });

    it('pages a filtered listing (short pages are filled from further reads)', async () => {
      await seed();

      const first = await listing.list({ limit: 2, tag: { key: 'team', value: 'payments' } });
      const second = await listing.list({
        limit: 2,
        tag: { key: 'team', value: 'payments' },
        nextToken: first.nextToken,
      });

      expect(ids(first.items)).toEqual([id(4), id(3)]);
      expect(ids(second.items)).toEqual([id(1)]);
    });

    it('rejects a garbage nextToken with ValidationError', async () => {
      await seed();

      for (const nextToken of ['garbage', 'e30', Buffer.from('[1,2]').toString('base64url'), '%%%']) {
        await expect(listing.list({ limit: 2, nextToken })).rejects.toBeInstanceOf(ValidationError);
      }
    });

    it('rejects a token of another listing (other index or other partition) with ValidationError', async () => {
      await seed();
      const bySource = await listing.list({ limit: 1, source: 'orders-prod' });
      const unfiltered = await listing.list({ limit: 1 });

      await expect(
        listing.list({ limit: 1, source: 'billing-prod', nextToken: bySource.nextToken }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(listing.list({ limit: 1, nextToken: bySource.nextToken })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        listing.list({ limit: 1, source: 'orders-prod', nextToken: unfiltered.nextToken }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        listing.list({ limit: 1, source: 'orders-prod', nextToken: bySource.nextToken }),
      ).resolves.toMatchObject({
        items: [{ id: id(4) }],
      });
    });
  });

  describe('listExpired', () => {
    it('returns live forks that expired before the given time, and no failed or deleted ones', async () => {
      await createFork(1, { expiresAt: '2026-11-20T13:00:00.000Z' });
      await createFork(2, { expiresAt: '2026-11-20T15:00:00.000Z' });
      await createFork(3, { expiresAt: '2026-11-20T12:30:00.000Z' });
      await createFork(4, { expiresAt: '2026-11-20T12:10:00.000Z' });
      await createFork(5, { expiresAt: '2026-11-20T12:20:00.000Z' });
      await walk(id(3), ['cleaning-up', 'failed']);
      await walk(id(4), TO_DELETED);
      await walk(id(5), ['removing-dns']);

      const expired = await listing.listExpired('2026-11-20T14:00:00.000Z');

      expect(expired.map((f) => f.id).sort()).toEqual([id(1), id(5)]);
    });
  });

  describe('setExpiry', () => {
    it('moves the expiry of a live fork and notes it in the history', async () => {
      const record = await createFork(1);
      await walk(record.id, TO_READY);

      const extended = await store.setExpiry(record.id, '2026-11-22T12:00:00.000Z', 48, 'extended to 48 h');

      expect(extended).toMatchObject({
        expiresAt: '2026-11-22T12:00:00.000Z',
        ttlHours: 48,
        status: 'ready',
      });
      expect(extended.history.at(-1)).toMatchObject({
        step: 'ready',
        status: 'ready',
        message: 'extended to 48 h',
      });
      const expired = await listing.listExpired('2026-11-22T11:00:00.000Z');
      expect(expired).toEqual([]);
    });

    it.each<[string, ForkStep[]]>([
      ['deleting', ['removing-dns']],
      ['failed', ['cleaning-up', 'failed']],
      ['deleted', TO_DELETED],
    ])('refuses a %s fork with ForkStateConflictError', async (_status, steps) => {
      const record = await createFork(1);
      await walk(record.id, steps);

      await expect(store.setExpiry(record.id, '2026-11-22T12:00:00.000Z', 48, 'x')).rejects.toBeInstanceOf(
        ForkStateConflictError,
      );
      await expect(store.get(record.id)).resolves.toMatchObject({ expiresAt: record.expiresAt });
    });

    it('throws ForkNotFoundError for an unknown fork', async () => {
      await expect(store.setExpiry(id(404), '2026-11-22T12:00:00.000Z', 48, 'x')).rejects.toBeInstanceOf(
        ForkNotFoundError,
      );
    });
  });

  describe('moto behaviour the store relies on', () => {
    it('TransactionCanceledException carries CancellationReasons (one per item, in order)', async () => {
      await raw.send(new PutCommand({ TableName: tableName, Item: { pk: 'A', sk: 'X' } }));

      const error = await raw
        .send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: 'B', sk: 'X' },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: 'A', sk: 'X' },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        )
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
        'None',
        'ConditionalCheckFailed',
      ]);
      expect((error as Error).message).toContain('[None, ConditionalCheckFailed]');
    });
  });
});
