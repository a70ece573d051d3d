/**
 * ForkStore quota paths a real DynamoDB cannot be steered into on demand (which item of a
 * transaction was refused, transaction conflicts), with a mocked DocumentClient. The atomicity
 * itself is proven on moto in test/unit/api/quotas-races.moto.test.ts.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../../lambdas/core/errors.js';
import { mockedRuntime } from '../../support/runtime.js';
import { FORK_ID, forkRecord, OWNER, SOURCE_ID } from './fixtures.js';

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const LIMITS = { maxLiveForksPerOwner: 2, maxLiveForksPerSource: 5 };

function store() {
  const test = mockedRuntime();
  const dynamo = test.mocks.dynamo;
  if (!dynamo) throw new Error('expected a mocked DynamoDB');
  dynamo.on(GetCommand).resolves({});
  return { store: test.rt.store, dynamo };
}

describe('ForkStore quotas (mocked DynamoDB)', () => {
  it.each([
    [
      'the owner quota',
      ['None', 'None', 'ConditionalCheckFailed', 'None'],
      undefined,
      { quota: 'maxLiveForksPerOwner', limit: 2, owner: OWNER },
    ],
    [
      'the source quota',
      ['None', 'None', 'None', 'ConditionalCheckFailed'],
      undefined,
      { quota: 'maxLiveForksPerSource', limit: 5, sourceId: SOURCE_ID },
    ],
    [
      'the owner quota, after an idempotency item',
      ['None', 'None', 'None', 'ConditionalCheckFailed', 'None'],
      { key: 'k-1', body: {} },
      { quota: 'maxLiveForksPerOwner', limit: 2, owner: OWNER },
    ],
  ])(
    'refuses with QuotaExceededError naming %s when its counter is full',
    async (_what, codes, idempotency, detail) => {
      const { store: forks, dynamo } = store();
      dynamo.on(TransactWriteCommand).rejects(cancelled(codes));

      const error = await forks.create(forkRecord(), idempotency, LIMITS).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(QuotaExceededError);
      expect((error as QuotaExceededError).statusCode).toBe(429);
      expect((error as QuotaExceededError).message).toContain(detail.quota);
      expect((error as QuotaExceededError).details[0]).toMatchObject(detail);
    },
  );

  it('retries a create that only collided with a concurrent transaction', async () => {
    const { store: forks, dynamo } = store();
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'None', 'TransactionConflict', 'None']))
      .rejectsOnce(cancelled(['None', 'None', 'None', 'TransactionConflict']))
      .resolves({});

    const { replayed } = await forks.create(forkRecord(), undefined, LIMITS);

    expect(replayed).toBe(false);
    expect(dynamo.commandCalls(TransactWriteCommand).length).toBe(3);
  });

  it('gives up after 5 conflicting attempts and lets the error through (the API answers 503)', async () => {
    const { store: forks, dynamo } = store();
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'TransactionConflict', 'None']));

    await expect(forks.create(forkRecord(), undefined, LIMITS)).rejects.toThrow(TransactionCanceledException);
    expect(dynamo.commandCalls(TransactWriteCommand).length).toBe(5);
  });

  it('does not touch quota counters for a record written without quota slots (before quotas existed)', async () => {
    const { store: forks, dynamo } = store();
    const fork = forkRecord();
    dynamo.on(GetCommand, { Key: { pk: `FORK#${FORK_ID}`, sk: 'FORK' } }).resolves({ Item: { ...fork } });
    dynamo.on(UpdateCommand).resolves({});

    await forks.transition(FORK_ID, { step: 'failed', message: 'gave up' });

    expect(dynamo.commandCalls(TransactWriteCommand)).toEqual([]);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).not.toContain('quotaSlots');
  });

  it('gives both slots back, with the record, when a fork holding them fails', async () => {
    const { store: forks, dynamo } = store();
    const fork = forkRecord();
    const slots = [`QUOTA#OWNER#${OWNER}`, `QUOTA#SOURCE#${SOURCE_ID}`];
    dynamo
      .on(GetCommand, { Key: { pk: `FORK#${FORK_ID}`, sk: 'FORK' } })
      .resolves({ Item: { ...fork, quotaSlots: slots } });
    dynamo.on(TransactWriteCommand).resolves({});

    await forks.transition(FORK_ID, { step: 'failed', message: 'gave up' });

    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.UpdateExpression).toMatch(/REMOVE #liveKey , #quotaSlots$/);
    expect(items[0]?.Update?.ConditionExpression).toContain('attribute_exists(#quotaSlots)');
    expect(items.slice(1).map((item) => [item.Update?.Key, item.Update?.ExpressionAttributeValues])).toEqual(
      slots.map((pk) => [{ pk, sk: 'QUOTA' }, { ':minusOne': -1 }]),
    );
  });
});
