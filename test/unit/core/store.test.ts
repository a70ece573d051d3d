/**
 * ForkStore paths a real DynamoDB cannot be steered into on demand (races, other emulators' error
 * shapes), with a mocked DocumentClient. The behaviour itself is tested on moto in store.moto.test.ts.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { NameTakenError, ValidationError } from '../../../lambdas/core/errors.js';
import { hashBody } from '../../../lambdas/core/store.js';
import { mockedRuntime } from '../../support/runtime.js';
import { FORK_ID, forkRecord, OWNER } from './fixtures.js';

const cancelled = (codes: string[], withReasons = true) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    ...(withReasons ? { CancellationReasons: codes.map((Code) => ({ Code })) } : {}),
  });

function store() {
  const test = mockedRuntime();
  const dynamo = test.mocks.dynamo;
  if (!dynamo) throw new Error('expected a mocked DynamoDB');
  return { store: test.rt.store, listing: test.rt.listing, dynamo, tableName: test.env.tableName };
}

describe('ForkStore (mocked DynamoDB)', () => {
  const body = { source: 'orders-prod', name: 'pr-1234' };

  it('answers a request that lost the race to its own retry with the winner’s fork, not NameTakenError', async () => {
    const { store: forks, dynamo, tableName } = store();
    const winner = forkRecord({ id: 'fork-winner000000' });
    dynamo
      .on(GetCommand, { Key: { pk: `IDEMPOTENCY#${OWNER}#key-1`, sk: 'IDEMPOTENCY' } })
      .resolvesOnce({})
      .resolves({ Item: { forkId: winner.id, bodyHash: hashBody(body) } });
    dynamo
      .on(GetCommand, { Key: { pk: `FORK#${winner.id}`, sk: 'FORK' } })
      .resolves({ Item: { ...winner, pk: 'x', sk: 'FORK' } });
    // Both the name guard and the idempotency item were just written by the twin request.
    dynamo
      .on(TransactWriteCommand)
      .rejects(cancelled(['None', 'ConditionalCheckFailed', 'ConditionalCheckFailed']));

    const result = await forks.create(forkRecord(), { key: 'key-1', body });

    expect(result).toEqual({ record: winner, replayed: true });
    expect(
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.map((i) => i.Put?.TableName),
    ).toEqual([tableName, tableName, tableName]);
  });

  it('reads cancellation codes from the message when an emulator sends no CancellationReasons', async () => {
    const { store: forks, dynamo } = store();
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed'], false));

    await expect(forks.create(forkRecord())).rejects.toBeInstanceOf(NameTakenError);
  });

  it('passes any other failure through unchanged', async () => {
    const { store: forks, dynamo } = store();
    const throttled = cancelled(['ThrottlingError', 'None']);
    dynamo.on(TransactWriteCommand).rejects(throttled);

    await expect(forks.create(forkRecord())).rejects.toBe(throttled);
  });

  it('queries the newest first on the most selective index with the other filters applied', async () => {
    const { listing, dynamo, tableName } = store();
    dynamo.on(QueryCommand).resolves({ Items: [] });

    await listing.list({ limit: 5, owner: OWNER, status: 'ready', tag: { key: 'team', value: 'payments' } });

    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: tableName,
      IndexName: 'byOwner',
      KeyConditionExpression: '#owner = :owner',
      // Unclaimed warm-pool members are no one's forks: never listed.
      FilterExpression: '#status = :status AND attribute_not_exists(#pool) AND #tags.#tagKey = :tagValue',
      ExpressionAttributeNames: {
        '#owner': 'owner',
        '#status': 'status',
        '#pool': 'pool',
        '#tags': 'tags',
        '#tagKey': 'team',
      },
      ExpressionAttributeValues: { ':owner': OWNER, ':status': 'ready', ':tagValue': 'payments' },
      ScanIndexForward: false,
      Limit: 5,
    });
  });

  it('rejects a token with a non-string key value before asking DynamoDB', async () => {
    const { listing, dynamo } = store();
    const token = Buffer.from(JSON.stringify({ pk: `FORK#${FORK_ID}`, sk: 'FORK', createdKey: 1 })).toString(
      'base64url',
    );

    await expect(listing.list({ limit: 5, nextToken: token })).rejects.toBeInstanceOf(ValidationError);
    expect(dynamo.commandCalls(QueryCommand)).toEqual([]);
  });
});
