import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ForkStateConflictError } from './errors.js';
import { type ForkRecord, type HistoryEntry, POOL_OWNER, STEPS } from './fork.js';
import { admission, type Idempotency, type QuotaLimits } from './fork-admission.js';
import { forkItem, forkKey, isConditionalFailure, queryAllRecords, stripIndex } from './store-items.js';
import { cancellationCodes, transactWrite } from './store-transactions.js';
import { FORK_TABLE_INDEXES } from './table-schema.js';

/**
 * Warm-pool members in the fork table. A member is a fork record (`FORK#<id>`, an id like any
 * fork's, so its database is named, tagged, evented and torn down like a fork's) that carries
 * `pool` and belongs to {@link POOL_OWNER}: no name guard, no quota slot, no secret, no DNS name,
 * and no fork listing shows it. Its create workflow parks at `pooled` on a task token:
 *
 * - a **claim** turns the member into the caller's fork in one transaction — the record rewritten
 *   (owner, name, TTL, tags…; `pool` gone, `restore.pool` saying where it came from) under the
 *   condition that it is still parked on the very token read, with the fork's name guard,
 *   idempotency item and quota slots — then completes the token so the workflow goes on;
 * - a **retire** (the pool keeper: too old, drained) moves it from `pooled` to `cleaning-up` under
 *   the same condition, then fails the token so the workflow tears it down.
 *
 * A member is therefore claimed at most once, and never both claimed and retired: whichever
 * conditional write comes first wins, the other finds the token gone.
 */
export class PoolRecords {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date,
  ) {}

  /** Writes a new member's record (the pool keeper, before it starts the member's workflow). */
  async add(record: ForkRecord): Promise<void> {
    if (!record.pool || record.owner !== POOL_OWNER)
      throw new Error('a pool member needs `pool` and the pool owner');
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: forkItem(record),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Every member not yet claimed nor gone: warming, parked (`pooled`) or being torn down, oldest
   * first. Read from the status index (eventually consistent: a claim or retire re-checks).
   */
  async members(): Promise<ForkRecord[]> {
    const [partitionKey] = FORK_TABLE_INDEXES.byStatus;
    return queryAllRecords(this.dynamo, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: '#partition = :creating',
      FilterExpression: 'attribute_exists(#pool)',
      ExpressionAttributeNames: { '#partition': partitionKey, '#pool': 'pool' },
      ExpressionAttributeValues: { ':creating': 'creating' },
    });
  }

  /**
   * Members that ended `failed` (their warming failed, or they were retired) and were created since
   * `createdSince`, newest first: the keeper stops warming a pool whose members keep failing.
   */
  async failed(createdSince: string): Promise<ForkRecord[]> {
    const [partitionKey, sortKey] = FORK_TABLE_INDEXES.byStatus;
    return queryAllRecords(this.dynamo, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: '#partition = :failed AND #sort >= :since',
      FilterExpression: 'attribute_exists(#pool)',
      ExpressionAttributeNames: { '#partition': partitionKey, '#sort': sortKey, '#pool': 'pool' },
      ExpressionAttributeValues: { ':failed': 'failed', ':since': createdSince },
      ScanIndexForward: false,
    });
  }

  /** Parks a member whose database is ready: claimable with `token` from now on. */
  async park(id: string, token: string): Promise<ForkRecord> {
    const at = this.now().toISOString();
    const target = STEPS.pooled;
    const entry: HistoryEntry = { at, step: 'pooled', status: target.status, message: 'ready in its pool' };
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(id),
          UpdateExpression:
            'SET #step = :step, #order = :order, #progress = :progress, #updatedAt = :at, #pool.#readyAt = if_not_exists(#pool.#readyAt, :at), #pool.#token = :token, #history = list_append(#history, :entry)',
          // A retried park replaces the token; a member already claimed or being torn down is not parked again.
          ConditionExpression:
            'attribute_exists(#pool) AND #status = :creating AND #step IN (:scrambling, :step)',
          ExpressionAttributeNames: {
            '#step': 'step',
            '#order': 'order',
            '#progress': 'progress',
            '#updatedAt': 'updatedAt',
            '#pool': 'pool',
            '#readyAt': 'readyAt',
            '#token': 'claimToken',
            '#history': 'history',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':step': 'pooled',
            ':order': target.order,
            ':progress': target.progress,
            ':at': at,
            ':token': token,
            ':entry': [entry],
            ':creating': 'creating',
            ':scrambling': 'scrambling-credentials',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stripIndex(Attributes ?? {});
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      throw new ForkStateConflictError(
        `pool member ${id} can no longer be parked (claimed, or being removed)`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Turns the parked `member` into `fork` (built by the caller for the member's id) with the
   * fork's name guard, idempotency item and quota slots, in one transaction.
   * @returns the fork, `replayed` when the same request won a race already; undefined when the
   *   member was claimed or retired meanwhile (try another).
   * @throws NameTakenError / QuotaExceededError as a create would.
   */
  async claim(
    member: ForkRecord,
    fork: ForkRecord,
    idempotency?: Idempotency,
    quotas?: QuotaLimits,
  ): Promise<{ record: ForkRecord; replayed: boolean } | undefined> {
    const token = member.pool?.claimToken;
    if (!token || fork.id !== member.id || fork.pool)
      throw new Error('a claim rewrites a parked member as a fork');
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const admitted = admission(this.table, fork, nowSeconds, idempotency, quotas);
    const put = {
      Put: {
        TableName: this.table,
        Item: forkItem(fork, admitted.slotKeys),
        ConditionExpression: '#step = :pooled AND #pool.#token = :token',
        ExpressionAttributeNames: { '#step': 'step', '#pool': 'pool', '#token': 'claimToken' },
        ExpressionAttributeValues: { ':pooled': 'pooled', ':token': token },
      },
    };
    try {
      await transactWrite(this.dynamo, [put, ...admitted.items]);
      return { record: fork, replayed: false };
    } catch (error) {
      const codes = cancellationCodes(error);
      const refusal = admitted.refusal(codes, 1, error);
      if (refusal?.kind === 'replay') return { record: fork, replayed: true };
      if (refusal?.kind === 'refused') throw refusal.error;
      if (codes[0] === 'ConditionalCheckFailed') return undefined;
      throw error;
    }
  }

  /**
   * Takes a parked member out of its pool to tear it down (`why`: too old, drained…).
   * @returns its claim token to fail, or undefined when a claim (or another retire) came first.
   */
  async retire(member: ForkRecord, why: string): Promise<string | undefined> {
    const token = member.pool?.claimToken;
    if (!token) return undefined;
    const at = this.now().toISOString();
    const target = STEPS['cleaning-up'];
    const entry: HistoryEntry = { at, step: 'cleaning-up', status: target.status, message: why };
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(member.id),
          UpdateExpression:
            'SET #step = :step, #order = :order, #progress = :progress, #updatedAt = :at, #history = list_append(#history, :entry)',
          ConditionExpression: '#step = :pooled AND #pool.#token = :token',
          ExpressionAttributeNames: {
            '#step': 'step',
            '#order': 'order',
            '#progress': 'progress',
            '#updatedAt': 'updatedAt',
            '#history': 'history',
            '#pool': 'pool',
            '#token': 'claimToken',
          },
          ExpressionAttributeValues: {
            ':step': 'cleaning-up',
            ':order': target.order,
            ':progress': target.progress,
            ':at': at,
            ':entry': [entry],
            ':pooled': 'pooled',
            ':token': token,
          },
        }),
      );
      return token;
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
  }
}
