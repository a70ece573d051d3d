import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ForkNotFoundError, ForkStateConflictError } from './errors.js';
import type { ForkHook, ForkRecord, ForkRefresh, HookStatus, RefreshState, ResolvedRestore } from './fork.js';
import { forkKey, isConditionalFailure } from './store-items.js';
import type { Ttl } from './ttl.js';

/**
 * The refresh part of a fork record (`refresh`, `databaseId`, `refreshes`), every change a
 * conditional write on the refresh's number and state, so a refresh never moves backwards, two
 * refreshes never run at once, and a late step of an old refresh changes nothing. The fork itself
 * stays `ready` throughout: its status and step belong to its create and delete workflows.
 */

export interface RefreshClaim {
  attempt: number;
  databaseId: string;
  previousDatabaseId: string;
  requestedBy: string;
  restore: ForkRefresh['restore'];
  ttl?: Ttl;
  /** The post-restore hook the refresh runs on its new database (lambdas/core/hook-config.ts). */
  hook?: string;
  /** The request's Idempotency-Key. */
  requestKey?: string;
}

export interface RefreshAdvance {
  /** The states the refresh may be in for this change. */
  from: readonly RefreshState[];
  to?: RefreshState;
  step?: string;
  resolved?: ResolvedRestore;
  endpoint?: { host: string; port: number };
  error?: { code: string; message: string };
  /** The refresh's post-restore hook run, as it is now. */
  hook?: ForkHook;
  /** Also refuse unless the refresh's hook is in one of these states (started at most once). */
  hookFrom?: readonly HookStatus[];
  finished?: boolean;
  /** Also refuse unless the fork is `ready` (every step before the switch). */
  onlyWhileReady?: boolean;
  /** A line for the fork's history. */
  message?: string;
}

interface Store {
  mustGet(id: string): Promise<ForkRecord>;
  trimHistory(record: ForkRecord): Promise<ForkRecord>;
}

