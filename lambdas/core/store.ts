import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ForkNotFoundError, ForkStateConflictError, IdempotencyConflictError } from './errors.js';
import { ExpiryWarningRecords } from './expiry-warning-records.js';
import {
  type ForkErrorInfo,
  type ForkRecord,
  type ForkStatus,
  type ForkStep,
  type HistoryEntry,
  type HookStatus,
  isLive,
  STEPS,
} from './fork.js';
import {
  admission,
  hashBody,
  type Idempotency,
  idempotencyKey,
  nameKey,
  type QuotaLimits,
} from './fork-admission.js';
import { PoolRecords } from './pool-records.js';
import { RefreshRecords } from './refresh-records.js';
import { forkItem, forkKey, isConditionalFailure, QUOTA_SLOTS_ATTRIBUTE, stripIndex } from './store-items.js';
import { cancellationCodes, isRefusal, type TransactItems, transactWrite } from './store-transactions.js';
import type { Ttl } from './ttl.js';

/**
 * Fork records in one DynamoDB table. Items:
 * - `FORK#<id>` / `FORK`: the record, plus index attributes (sourceId, owner, status, createdKey,
 *   liveKey + expiresAt for live forks only, ttl once deleted).
 * - `NAME#<name>` / `NAME`: unique-name guard, held while the fork is live.
 * - `IDEMPOTENCY#<owner>#<key>` / `IDEMPOTENCY`: body hash → fork id, expiring after a day.
 * - `QUOTA#OWNER#<owner>` and `QUOTA#SOURCE#<sourceId>` / `QUOTA`: `live`, the number of forks holding
 *   a quota slot. A fork takes its two slots in the transaction that creates it (refused when
 *   `live` is at the limit) and gives them back in the transaction that moves it to `failed` or
 *   `deleted`, whichever comes first; the record remembers which slots it holds (`quotaSlots`), so
 *   a slot is given back exactly once and a `failed` fork that is then deleted (failed → deleting →
 *   deleted) does not take one again.
 */

const MAX_HISTORY = 100;

export { hashBody, type Idempotency, type QuotaLimits } from './fork-admission.js';

export interface TransitionRequest {
  step: ForkStep;
  message: string;
  /** Fields to set together with the step (endpoint, secretArn, resolved restore, ...). */
  patch?: Partial<
    Pick<ForkRecord, 'source' | 'restore' | 'endpoint' | 'secretArn' | 'readyAt' | 'error' | 'hook'>
  >;
  /** Also refuse when the fork is not in one of these statuses. */
  onlyFrom?: ForkStatus[];
  /** Also refuse unless the fork's post-restore hook is in one of these statuses (a hook starts once). */
  hookFrom?: HookStatus[];
}

export interface StoreOptions {
  tableName: string;
  auditRetentionDays: number;
  now?: () => Date;
}

