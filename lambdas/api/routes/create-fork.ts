import type { ForkPolicy } from '../../core/config.js';
import { forkDnsName } from '../../core/dns.js';
import type { SourceDatabase } from '../../core/engines/engine.js';
import { NameTakenError, ValidationError } from '../../core/errors.js';
import {
  type CreateForkBody,
  createForkBodySchema,
  type ForkRecord,
  STEPS,
  toPublicFork,
} from '../../core/fork.js';
import { hookFor } from '../../core/hook-config.js';
import { FORK_ID_PATTERN, newForkId } from '../../core/ids.js';
import { assertOverridesFit } from '../../core/override-rules.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { assertForkable } from '../../core/source-policy.js';
import { expiryAfterMinutes, requestedTtl, type Ttl } from '../../core/ttl.js';
import { ServiceUnavailableError } from '../errors.js';
import { idempotencyKeyOf } from '../idempotency.js';
import { type ApiRequest, parseBody } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { claimMember, poolFor } from './pool-claim.js';
import { assertRestoreSupported, assertRestoreTarget } from './restore-checks.js';
import { failUnstarted } from './shared.js';

/** POST /v1/forks: everything a caller can get wrong is refused here, before anything is written. */

type CreateRuntime = RuntimeWith<'store' | 'engines' | 'orderable' | 'workflows' | 'tasks'>;

export interface CreateForkInput {
  owner: string;
  body: CreateForkBody;
  idempotencyKey?: string;
}

/** Quota: with an allow-list configured, the class the fork would run on (requested, default or the source's) must be on it. */
function assertInstanceClassAllowed(
  policy: ForkPolicy,
  requested: string | undefined,
  source?: SourceDatabase,
) {
  const allowed = policy.quotas.allowedInstanceClasses;
  if (allowed.length === 0) return;
  const effective = requested ?? policy.defaultOverrides.instanceClass ?? source?.instanceClass;
  if (effective === undefined || allowed.includes(effective)) return;
  const why = requested
    ? `instance class ${effective} is not allowed`
    : `${source?.id} runs on ${effective}, which forks may not use`;
  throw new ValidationError(`${why}; set overrides.instanceClass to one of ${allowed.join(', ')}`, {
    details: [{ path: 'overrides.instanceClass', message: 'instance class not allowed', allowed }],
  });
}

/**
 * A fork may not be named like an existing database (instance or cluster of any engine): forks are
 * addressed by name (`DELETE /v1/forks/orders-prod`, `dbfork delete orders-prod`), and such a
 * request must never read as one about that database. (The fork's own database is named by its id.)
 */
async function assertNameIsNoDatabase(rt: CreateRuntime, name: string | undefined): Promise<void> {
  if (name === undefined) return;
  for (const engine of rt.engines.all()) {
    const database = await engine.describeSource(name);
    if (!database) continue;
    throw new NameTakenError(
      `"${name}" is the identifier of an existing database (${database.kind}, ${database.engine}); give the fork another name`,
      { details: [{ path: 'name', message: 'name of an existing database', kind: database.kind }] },
    );
  }
}

function newRecord(
  rt: CreateRuntime,
  input: CreateForkInput,
  source: SourceDatabase,
  ttl: Ttl,
  hook: string | undefined,
  id: string = newForkId(),
): ForkRecord {
  const now = rt.now();
  const at = now.toISOString();
  const name = input.body.name ?? id;
  return {
    id,
    name,
    sourceRef: input.body.source,
    source: { id: source.id, arn: source.arn, engine: source.engine, kind: source.kind },
    restore: { requested: input.body.restore },
    overrides: input.body.overrides ?? {},
    status: 'creating',
    step: 'resolving-source',
    progress: 0,
    order: 0,
    owner: input.owner,
    createdAt: at,
    updatedAt: at,
    expiresAt: expiryAfterMinutes(now, ttl.minutes),
    ttlHours: ttl.hours,
    ttlMinutes: ttl.minutes,
    dnsName: forkDnsName(name, rt.env.hostedZoneDomain),
    tags: input.body.tags ?? {},
    ...(input.body.refreshSchedule ? { refreshSchedule: input.body.refreshSchedule } : {}),
    ...(hook ? { hook: { name: hook, status: 'pending' as const } } : {}),
    history: [
      {
        at,
        step: 'resolving-source',
        status: 'creating',
        message: `requested by ${input.owner}: fork of ${source.id} from ${input.body.restore.type}${hook ? `, post-restore hook ${hook}` : ''}`,
      },
    ],
  };
}

/**
 * The fork a claim turns `member` into: the record a create would write, under the member's id,
 * at step `claimed`, with the member's backup and history and where it came from.
 */
function claimedRecord(
  rt: CreateRuntime,
  input: CreateForkInput,
  source: SourceDatabase,
  ttl: Ttl,
  hook: string | undefined,
  member: ForkRecord,
): ForkRecord {
  const fork = newRecord(rt, input, source, ttl, hook, member.id);
  const claimed = STEPS.claimed;
  const [requested] = fork.history;
  return {
    ...fork,
    // What the member was restored with (the pool's class, if it names one).
    overrides: member.overrides,
    restore: {
      requested: fork.restore.requested,
      ...(member.restore.resolved ? { resolved: member.restore.resolved } : {}),
      pool: {
        source: source.id,
        ...(member.pool?.readyAt ? { memberReadyAt: member.pool.readyAt } : {}),
        claimedAt: fork.createdAt,
      },
    },
    step: 'claimed',
    order: claimed.order,
    progress: claimed.progress,
    history: [
      ...member.history,
      ...(requested
        ? [
            {
              ...requested,
              step: 'claimed' as const,
              message: `${requested.message}; took a ready member of its warm pool`,
            },
          ]
        : []),
    ],
  };
}

