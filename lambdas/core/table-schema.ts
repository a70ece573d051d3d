/**
 * The fork table's shape, in one place: the CDK construct, the offline table and the store all
 * read it, so the three cannot drift apart.
 */

/** Attribute DynamoDB expires items by: idempotency items after a day, deleted forks after the audit period. */
export const FORK_TABLE_TTL_ATTRIBUTE = 'ttl';

/**
 * Global secondary indexes: name → [partition key, sort key], all projecting ALL. The store lists
 * by source/owner/status, by item kind (`byKind`: the table's sort key as partition, so every fork
 * record and nothing else) and scans live forks by expiry.
 */
export const FORK_TABLE_INDEXES = {
  bySource: ['sourceId', 'createdKey'],
  byOwner: ['owner', 'createdKey'],
  byStatus: ['status', 'createdKey'],
  byExpiry: ['liveKey', 'expiresAt'],
  byKind: ['sk', 'createdKey'],
} as const satisfies Record<string, readonly [string, string]>;

export type ForkTableIndex = keyof typeof FORK_TABLE_INDEXES;
