import { forkOverridesSchema } from './config.js';
import { cronProblem } from './cron.js';
import { hookRefSchema } from './hook-config.js';
import { FORK_NAME_PATTERN } from './ids.js';
import * as z from './zod.js';

/** The create body and the fork object of DESIGN.md §1, and the lifecycle they move through. */

export const ENGINE_KINDS = ['rds-instance', 'aurora-cluster', 'docdb-cluster'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export const FORK_STATUSES = ['creating', 'ready', 'failed', 'deleting', 'deleted'] as const;
export type ForkStatus = (typeof FORK_STATUSES)[number];

/**
 * Every step a fork walks through, with its order. A transition may only move to a step with an
 * equal or higher order (equal = an idempotent retry), so a fork never moves backwards and a
 * deleted fork is never resurrected.
 */
export const STEPS = {
  'resolving-source': { status: 'creating', order: 10, progress: 5 },
  'selecting-backup': { status: 'creating', order: 20, progress: 10 },
  'snapshotting-source': { status: 'creating', order: 25, progress: 15 },
  restoring: { status: 'creating', order: 30, progress: 25 },
  'creating-instances': { status: 'creating', order: 40, progress: 60 },
  // A warm-pool member: its password set to one nobody keeps, then parked until a create claims it.
  'scrambling-credentials': { status: 'creating', order: 44, progress: 65 },
  pooled: { status: 'creating', order: 45, progress: 70 },
  claimed: { status: 'creating', order: 46, progress: 70 },
  'rotating-credentials': { status: 'creating', order: 50, progress: 75 },
  'running-hook': { status: 'creating', order: 55, progress: 80 },
  'registering-dns': { status: 'creating', order: 60, progress: 85 },
  'scheduling-expiry': { status: 'creating', order: 70, progress: 95 },
  ready: { status: 'ready', order: 100, progress: 100 },
  'cleaning-up': { status: 'creating', order: 110, progress: 100 },
  failed: { status: 'failed', order: 200, progress: 100 },
  'removing-dns': { status: 'deleting', order: 310, progress: 10 },
  'deleting-database': { status: 'deleting', order: 320, progress: 30 },
  'deleting-secret': { status: 'deleting', order: 330, progress: 80 },
  'deleting-schedule': { status: 'deleting', order: 340, progress: 90 },
  deleted: { status: 'deleted', order: 400, progress: 100 },
} as const satisfies Record<string, { status: ForkStatus; order: number; progress: number }>;
export type ForkStep = keyof typeof STEPS;

export const LIVE_STATUSES: readonly ForkStatus[] = ['creating', 'ready', 'deleting'];

const snapshotIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(255),
    z.regex(
      /^(rds:)?[A-Za-z][A-Za-z0-9-]*$|^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(cluster-)?snapshot:(rds:)?[A-Za-z][A-Za-z0-9-]*$/,
      { message: 'must be a snapshot identifier or ARN' },
    ),
  );

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 time like 2026-11-20T10:00:00Z',
});

export const restoreRequestSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('latest-backup') }),
    z.strictObject({ type: z.literal('snapshot'), snapshotId: snapshotIdSchema }),
    z
      .strictObject({
        type: z.literal('point-in-time'),
        time: z.optional(isoTime),
        latest: z.optional(z.literal(true)),
      })
      .check(
        z.refine((r) => (r.time === undefined) !== (r.latest === undefined), {
          message: 'give exactly one of "time" or "latest": true',
        }),
      ),
    z.strictObject({ type: z.literal('clone') }),
    z.strictObject({ type: z.literal('fresh-snapshot') }),
  ],
  { error: 'restore.type must be one of latest-backup, snapshot, point-in-time, clone, fresh-snapshot' },
);
export type RestoreRequest = z.infer<typeof restoreRequestSchema>;

const RESERVED_TAG_PREFIX = /^(aws:|dbfork:)/i;
export const userTagsSchema = z
  .record(
    z.string().check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'tag keys may use letters, digits, spaces and _.:/=+-@'),
      z.refine((k) => !RESERVED_TAG_PREFIX.test(k), 'tag keys starting with aws: or dbfork: are reserved'),
    ),
    z
      .string()
      .check(
        z.maxLength(256),
        z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'tag values may use letters, digits, spaces and _.:/=+-@'),
      ),
  )
  .check(z.refine((tags) => Object.keys(tags).length <= 40, 'at most 40 tags'));