export class RefreshRecords {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date,
    private readonly store: Store,
  ) {}

  /**
   * Starts refresh number `attempt` of a ready fork: refused (ForkStateConflictError) unless the
   * fork is `ready` and its previous refresh (number `attempt - 1`) has ended.
   */
  async claim(id: string, claim: RefreshClaim, message: string): Promise<ForkRecord> {
    const at = this.now().toISOString();
    const refresh: ForkRefresh = {
      state: 'running',
      attempt: claim.attempt,
      step: 'starting',
      startedAt: at,
      requestedBy: claim.requestedBy,
      restore: claim.restore,
      ...(claim.ttl ? { ttl: claim.ttl } : {}),
      ...(claim.hook ? { hook: { name: claim.hook, status: 'pending' } } : {}),
      ...(claim.requestKey ? { requestKey: claim.requestKey } : {}),
      databaseId: claim.databaseId,
      previousDatabaseId: claim.previousDatabaseId,
    };
    const previous =
      claim.attempt === 1
        ? 'attribute_not_exists(#refresh)'
        : '(#refresh.#attempt = :previous AND #refresh.#state IN (:succeeded, :failed))';
    await this.write(
      id,
      {
        UpdateExpression:
          'SET #refresh = :refresh, #updatedAt = :at, #history = list_append(#history, :entry)',
        ConditionExpression: `attribute_exists(pk) AND #status = :ready AND #step = :ready AND ${previous}`,
        ExpressionAttributeNames: {
          '#refresh': 'refresh',
          '#updatedAt': 'updatedAt',
          '#history': 'history',
          '#status': 'status',
          '#step': 'step',
          ...(claim.attempt === 1 ? {} : { '#attempt': 'attempt', '#state': 'state' }),
        },
        ExpressionAttributeValues: {
          ':refresh': refresh,
          ':at': at,
          ':entry': [{ at, step: 'ready', status: 'ready', message }],
          ':ready': 'ready',
          ...(claim.attempt === 1
            ? {}
            : { ':previous': claim.attempt - 1, ':succeeded': 'succeeded', ':failed': 'failed' }),
        },
      },
      (fork) => refusal(fork, 'start a refresh'),
    );
    return this.store.trimHistory(await this.store.mustGet(id));
  }

  /** Moves refresh `attempt` on (its state, step, what it resolved or met), only from `change.from`. */
  async advance(id: string, attempt: number, change: RefreshAdvance): Promise<ForkRecord> {
    const at = this.now().toISOString();
    const names: Record<string, string> = {
      '#refresh': 'refresh',
      '#attempt': 'attempt',
      '#state': 'state',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = { ':attempt': attempt, ':at': at };
    const sets = ['#updatedAt = :at'];
    const set = (path: string[], value: unknown) => {
      for (const part of path) names[`#${part}`] = part;
      const placeholder = `:${path.join('_')}`;
      values[placeholder] = value;
      sets.push(`#refresh.${path.map((p) => `#${p}`).join('.')} = ${placeholder}`);
    };
    if (change.to) set(['state'], change.to);
    if (change.step) set(['step'], change.step);
    if (change.resolved) set(['restore', 'resolved'], change.resolved);
    if (change.endpoint) set(['endpoint'], change.endpoint);
    if (change.error) set(['error'], change.error);
    if (change.hook) set(['hook'], change.hook);
    if (change.finished) set(['finishedAt'], at);
    const current = change.message ? await this.store.mustGet(id) : undefined;
    if (change.message && current) {
      names['#history'] = 'history';
      values[':entry'] = [{ at, step: current.step, status: current.status, message: change.message }];
      sets.push('#history = list_append(#history, :entry)');
    }
    const from = change.from.map((state, i) => {
      values[`:from${i}`] = state;
      return `:from${i}`;
    });
    let condition = `#refresh.#attempt = :attempt AND #refresh.#state IN (${from.join(', ')})`;
    if (change.hookFrom) {
      names['#hook'] = 'hook';
      names['#hookStatus'] = 'status';
      const states = change.hookFrom.map((state, i) => {
        values[`:hookFrom${i}`] = state;
        return `:hookFrom${i}`;
      });
      condition += ` AND #refresh.#hook.#hookStatus IN (${states.join(', ')})`;
    }
    if (change.onlyWhileReady) {
      names['#status'] = 'status';
      values[':ready'] = 'ready';
      condition += ' AND #status = :ready';
    }
    await this.write(
      id,
      {
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND ${condition}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (fork) => refusal(fork, `move refresh ${attempt} to ${change.to ?? change.step ?? 'its next step'}`),
    );
    return this.store.trimHistory(await this.store.mustGet(id));
  }

  /**
   * Sets (or, with `null`, removes) the fork's recurring refresh schedule on a live fork (creating,
   * or ready), not one being cleaned up.
   */
  async setSchedule(id: string, cron: string | null, message: string): Promise<ForkRecord> {
    const current = await this.store.mustGet(id);
    const at = this.now().toISOString();
    const change = cron === null ? ' REMOVE #schedule' : ', #schedule = :cron';
    await this.write(
      id,
      {
        UpdateExpression: `SET #updatedAt = :at, #history = list_append(#history, :entry)${change}`,
        ConditionExpression:
          'attribute_exists(pk) AND #status IN (:creating, :ready) AND #step <> :cleaningUp',
        ExpressionAttributeNames: {
          '#updatedAt': 'updatedAt',
          '#history': 'history',
          '#schedule': 'refreshSchedule',
          '#status': 'status',
          '#step': 'step',
        },
        ExpressionAttributeValues: {
          ':at': at,
          ':entry': [{ at, step: current.step, status: current.status, message }],
          ':creating': 'creating',
          ':ready': 'ready',
          ':cleaningUp': 'cleaning-up',
          ...(cron === null ? {} : { ':cron': cron }),
        },
      },
      (fork) =>
        new ForkStateConflictError(
          `fork ${fork.id} is ${fork.status} (${fork.step}); only a live fork's refresh schedule can change`,
          { details: [{ message: 'fork not live', status: fork.status, step: fork.step }] },
        ),
    );
    return this.store.trimHistory(await this.store.mustGet(id));
  }

  /**
   * One write on the fork record (lambdas/core/refresh-takeover.ts makes the take-over's through
   * here): a failed condition is a ForkStateConflictError saying why, from the fork as it is now.
   */
  async write(
    id: string,
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
    refused: (fork: ForkRecord) => ForkStateConflictError,
  ): Promise<void> {
    try {
      await this.dynamo.send(new UpdateCommand({ TableName: this.tableName, Key: forkKey(id), ...update }));
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const fork = await this.store.mustGet(id).catch((cause: unknown) => {
        throw cause instanceof ForkNotFoundError ? cause : error;
      });
      const conflict = refused(fork);
      throw new ForkStateConflictError(conflict.message, { cause: error, details: conflict.details });
    }
  }
}

/** Why a refresh change was refused, from the fork as it is now. */
export function refusal(fork: ForkRecord, action: string): ForkStateConflictError {
  const refresh = fork.refresh;
  const why =
    fork.status !== 'ready'
      ? `the fork is ${fork.status} (${fork.step}); only a ready fork is refreshed`
      : refresh && refresh.state !== 'succeeded' && refresh.state !== 'failed'
        ? `refresh ${refresh.attempt} is ${refresh.state} (${refresh.step}); wait for it to end`
        : `refresh ${refresh?.attempt ?? 0} is ${refresh?.state ?? 'absent'}`;
  return new ForkStateConflictError(`cannot ${action} of fork ${fork.id}: ${why}`, {
    details: [
      {
        message: 'refresh refused',
        status: fork.status,
        step: fork.step,
        ...(refresh ? { refresh: { attempt: refresh.attempt, state: refresh.state } } : {}),
      },
    ],
  });
}
