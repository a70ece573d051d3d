import { createHash } from 'node:crypto';
import { NameTakenError, QuotaExceededError } from './errors.js';
import type { ForkRecord } from './fork.js';
import type { TransactItems } from './store-transactions.js';

/**
 * What a fork takes when it comes into being, in the same transaction as its record (a create's
 * Put, or the claim of a warm-pool member): its name guard, the idempotency item of the request
 * and its two live-fork quota slots. Also how a refused transaction reads: a replay, a taken
 * name, a full quota.
 */

export const nameKey = (name: string) => ({ pk: `NAME#${name}`, sk: 'NAME' });
export const idempotencyKey = (owner: string, key: string) => ({
  pk: `IDEMPOTENCY#${owner}#${key}`,
  sk: 'IDEMPOTENCY',
});

/** A key stays far below DynamoDB's 2048-byte partition key limit, whatever the principal's length. */
function keyPart(value: string): string {
  return value.length <= 512 ? value : `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

const quotaKey = (kind: 'OWNER' | 'SOURCE', subject: string) => ({
  pk: `QUOTA#${kind}#${keyPart(subject)}`,
  sk: 'QUOTA',
});

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Live-fork quotas checked atomically with the create (lambdas/core/config.ts `quotas`). */
export interface QuotaLimits {
  maxLiveForksPerOwner: number;
  maxLiveForksPerSource: number;
}

export interface Idempotency {
  key: string;
  body: unknown;
}

type QuotaName = keyof QuotaLimits;

function quotaExceeded(name: QuotaName, limit: number, subject: string, cause: unknown): QuotaExceededError {
  const whose = name === 'maxLiveForksPerOwner' ? `${subject} already owns` : `source ${subject} already has`;
  return new QuotaExceededError(
    `quota ${name} exceeded: ${whose} ${limit} live fork${limit === 1 ? '' : 's'}, the limit; delete one (or let it expire) and retry`,
    {
      cause,
      details: [
        {
          path: `quotas.${name}`,
          message: 'quota exceeded',
          quota: name,
          limit,
          ...(name === 'maxLiveForksPerOwner' ? { owner: subject } : { sourceId: subject }),
        },
      ],
    },
  );
}

export function hashBody(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How a cancelled admission reads, item by item. */
export type AdmissionRefusal =
  /** The same request won the race: answer as it did. */
  { kind: 'replay' } | { kind: 'refused'; error: Error };

export interface Admission {
  /** The transaction items, to follow the record's own item. */
  items: TransactItems;
  /** The keys of the quota counters the fork holds (the record's `quotaSlots`). */
  slotKeys: string[];
  bodyHash?: string;
  /**
   * What refused it, given the cancellation codes of the whole transaction and the position of
   * the first admission item in it; undefined when none of them did.
   */
  refusal(
    codes: readonly (string | undefined)[],
    offset: number,
    cause: unknown,
  ): AdmissionRefusal | undefined;
}

export function admission(
  table: string,
  record: Pick<ForkRecord, 'id' | 'name' | 'owner' | 'source' | 'sourceRef'>,
  nowSeconds: number,
  idempotency?: Idempotency,
  quotas?: QuotaLimits,
): Admission {
  const bodyHash = idempotency ? hashBody(idempotency.body) : undefined;
  const sourceId = record.source?.id ?? record.sourceRef;
  const slots: { name: QuotaName; limit: number; subject: string; key: { pk: string; sk: string } }[] = quotas
    ? [
        {
          name: 'maxLiveForksPerOwner',
          limit: quotas.maxLiveForksPerOwner,
          subject: record.owner,
          key: quotaKey('OWNER', record.owner),
        },
        {
          name: 'maxLiveForksPerSource',
          limit: quotas.maxLiveForksPerSource,
          subject: sourceId,
          key: quotaKey('SOURCE', sourceId),
        },
      ]
    : [];
  const items: TransactItems = [
    {
      Put: {
        TableName: table,
        Item: { ...nameKey(record.name), forkId: record.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(idempotency
      ? [
          {
            Put: {
              TableName: table,
              Item: {
                ...idempotencyKey(record.owner, idempotency.key),
                forkId: record.id,
                bodyHash,
                ttl: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : []),
    ...slots.map((slot) => ({
      Update: {
        TableName: table,
        Key: slot.key,
        UpdateExpression: 'ADD #live :one',
        ConditionExpression: 'attribute_not_exists(#live) OR #live < :max',
        ExpressionAttributeNames: { '#live': 'live' },
        ExpressionAttributeValues: { ':one': 1, ':max': slot.limit },
      },
    })),
  ];
  return {
    items,
    slotKeys: slots.map((slot) => slot.key.pk),
    ...(bodyHash ? { bodyHash } : {}),
    refusal(codes, offset, cause) {
      const refused = (i: number) => codes[offset + i] === 'ConditionalCheckFailed';
      // Checked before the name: a racing retry of the same request also collides on the name its
      // twin just took, and must get the twin's answer, not name_taken.
      if (idempotency && refused(1)) return { kind: 'replay' };
      if (refused(0)) {
        return {
          kind: 'refused',
          error: new NameTakenError(`a live fork named "${record.name}" already exists; pick another name`, {
            cause,
            details: [{ path: 'name', message: 'name already in use by a live fork' }],
          }),
        };
      }
      const firstSlot = idempotency ? 2 : 1;
      const full = slots.find((_, i) => refused(firstSlot + i));
      if (full) return { kind: 'refused', error: quotaExceeded(full.name, full.limit, full.subject, cause) };
      return undefined;
    },
  };
}
