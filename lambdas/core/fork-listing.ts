import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from './errors.js';
import type { ForkRecord, ForkStatus } from './fork.js';
import { queryAllRecords, stripIndex } from './store-items.js';
import { FORK_TABLE_INDEXES, type ForkTableIndex } from './table-schema.js';

/**
 * Fork records read by index, newest first: the API's GET /v1/forks and the reconciler's sweeps of
 * live and expired forks. Apart from the store (lambdas/core/store.ts), so that the functions that
 * never list — every step, the create route, the command consumer — do not carry it.
 */

export interface ListQuery {
  /** Also list unclaimed warm-pool members (lambdas/core/pool-records.ts), which are no one's forks. @default false */
  poolMembers?: boolean;
  source?: string;
  owner?: string;
  status?: ForkStatus;
  tag?: { key: string; value: string };
  limit: number;
  nextToken?: string;
}

export interface ListPage {
  items: ForkRecord[];
  nextToken?: string;
}

function encodeToken(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The indexes a list can read: any of them is a newest-first view of fork records. */
type ListIndex = Exclude<ForkTableIndex, 'byExpiry'>;

/**
 * A token must be a start key of this very query (same index, same partition): DynamoDB answers
 * anything else with a ValidationException, which would reach the caller as a 500.
 */
function decodeToken(token: string, index: ListIndex, partition: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const key = parsed as Record<string, unknown>;
      const [partitionKey] = FORK_TABLE_INDEXES[index];
      const expected = new Set<string>(['pk', 'sk', ...FORK_TABLE_INDEXES[index]]);
      const names = Object.keys(key);
      if (
        names.length === expected.size &&
        names.every((name) => expected.has(name) && typeof key[name] === 'string') &&
        key[partitionKey] === partition
      ) {
        return key;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('nextToken is not a token this API returned', {
    details: [{ path: 'nextToken', message: 'invalid pagination token' }],
  });
}

export class ForkListing {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Newest first. Uses the most selective index; other filters apply on the page. */
  async list(query: ListQuery): Promise<ListPage> {
    // The most selective filter picks the index; the others filter its pages.
    const [indexName, partition]: [ListIndex, string] = query.source
      ? ['bySource', query.source]
      : query.owner
        ? ['byOwner', query.owner]
        : query.status
          ? ['byStatus', query.status]
          : ['byKind', 'FORK'];
    const partitionKey = FORK_TABLE_INDEXES[indexName][0];
    const keyCondition = `#${partitionKey} = :${partitionKey}`;
    const names: Record<string, string> = { [`#${partitionKey}`]: partitionKey };
    const values: Record<string, unknown> = { [`:${partitionKey}`]: partition };
    const filters: string[] = [];
    for (const [attribute, value] of [
      ['owner', query.owner],
      ['status', query.status],
    ] as const) {
      if (value === undefined || attribute === partitionKey) continue;
      filters.push(`#${attribute} = :${attribute}`);
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
    }
    if (!query.poolMembers) {
      filters.push('attribute_not_exists(#pool)');
      names['#pool'] = 'pool';
    }
    if (query.tag) {
      filters.push('#tags.#tagKey = :tagValue');
      names['#tags'] = 'tags';
      names['#tagKey'] = query.tag.key;
      values[':tagValue'] = query.tag.value;
    }
    const items: ForkRecord[] = [];
    let startKey = query.nextToken ? decodeToken(query.nextToken, indexName, partition) : undefined;
    // A filtered page can come back short; keep reading until it is full or the index ends.
    do {
      const input: QueryCommandInput = {
        TableName: this.table,
        IndexName: indexName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit - items.length,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      };
      const page = await this.dynamo.send(new QueryCommand(input));
      for (const item of page.Items ?? []) items.push(stripIndex(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    return { items, ...(startKey ? { nextToken: encodeToken(startKey) } : {}) };
  }

  /** Live forks whose expiry is before `before` (the reconciler's safety net). */
  async listExpired(before: string): Promise<ForkRecord[]> {
    return queryAllRecords(this.dynamo, {
      TableName: this.table,
      IndexName: 'byExpiry',
      KeyConditionExpression: '#liveKey = :live AND #expiresAt < :before',
      ExpressionAttributeNames: { '#liveKey': 'liveKey', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':live': 'LIVE', ':before': before },
    });
  }
}