export const sourceRefSchema = z.string().check(
  z.minLength(1),
  z.maxLength(255),
  z.regex(
    /^[A-Za-z][A-Za-z0-9-]*$|^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):[A-Za-z][A-Za-z0-9-]*$/,
    {
      message: 'must be a DB instance or cluster identifier or its ARN',
    },
  ),
);

export const forkNameSchema = z
  .string()
  .check(
    z.regex(
      FORK_NAME_PATTERN,
      'must be 2-40 lowercase letters, digits or hyphens, start with a letter, no "--"',
    ),
  );

/** Absolute bounds; the policy's `ttl.minMinutes` / `ttl.maxHours` narrow them (checked in ttl.ts). */
const ttlHoursSchema = z
  .number()
  .check(
    z.int('must be a whole number of hours'),
    z.minimum(1, 'must be at least 1'),
    z.maximum(720, 'must be at most 720 (30 days, the longest TTL dbfork allows)'),
  );
const ttlMinutesSchema = z
  .number()
  .check(
    z.int('must be a whole number of minutes'),
    z.minimum(1, 'must be at least 1'),
    z.maximum(720 * 60, 'must be at most 43200 (30 days, the longest TTL dbfork allows)'),
  );

/**
 * A recurring refresh: an EventBridge Scheduler cron expression, evaluated in UTC
 * (`cron(0 3 * * ? *)` refreshes the fork at 03:00 UTC every day).
 */
export const refreshScheduleSchema = z.string().check(
  z.maxLength(256),
  z.superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  }),
);

export const createForkBodySchema = z
  .strictObject({
    source: sourceRefSchema,
    name: z.optional(forkNameSchema),
    restore: z._default(restoreRequestSchema, { type: 'latest-backup' }),
    ttlHours: z.optional(ttlHoursSchema),
    /** For TTLs that are not whole hours (`90`); give it or `ttlHours`, not both. */
    ttlMinutes: z.optional(ttlMinutesSchema),
    overrides: z.optional(forkOverridesSchema),
    tags: z.optional(userTagsSchema),
    refreshSchedule: z.optional(refreshScheduleSchema),
    /** The post-restore hook to run instead of the default: one the stack allows (`postRestoreHook`). */
    hook: z.optional(hookRefSchema),
  })
  .check(
    z.refine((b) => b.ttlHours === undefined || b.ttlMinutes === undefined, {
      message: 'give "ttlHours" or "ttlMinutes", not both',
      path: ['ttlMinutes'],
    }),
  );
export type CreateForkBody = z.infer<typeof createForkBodySchema>;

/** A TTL change (at most one of the three), a refresh schedule change (`null` removes it), or both. */
export const patchForkBodySchema = z
  .strictObject({
    ttlHours: z.optional(ttlHoursSchema),
    ttlMinutes: z.optional(ttlMinutesSchema),
    expiresAt: z.optional(isoTime),
    refreshSchedule: z.optional(z.nullable(refreshScheduleSchema)),
  })
  .check(
    z.refine((b) => [b.ttlHours, b.ttlMinutes, b.expiresAt].filter((v) => v !== undefined).length <= 1, {
      message: 'give at most one of "ttlHours", "ttlMinutes" or "expiresAt"',
    }),
    z.refine(
      (b) =>
        [b.ttlHours, b.ttlMinutes, b.expiresAt, b.refreshSchedule].filter((v) => v !== undefined).length > 0,
      { message: 'give one of "ttlHours", "ttlMinutes" or "expiresAt", and/or "refreshSchedule"' },
    ),
  );
export type PatchForkBody = z.infer<typeof patchForkBodySchema>;

/**
 * POST /v1/forks/{id}/refresh: where the new database comes from (default the latest backup), and
 * optionally a new TTL counted from when the new database takes over (else the expiry stays).
 */
export const refreshForkBodySchema = z
  .strictObject({
    restore: z._default(restoreRequestSchema, { type: 'latest-backup' }),
    ttlHours: z.optional(ttlHoursSchema),
    ttlMinutes: z.optional(ttlMinutesSchema),
  })
  .check(
    z.refine((b) => b.ttlHours === undefined || b.ttlMinutes === undefined, {
      message: 'give "ttlHours" or "ttlMinutes", not both',
      path: ['ttlMinutes'],
    }),
  );