export class ForkStore {
  private readonly now: () => Date;
  /** The refresh part of the records (lambdas/core/refresh-records.ts). */
  readonly refreshes: RefreshRecords;
  /** When each fork's `Fork Expiring` fires, and the one right to publish it. */
  readonly expiryWarnings: ExpiryWarningRecords;
  /** Warm-pool members: their records, claims and retirements. */
  readonly pools: PoolRecords;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly options: StoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.refreshes = new RefreshRecords(dynamo, options.tableName, this.now, this);
    this.expiryWarnings = new ExpiryWarningRecords(dynamo, options.tableName, this.now);
    this.pools = new PoolRecords(dynamo, options.tableName, this.now);
  }

  private get table(): string {
    return this.options.tableName;
  }

  /**
   * Creates the record, its name guard, (optionally) its idempotency item and (optionally) its
   * quota slots in one transaction. Returns the existing fork when the same idempotency key and
   * body were used before; refuses with QuotaExceededError (naming the quota) when a quota is full.
   */
  async create(
    record: ForkRecord,
    idempotency?: Idempotency,
    quotas?: QuotaLimits,
  ): Promise<{ record: ForkRecord; replayed: boolean }> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const admitted = admission(this.table, record, nowSeconds, idempotency, quotas);
    if (idempotency) {
      const replay = await this.findIdempotent(record.owner, idempotency.key, admitted.bodyHash as string);
      if (replay) return { record: replay, replayed: true };
    }
    const put = {
      Put: {
        TableName: this.table,
        Item: forkItem(record, admitted.slotKeys),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    try {
      await transactWrite(this.dynamo, [put, ...admitted.items]);
      return { record, replayed: false };
    } catch (error) {
      const refusal = admitted.refusal(cancellationCodes(error), 1, error);
      if (refusal?.kind === 'replay' && idempotency) {
        // Lost a race with the same key: answer as the winner did.
        const replay = await this.findIdempotent(record.owner, idempotency.key, admitted.bodyHash as string);
        if (replay) return { record: replay, replayed: true };
      }
      if (refusal?.kind === 'refused') throw refusal.error;
      throw error;
    }
  }

  /** The fork an earlier identical request made with this key, checked before anything else. */
  async findReplay(owner: string, key: string, body: unknown): Promise<ForkRecord | undefined> {
    return this.findIdempotent(owner, key, hashBody(body));
  }

  private async findIdempotent(
    owner: string,
    key: string,
    bodyHash: string,
  ): Promise<ForkRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: idempotencyKey(owner, key), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    if (Item.bodyHash !== bodyHash) {
      throw new IdempotencyConflictError(
        'this Idempotency-Key was already used with a different request body',
        {
          details: [{ path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' }],
        },
      );
    }
    return this.get(String(Item.forkId));
  }

  async get(id: string): Promise<ForkRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: forkKey(id), ConsistentRead: true }),
    );
    return Item ? stripIndex(Item) : undefined;
  }

  async mustGet(id: string): Promise<ForkRecord> {
    const record = await this.get(id);
    if (!record) throw new ForkNotFoundError(`no fork with id "${id}"`);
    return record;
  }

  /** Finds a live fork by its name through the name guard. */
  async findLiveByName(name: string): Promise<ForkRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: nameKey(name), ConsistentRead: true }),
    );
    return Item ? this.get(String(Item.forkId)) : undefined;
  }

  /**
   * Moves a fork to `step` (and its status) with a conditional write: only forward (or the same
   * step again, for retried steps), never out of `deleted`. Leaving the live statuses releases the
   * name guard in the same transaction; `deleted` starts the audit retention clock.
   */
  async transition(id: string, request: TransitionRequest): Promise<ForkRecord> {
    const target = STEPS[request.step];
    const at = this.now().toISOString();
    const entry: HistoryEntry = { at, step: request.step, status: target.status, message: request.message };
    const names: Record<string, string> = {
      '#status': 'status',
      '#step': 'step',
      '#order': 'order',
      '#progress': 'progress',
      '#updatedAt': 'updatedAt',
      '#history': 'history',
    };
    const values: Record<string, unknown> = {
      ':status': target.status,
      ':step': request.step,
      ':order': target.order,
      ':progress': target.progress,
      ':at': at,
      ':entry': [entry],
      ':deleted': 'deleted',
    };
    const sets = [
      '#status = :status',
      '#step = :step',
      '#order = :order',
      '#progress = :progress',
      '#updatedAt = :at',
      '#history = list_append(#history, :entry)',
    ];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(request.patch ?? {})) {
      if (value === undefined) continue;
      names[`#p_${field}`] = field;
      values[`:p_${field}`] = value;
      sets.push(`#p_${field} = :p_${field}`);
    }
    if (!isLive(target.status)) {
      names['#liveKey'] = 'liveKey';
      removes.push('#liveKey');
    }
    if (target.status === 'deleted') {
      names['#ttl'] = 'ttl';
      names['#deletedAt'] = 'deletedAt';
      values[':ttl'] = Math.floor(this.now().getTime() / 1000) + this.options.auditRetentionDays * 86400;
      sets.push('#ttl = :ttl', '#deletedAt = if_not_exists(#deletedAt, :at)');
    }
    let condition = 'attribute_exists(pk) AND #order <= :order AND #status <> :deleted';
    if (request.onlyFrom) {
      const placeholders = request.onlyFrom.map((status, i) => {
        values[`:from${i}`] = status;
        return `:from${i}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    if (request.hookFrom) {
      names['#hookNow'] = 'hook';
      names['#hookStatus'] = 'status';
      const placeholders = request.hookFrom.map((status, i) => {
        values[`:hookFrom${i}`] = status;
        return `:hookFrom${i}`;
      });
      condition += ` AND #hookNow.#hookStatus IN (${placeholders.join(', ')})`;
    }
    const update = {
      TableName: this.table,
      Key: forkKey(id),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      if (isLive(target.status)) {
        await this.dynamo.send(new UpdateCommand(update));
      } else {
        await this.leaveLive(id, update);
      }
    } catch (error) {
      if (isRefusal(error)) {
        const current = await this.get(id);
        if (!current) throw new ForkNotFoundError(`no fork with id "${id}"`, { cause: error });
        throw new ForkStateConflictError(
          `fork ${id} is ${current.status} (${current.step}); it cannot move to ${request.step}`,
          {
            cause: error,
            details: [{ message: 'state transition refused', status: current.status, step: current.step }],
          },
        );
      }
      throw error;
    }
    return this.trimHistory(await this.mustGet(id));
  }

  /**
   * The move out of the live statuses (to failed or deleted), in one transaction with what it
   * gives back: the name guard while it is this fork's, and the quota slots while the fork holds
   * them (the record's `quotaSlots` is removed under the condition that it is still there, so two
   * racing moves give a slot back once; the loser re-reads and moves without it).
   */
  private async leaveLive(id: string, update: UpdateCommandInput): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { Item: current } = await this.dynamo.send(
        new GetCommand({ TableName: this.table, Key: forkKey(id), ConsistentRead: true }),
      );
      if (!current) throw new ForkNotFoundError(`no fork with id "${id}"`);
      // A failed fork released its name already, and a newer fork may hold it now: only release
      // the guard while it is this fork's (deleting the other fork's guard would fail the move).
      const { Item: guard } = await this.dynamo.send(
        new GetCommand({ TableName: this.table, Key: nameKey(String(current.name)), ConsistentRead: true }),
      );
      const slots = Array.isArray(current[QUOTA_SLOTS_ATTRIBUTE])
        ? (current[QUOTA_SLOTS_ATTRIBUTE] as unknown[]).map(String)
        : [];
      const forkUpdate: UpdateCommandInput = slots.length
        ? {
            ...update,
            UpdateExpression: `${update.UpdateExpression} ${update.UpdateExpression?.includes(' REMOVE ') ? ',' : 'REMOVE'} #quotaSlots`,
            ConditionExpression: `${update.ConditionExpression} AND attribute_exists(#quotaSlots)`,
            ExpressionAttributeNames: {
              ...update.ExpressionAttributeNames,
              '#quotaSlots': QUOTA_SLOTS_ATTRIBUTE,
            },
          }
        : update;
      const items: TransactItems = [{ Update: forkUpdate as TransactItems[number]['Update'] }];
      if (guard?.forkId === id) {
        items.push({
          Delete: {
            TableName: this.table,
            Key: nameKey(String(current.name)),
            ConditionExpression: 'attribute_not_exists(pk) OR forkId = :id',
            ExpressionAttributeValues: { ':id': id },
          },
        });
      }
      for (const pk of slots) {
        items.push({
          Update: {
            TableName: this.table,
            Key: { pk, sk: 'QUOTA' },
            UpdateExpression: 'ADD #live :minusOne',
            ExpressionAttributeNames: { '#live': 'live' },
            ExpressionAttributeValues: { ':minusOne': -1 },
          },
        });
      }
      try {
        if (items.length === 1) await this.dynamo.send(new UpdateCommand(forkUpdate));
        else await transactWrite(this.dynamo, items);
        return;
      } catch (error) {
        const refused = isRefusal(error);
        if (!refused || slots.length === 0 || attempt >= 3) throw error;
        // Refused: maybe only because a concurrent move gave the slots back first. Re-read and retry.
      }
    }
  }

  /** Keeps the record bounded: a fork retried many times must not outgrow the 400 KB item limit. */
  async trimHistory(record: ForkRecord): Promise<ForkRecord> {
    if (record.history.length <= MAX_HISTORY) return record;
    const history = record.history.slice(-MAX_HISTORY);
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: forkKey(record.id),
        UpdateExpression: 'SET #history = :history',
        ExpressionAttributeNames: { '#history': 'history' },
        ExpressionAttributeValues: { ':history': history },
      }),
    );
    return { ...record, history };
  }

  /** Records a failure cause without moving the fork. */
  async recordError(id: string, error: ForkErrorInfo): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: forkKey(id),
        UpdateExpression: 'SET #error = :error, #updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#error': 'error', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':error': error, ':at': this.now().toISOString() },
      }),
    );
  }

  /**
   * Changes the expiry of a live fork (creating or ready). `ttl` is the TTL asked for: whole hours,
   * or both units (see lambdas/core/ttl.ts); the record keeps `ttlHours` and `ttlMinutes`. The old
   * expiry's warning goes with it: the caller schedules the new one (lambdas/core/expiry-arming.ts).
   */
  async setExpiry(id: string, expiresAt: string, ttl: number | Ttl, message: string): Promise<ForkRecord> {
    const { hours: ttlHours, minutes: ttlMinutes } =
      typeof ttl === 'number' ? { hours: ttl, minutes: ttl * 60 } : ttl;
    const at = this.now().toISOString();
    const current = await this.mustGet(id);
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(id),
          UpdateExpression:
            'SET #expiresAt = :expiresAt, #ttlHours = :ttlHours, #ttlMinutes = :ttlMinutes, #updatedAt = :at, #history = list_append(#history, :entry) REMOVE #warningAt, #warningSentAt',
          // A fork being cleaned up is on its way to failed: its expiry no longer matters.
          ConditionExpression: '#status IN (:creating, :ready) AND #step <> :cleaningUp',
          ExpressionAttributeNames: {
            '#expiresAt': 'expiresAt',
            '#ttlHours': 'ttlHours',
            '#ttlMinutes': 'ttlMinutes',
            '#updatedAt': 'updatedAt',
            '#history': 'history',
            '#status': 'status',
            '#step': 'step',
            // The warning belonged to the old expiry; the new one's is recorded once it is scheduled.
            '#warningAt': 'expiryWarningAt',
            '#warningSentAt': 'expiryWarningSentAt',
          },
          ExpressionAttributeValues: {
            ':expiresAt': expiresAt,
            ':ttlHours': ttlHours,
            ':ttlMinutes': ttlMinutes,
            ':at': at,
            ':entry': [{ at, step: current.step, status: current.status, message }],
            ':creating': 'creating',
            ':ready': 'ready',
            ':cleaningUp': 'cleaning-up',
          },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) {
        const latest = await this.mustGet(id);
        throw new ForkStateConflictError(
          `fork ${id} is ${latest.status}; only a live fork's expiry can change`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    return this.mustGet(id);
  }
}
