import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PublicFork, toPublicFork } from '../../../lambdas/core/fork.js';
import { forkRecord, SOURCE_ARN, SOURCE_ID } from '../core/fixtures.js';
import { type ApiHarness, apiHarness, bodyOf, CALLER, expectError } from './support.js';

let h: ApiHarness;
const newer = forkRecord({ id: 'fork-bbbbbbbbbbbb', name: 'pr-2', createdAt: '2026-11-20T11:00:00.000Z' });
const older = forkRecord({ id: 'fork-aaaaaaaaaaaa', name: 'pr-1', createdAt: '2026-11-19T11:00:00.000Z' });
const lastKey = { pk: `FORK#${older.id}`, sk: 'FORK', createdKey: `${older.createdAt}#${older.id}` };

beforeEach(() => {
  h = apiHarness();
  h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [newer, older], LastEvaluatedKey: lastKey });
});

const list = (query: Record<string, string | string[]> = {}) => h.call('GET', '/v1/forks', { query });

function queries() {
  return h.mocks.dynamo?.commandCalls(QueryCommand).map((call) => call.args[0].input) ?? [];
}

describe('GET /v1/forks', () => {
  it('lists forks newest first with a nextToken when more remain', async () => {
    const result = await list({ limit: '2' });

    expect(result.statusCode).toBe(200);
    const body = bodyOf<{ forks: PublicFork[]; nextToken?: string }>(result);
    expect(body.forks).toEqual(
      [toPublicFork(newer), toPublicFork(older)].map((f) => JSON.parse(JSON.stringify(f))),
    );
    expect(JSON.parse(Buffer.from(body.nextToken ?? '', 'base64url').toString())).toEqual(lastKey);
    expect(queries()).toEqual([
      expect.objectContaining({ IndexName: 'byKind', ScanIndexForward: false, Limit: 2 }),
    ]);
  });

  it('omits nextToken on the last page', async () => {
    h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [newer] });

    expect(bodyOf(await list())).toEqual({ forks: [JSON.parse(JSON.stringify(toPublicFork(newer)))] });
  });

  it('asks for 25 forks when no limit is given', async () => {
    h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [newer] });

    await list();

    expect(queries()[0]?.Limit).toBe(25);
  });

  it('queries by source (an ARN filters as its identifier) and filters the rest on the page', async () => {
    h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [newer] });
    await list({ source: SOURCE_ARN, status: 'ready', owner: 'me', tag: 'team:payments', limit: '10' });

    expect(queries()).toEqual([
      expect.objectContaining({
        IndexName: 'bySource',
        KeyConditionExpression: '#sourceId = :sourceId',
        FilterExpression:
          '#owner = :owner AND #status = :status AND attribute_not_exists(#pool) AND #tags.#tagKey = :tagValue',
        ExpressionAttributeNames: {
          '#sourceId': 'sourceId',
          '#owner': 'owner',
          '#status': 'status',
          '#pool': 'pool',
          '#tags': 'tags',
          '#tagKey': 'team',
        },
        ExpressionAttributeValues: {
          ':sourceId': SOURCE_ID,
          ':owner': CALLER,
          ':status': 'ready',
          ':tagValue': 'payments',
        },
        Limit: 10,
      }),
    ]);
  });

  it('queries by owner when the owner is named', async () => {
    const owner = 'arn:aws:sts::123456789012:assumed-role/ci/run-42';

    await list({ owner });

    expect(queries()[0]).toMatchObject({
      IndexName: 'byOwner',
      ExpressionAttributeValues: { ':owner': owner },
    });
  });

  it('keeps everything after the first colon of a tag filter as its value', async () => {
    await list({ tag: 'url:https://example.com' });

    expect(queries()[0]?.ExpressionAttributeValues).toMatchObject({ ':tagValue': 'https://example.com' });
  });

  it('passes the nextToken back as the start key', async () => {
    const token = Buffer.from(JSON.stringify(lastKey)).toString('base64url');

    await list({ nextToken: token });

    expect(queries()[0]?.ExclusiveStartKey).toEqual(lastKey);
  });

  it.each([
    ['status', { status: 'sleeping' }],
    ['limit', { limit: '0' }],
    ['limit', { limit: '101' }],
    ['limit', { limit: 'ten' }],
    ['limit', { limit: '2.5' }],
    ['tag', { tag: 'team' }],
    ['tag', { tag: ':payments' }],
    ['source', { source: 'orders prod' }],
    ['owner', { owner: '' }],
    ['sort', { sort: 'asc' }],
    ['status', { status: ['ready', 'failed'] }],
  ])('answers 400 naming %s when it is invalid', async (path, query) => {
    const error = expectError(await list(query), 400, 'validation_failed');

    expect(error.details[0]?.path).toBe(path);
    expect(queries()).toEqual([]);
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['a JSON array', Buffer.from('[1]').toString('base64url')],
    [
      'a key of another listing',
      Buffer.from(JSON.stringify({ pk: 'x', sk: 'FORK', sourceId: 'x', createdKey: 'y' })).toString(
        'base64url',
      ),
    ],
  ])('answers 400 when nextToken is %s', async (_case, nextToken) => {
    const error = expectError(await list({ nextToken }), 400, 'validation_failed');

    expect(error.details).toEqual([{ path: 'nextToken', message: 'invalid pagination token' }]);
  });

  it('answers 400, not 500, when DynamoDB refuses a start key', async () => {
    h.mocks.dynamo
      ?.on(QueryCommand)
      .rejects(
        Object.assign(new Error('The provided starting key is invalid'), { name: 'ValidationException' }),
      );
    const token = Buffer.from(JSON.stringify(lastKey)).toString('base64url');

    expectError(await list({ nextToken: token }), 400, 'validation_failed');
  });
});