export type RefreshForkBody = z.infer<typeof refreshForkBodySchema>;

export interface SourceSummary {
  id: string;
  arn: string;
  engine: string;
  kind: EngineKind;
}

/** What a restore request turned into: the exact snapshot or time used. */
export interface ResolvedRestore {
  snapshotId?: string;
  restoreTime?: string;
  useLatestRestorableTime?: boolean;
}

export interface HistoryEntry {
  at: string;
  step: ForkStep;
  status: ForkStatus;
  message: string;
}

export const HOOK_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export type HookStatus = (typeof HOOK_STATUSES)[number];

/**
 * The post-restore hook a fork runs, and how it went: `pending` until the create reaches it,
 * `running` from the moment it is invoked (a hook is never started twice), then `succeeded` or
 * `failed` (the fork's `error` says why). A refresh records its own run the same way, on
 * `refresh.hook`.
 */
export interface ForkHook {
  /** The function name or ARN, as configured. */
  name: string;
  status: HookStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface ForkErrorInfo {
  code: string;
  message: string;
}

/**
 * Where a refresh is (lambdas/core/refresh-records.ts): `running` while the new database is built
 * (a failure removes it and leaves everything else as it was), `switching` while the secret and the
 * DNS name move to it, `retiring` once the record names it and the old database is being deleted,
 * then `succeeded` or `failed`. Only one refresh at a time: a new one needs `succeeded` or `failed`.
 */
export const REFRESH_STATES = ['running', 'switching', 'retiring', 'succeeded', 'failed'] as const;
export type RefreshState = (typeof REFRESH_STATES)[number];

/** The latest refresh of a fork. */
export interface ForkRefresh {
  state: RefreshState;
  /** 1, 2, …: the refresh's number; its database is `<fork id>-r<attempt>`. */
  attempt: number;
  /** What it is doing now, for people (`restoring`, `switching`, `deleting the old database`…). */
  step: string;
  startedAt: string;
  finishedAt?: string;
  /** The caller, or `schedule` for the recurring refresh. */
  requestedBy: string;
  restore: { requested: RestoreRequest; resolved?: ResolvedRestore };
  /** The TTL asked for, applied when the new database takes over. */
  ttl?: { hours: number; minutes: number };
  /** The database being built. */
  databaseId: string;
  /** The database that served when the refresh began (deleted once the new one took over). */
  previousDatabaseId: string;
  /** The new database's endpoint, recorded before the DNS name points at it. */
  endpoint?: { host: string; port: number };
  /**
   * The post-restore hook this refresh runs on its new database before the switch (absent: none),
   * and how it went: started at most once per refresh, as the create's at most once per fork.
   */
  hook?: ForkHook;
  error?: ForkErrorInfo;
  /**
   * The `Idempotency-Key` of the request that started it (a command's event id or key): the same
   * key again answers this refresh instead of starting another. Internal: not in the fork object.
   */
  requestKey?: string;
}

/** One refresh in the fork's lineage: when the new database took over, and what it was restored from. */
export interface RefreshLineageEntry {
  at: string;
  requestedBy: string;
  restore: { requested: RestoreRequest; resolved?: ResolvedRestore };
  databaseId: string;
  replaced: string;
}

/**
 * A warm-pool member (lambdas/core/pool-records.ts): a record of its own, restored like a fork but
 * with no name guard, no secret, no DNS name and no quota slot, owned by {@link POOL_OWNER}, and
 * left out of every fork listing. Absent once a create claimed it (the fork's `restore.pool` says so).
 */
export interface PoolMembership {
  /** The source id of the pool. */
  source: string;
  /** When the member became ready to be claimed. */
  readyAt?: string;
  /** The task token its parked create workflow waits on (internal: completed by a claim, failed by a recycle). */
  claimToken?: string;
}

/** Where a fork that took a pool member came from. */
export interface PoolOrigin {
  source: string;
  /** When the member was ready (its data is that of the backup in `restore.resolved`). */
  memberReadyAt?: string;
  claimedAt: string;
}

/** The owner of pool members: no caller's principal, so no caller sees or counts them. */
export const POOL_OWNER = 'dbfork:pool';

/** The stored record. Never holds a credential (safety invariant 4). */
export interface ForkRecord {
  id: string;
  name: string;
  sourceRef: string;
  source?: SourceSummary;
  restore: { requested: RestoreRequest; resolved?: ResolvedRestore; pool?: PoolOrigin };
  overrides: z.infer<typeof forkOverridesSchema>;
  status: ForkStatus;
  step: ForkStep;
  progress: number;
  order: number;
  owner: string;
  createdAt: string;
  updatedAt: string;
  readyAt?: string;
  deletedAt?: string;
  expiresAt: string;
  /** When `Fork Expiring` fires for this expiry; set once the expiry is scheduled, cleared when it moves. */
  expiryWarningAt?: string;
  /** When `Fork Expiring` was published for this expiry (at most once per expiry). */
  expiryWarningSentAt?: string;
  /** The TTL last asked for, rounded up to whole hours (at least 1). */
  ttlHours: number;
  /** The TTL last asked for, in minutes; absent on records written before minute TTLs (read `ttlHours`). */
  ttlMinutes?: number;
  endpoint?: { host: string; port: number };
  dnsName: string;
  secretArn?: string;
  tags: Record<string, string>;
  history: HistoryEntry[];
  error?: ForkErrorInfo;
  /** The database serving the fork once a refresh replaced the first one (absent: the fork id). */
  databaseId?: string;
  /** The latest refresh (in progress, or how it ended). */
  refresh?: ForkRefresh;
  /** Every refresh that took over, oldest first (the latest {@link MAX_REFRESH_LINEAGE}). */
  refreshes?: RefreshLineageEntry[];
  /** The recurring refresh's cron expression (UTC), when there is one. */
  refreshSchedule?: string;
  /** Absent when no post-restore hook runs for this fork. */
  hook?: ForkHook;
  /** Set while the record is an unclaimed warm-pool member. */
  pool?: PoolMembership;
}

/** How many refreshes a fork's lineage keeps (the record stays far below DynamoDB's 400 KB). */
export const MAX_REFRESH_LINEAGE = 50;

export type PublicFork = Omit<
  ForkRecord,
  'order' | 'sourceRef' | 'ttlHours' | 'ttlMinutes' | 'overrides' | 'refreshes' | 'databaseId' | 'pool'
> & {
  overrides: ForkRecord['overrides'];
  /** The database the fork's secret and DNS name point at. */
  databaseId: string;
  lineage: {
    sourceId: string;
    sourceArn?: string;
    snapshotId?: string;
    restoreTime?: string;
    refreshes: RefreshLineageEntry[];
  };
};

/** The fork object of the API and the events: everything but internal bookkeeping. */
function publicRefresh(refresh: ForkRefresh): ForkRefresh {
  const { requestKey: _key, ...rest } = refresh;
  return rest;
}

export function toPublicFork(record: ForkRecord): PublicFork {
  const {
    order: _order,
    sourceRef,
    ttlHours: _ttl,
    ttlMinutes: _ttlMinutes,
    refreshes,
    databaseId,
    pool: _pool,
    ...rest
  } = record;
  // The lineage describes the data the fork serves now: the latest refresh's backup, else the create's.
  const origin = refreshes?.at(-1)?.restore.resolved ?? record.restore.resolved;
  const { refresh } = rest;
  return {
    ...rest,
    ...(refresh ? { refresh: publicRefresh(refresh) } : {}),
    databaseId: databaseId ?? record.id,
    lineage: {
      sourceId: record.source?.id ?? sourceRef,
      ...(record.source?.arn ? { sourceArn: record.source.arn } : {}),
      ...(origin?.snapshotId ? { snapshotId: origin.snapshotId } : {}),
      ...(origin?.restoreTime ? { restoreTime: origin.restoreTime } : {}),
      refreshes: refreshes ?? [],
    },
  };
}

export function isLive(status: ForkStatus): boolean {
  return LIVE_STATUSES.includes(status);
}

/** What a restore used, for messages: `snapshot rds:…`, `the state at …`, `the latest restorable time`. */
export function describeRestore(restore: { requested: RestoreRequest; resolved?: ResolvedRestore }): string {
  const { resolved, requested } = restore;
  if (resolved?.snapshotId) return `snapshot ${resolved.snapshotId}`;
  if (resolved?.restoreTime) return `the state at ${resolved.restoreTime}`;
  if (resolved?.useLatestRestorableTime) {
    return requested.type === 'clone' ? 'a clone' : 'the latest restorable time';
  }
  return requested.type;
}
