import { type ForkRecord, MAX_REFRESH_LINEAGE, type RefreshLineageEntry } from './fork.js';
import { refusal } from './refresh-records.js';
import type { ForkStore } from './store.js';
import type { Ttl } from './ttl.js';

/**
 * A refresh's take-over on the fork record, apart from lambdas/core/refresh-records.ts so that only
 * the take-over step bundles it (every function holds the store and its refresh records).
 */
export interface TakeOver {
  databaseId: string;
  endpoint: { host: string; port: number };
  entry: RefreshLineageEntry;
  /** A new expiry (the refresh's TTL, counted from now). */
  expiry?: { expiresAt: string; ttl: Ttl };
  message: string;
}

/**
 * The switch's last write: the fork now names the new database (its id and endpoint), its lineage
 * lists the refresh, and the refresh moves on to deleting the database it replaced. Idempotent:
 * a retry after the write finds the refresh `retiring` and changes nothing.
 */
export async function takeOverRefresh(
  store: ForkStore,
  now: Date,
  id: string,
  attempt: number,
  takeOver: TakeOver,
): Promise<ForkRecord> {
  const current = await store.mustGet(id);
  if (current.refresh?.attempt === attempt && current.refresh.state === 'retiring') return current;
  const at = now.toISOString();
  const names: Record<string, string> = {
    '#refresh': 'refresh',
    '#attempt': 'attempt',
    '#state': 'state',
    '#step': 'step',
    '#fstatus': 'status',
    '#databaseId': 'databaseId',
    '#endpoint': 'endpoint',
    '#refreshes': 'refreshes',
    '#updatedAt': 'updatedAt',
    '#history': 'history',
  };
  const values: Record<string, unknown> = {
    ':attempt': attempt,
    ':switching': 'switching',
    ':retiring': 'retiring',
    ':step': 'deleting the old database',
    ':deleted': 'deleted',
    ':databaseId': takeOver.databaseId,
    ':endpoint': takeOver.endpoint,
    ':entry': [takeOver.entry],
    ':none': [],
    ':at': at,
    ':history': [{ at, step: current.step, status: current.status, message: takeOver.message }],
  };
  const sets = [
    '#databaseId = :databaseId',
    '#endpoint = :endpoint',
    '#refreshes = list_append(if_not_exists(#refreshes, :none), :entry)',
    '#refresh.#state = :retiring',
    '#refresh.#step = :step',
    '#updatedAt = :at',
    '#history = list_append(#history, :history)',
  ];
  if (takeOver.expiry) {
    Object.assign(names, {
      '#expiresAt': 'expiresAt',
      '#ttlHours': 'ttlHours',
      '#ttlMinutes': 'ttlMinutes',
    });
    Object.assign(values, {
      ':expiresAt': takeOver.expiry.expiresAt,
      ':ttlHours': takeOver.expiry.ttl.hours,
      ':ttlMinutes': takeOver.expiry.ttl.minutes,
    });
    sets.push('#expiresAt = :expiresAt', '#ttlHours = :ttlHours', '#ttlMinutes = :ttlMinutes');
  }
  await store.refreshes.write(
    id,
    {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression:
        'attribute_exists(pk) AND #fstatus <> :deleted AND #refresh.#attempt = :attempt AND #refresh.#state = :switching',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
    (fork) => refusal(fork, `switch the fork to ${takeOver.databaseId}`),
  );
  return trimLineage(store, await store.trimHistory(await store.mustGet(id)));
}

/** Keeps the latest {@link MAX_REFRESH_LINEAGE} refreshes of the lineage. */
async function trimLineage(store: ForkStore, record: ForkRecord): Promise<ForkRecord> {
  const all = record.refreshes ?? [];
  if (all.length <= MAX_REFRESH_LINEAGE) return record;
  const refreshes = all.slice(-MAX_REFRESH_LINEAGE);
  await store.refreshes.write(
    record.id,
    {
      UpdateExpression: 'SET #refreshes = :refreshes',
      ExpressionAttributeNames: { '#refreshes': 'refreshes' },
      ExpressionAttributeValues: { ':refreshes': refreshes },
    },
    (fork) => refusal(fork, 'trim the lineage'),
  );
  return { ...record, refreshes };
}
