import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type ForkRecord, isLive } from './fork.js';
import { FORK_TABLE_TTL_ATTRIBUTE } from './table-schema.js';

/** The fork record's item in the fork table (lambdas/core/store.ts describes every item). */
export const forkKey = (id: string) => ({ pk: `FORK#${id}`, sk: 'FORK' });

/** The quota slots a fork holds: the keys of its counter items (internal, never returned). */
export const QUOTA_SLOTS_ATTRIBUTE = 'quotaSlots';

/** Attributes of a fork item that are bookkeeping of the table, not part of the record. */
const INDEX_ATTRIBUTES = [
  'pk',
  'sk',
  'sourceId',
  'createdKey',
  'liveKey',
  FORK_TABLE_TTL_ATTRIBUTE,
  QUOTA_SLOTS_ATTRIBUTE,
] as const;

/** The record a fork item holds. */
export function stripIndex(item: Record<string, unknown>): ForkRecord {
  const copy = { ...item };
  for (const attribute of INDEX_ATTRIBUTES) delete copy[attribute];
  return copy as unknown as ForkRecord;
}

export function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The index attributes of a fork item (lambdas/core/table-schema.ts): by source, by creation, live. */
export function indexAttributes(record: ForkRecord): Record<string, unknown> {
  return {
    sourceId: record.source?.id ?? record.sourceRef,
    createdKey: `${record.createdAt}#${record.id}`,
    ...(isLive(record.status) ? { liveKey: 'LIVE' } : {}),
  };
}

/** A fork record's whole item: its key, the record, its index attributes and the quota slots it holds. */
export function forkItem(record: ForkRecord, slotKeys: readonly string[] = []): Record<string, unknown> {
  return {
    ...forkKey(record.id),
    ...record,
    ...indexAttributes(record),
    ...(slotKeys.length ? { [QUOTA_SLOTS_ATTRIBUTE]: [...slotKeys] } : {}),
  };
}

/** Every fork record a query finds, reading page after page to the end. */
export async function queryAllRecords(
  dynamo: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<ForkRecord[]> {
  const out: ForkRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? []) out.push(stripIndex(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