/** Leaves a fork whose workflow never started `failed` (it made nothing), releasing its name. */
async function markNotStarted(rt: CreateRuntime, id: string, cause: unknown): Promise<void> {
  try {
    // False: already moved on (the start did reach Step Functions after all), the workflow owns it.
    await failUnstarted(rt, id, 'the create workflow could not be started');
  } catch (error) {
    rt.logger.error('could not mark an unstarted fork failed', { forkId: id, error, cause });
  }
}

/**
 * Creates a fork: validates the request against the source and the policy, writes the record
 * (idempotently), starts the create workflow and announces `Fork Requested`.
 */
export async function createFork(
  rt: CreateRuntime,
  input: CreateForkInput,
): Promise<{ fork: ForkRecord; replayed: boolean }> {
  const { policy } = rt.env;
  const { body } = input;
  if (body.name !== undefined && FORK_ID_PATTERN.test(body.name)) {
    throw new ValidationError(`"${body.name}" looks like a fork id; pick another name`, {
      details: [{ path: 'name', message: 'names of the form fork-xxxxxxxxxxxx are reserved for fork ids' }],
    });
  }
  // A retry of an accepted request gets the original fork, even if the source changed since.
  if (input.idempotencyKey) {
    const replay = await rt.store.findReplay(input.owner, input.idempotencyKey, body);
    if (replay) return { fork: replay, replayed: true };
  }
  const ttl = requestedTtl(body, policy);
  const hook = hookFor(policy.postRestoreHook, body.hook);
  assertInstanceClassAllowed(policy, body.overrides?.instanceClass);

  const { engine, source } = await rt.engines.resolve(body.source);
  assertForkable(source, policy, body.restore.type);
  assertRestoreSupported(rt, engine, source, body.restore.type);
  await assertRestoreTarget(engine, source, body.restore);
  assertInstanceClassAllowed(policy, body.overrides?.instanceClass, source);
  // After the source is known (its engine and version decide what AWS orders), before any write.
  await assertOverridesFit(rt.orderable, source, body.overrides, policy.defaultOverrides);
  await assertNameIsNoDatabase(rt, body.name);

  const idempotency = input.idempotencyKey ? { key: input.idempotencyKey, body } : undefined;
  const quotas = {
    maxLiveForksPerOwner: policy.quotas.maxLiveForksPerOwner,
    maxLiveForksPerSource: policy.quotas.maxLiveForksPerSource,
  };
  const pool = poolFor(policy, source.id, body);
  if (pool) {
    const build = (member: ForkRecord) => claimedRecord(rt, input, source, ttl, hook, member);
    const claim = await claimMember(rt, { pool, build, quotas, ...(idempotency ? { idempotency } : {}) });
    if (claim.kind === 'claimed') return { fork: claim.fork, replayed: false };
    if (claim.kind === 'replayed' && input.idempotencyKey) {
      const replay = await rt.store.findReplay(input.owner, input.idempotencyKey, body);
      if (replay) return { fork: replay, replayed: true };
    }
    if (claim.kind === 'stale') {
      throw new ServiceUnavailableError(
        `fork ${claim.forkId} could not go on from its pool member, so nothing was created; retry the request${input.idempotencyKey ? ' with a new Idempotency-Key' : ''}`,
        { details: [{ message: 'pool member workflow gone', forkId: claim.forkId }] },
      );
    }
  }

  const record = newRecord(rt, input, source, ttl, hook);
  // Live-fork quotas are taken in the transaction that writes the record (atomic under races).
  const created = await rt.store.create(record, idempotency, quotas);
  if (created.replayed) return { fork: created.record, replayed: true };

  try {
    await rt.workflows.startCreate(record.id);
  } catch (error) {
    rt.logger.error('could not start the create workflow', { forkId: record.id, error });
    await markNotStarted(rt, record.id, error);
    throw new ServiceUnavailableError(
      `fork ${record.id} could not be started, so nothing was created; retry the request${input.idempotencyKey ? ' with a new Idempotency-Key' : ''}`,
      { cause: error, details: [{ message: 'workflow not started', forkId: record.id }] },
    );
  }
  // `Fork Requested` is announced by the workflow's first step (resolve-source): the answer here
  // waits for one call fewer, and the event can never come after the fork's later events.
  return { fork: created.record, replayed: false };
}

export async function createForkRoute(request: ApiRequest, rt: CreateRuntime): Promise<ApiResponse> {
  const body = parseBody(request, createForkBodySchema);
  const idempotencyKey = idempotencyKeyOf(request);
  const { fork, replayed } = await createFork(rt, {
    owner: request.caller,
    body,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  return {
    statusCode: 202,
    headers: { location: `/v1/forks/${fork.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
    body: toPublicFork(fork),
  };
}
