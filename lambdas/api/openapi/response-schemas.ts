/**
 * The shapes of the API's answers, for its OpenAPI document (lambdas/api/openapi/document.ts).
 * The routes build their answers from the domain types; test/unit/api/openapi.test.ts checks real
 * answers against these schemas, so the document cannot drift from what the API sends.
 */

import { forkOverridesSchema } from '../../core/config.js';
import {
  ENGINE_KINDS,
  FORK_STATUSES,
  HOOK_STATUSES,
  REFRESH_STATES,
  restoreRequestSchema,
  STEPS,
} from '../../core/fork.js';
import * as z from '../../core/zod.js';

const time = z.iso.datetime({ offset: true });
const step = z.enum(Object.keys(STEPS) as [keyof typeof STEPS, ...(keyof typeof STEPS)[]]);
const endpoint = z.looseObject({ host: z.string(), port: z.int() });
const resolvedRestore = z.looseObject({
  snapshotId: z.optional(z.string()),
  restoreTime: z.optional(z.string()),
  useLatestRestorableTime: z.optional(z.boolean()),
});
const restore = z.looseObject({ requested: restoreRequestSchema, resolved: z.optional(resolvedRestore) });
const errorInfo = z.looseObject({ code: z.string(), message: z.string() });

/** A post-restore hook's run (the create's, or a refresh's on its new database), and how it went. */
const hookRun = z.looseObject({
  name: z.string(),
  status: z.enum(HOOK_STATUSES),
  startedAt: z.optional(time),
  finishedAt: z.optional(time),
  durationMs: z.optional(z.int().check(z.minimum(0))),
});

/** The fork's latest refresh: in progress (running, switching, retiring) or how it ended. */
const refreshSchema = z.looseObject({
  state: z.enum(REFRESH_STATES),
  attempt: z.int().check(z.positive()),
  step: z.string(),
  startedAt: time,
  finishedAt: z.optional(time),
  requestedBy: z.string(),
  restore,
  ttl: z.optional(z.looseObject({ hours: z.int(), minutes: z.int() })),
  databaseId: z.string(),
  previousDatabaseId: z.string(),
  endpoint: z.optional(endpoint),
  /** The post-restore hook's run on the new database (absent: the stack has no hook). */
  hook: z.optional(hookRun),
  error: z.optional(errorInfo),
});

/** One refresh that took over the fork: when, by whom, from what, which database replaced which. */
const refreshLineageSchema = z.looseObject({
  at: time,
  requestedBy: z.string(),
  restore,
  databaseId: z.string(),
  replaced: z.string(),
});

export const forkSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  source: z.optional(
    z.looseObject({ id: z.string(), arn: z.string(), engine: z.string(), kind: z.enum(ENGINE_KINDS) }),
  ),
  restore,
  overrides: forkOverridesSchema,
  status: z.enum(FORK_STATUSES),
  step,
  progress: z.number().check(z.minimum(0), z.maximum(100)),
  owner: z.string(),
  createdAt: time,
  updatedAt: time,
  readyAt: z.optional(time),
  deletedAt: z.optional(time),
  expiresAt: time,
  /** When `Fork Expiring` is published for this expiry (once it is scheduled). */
  expiryWarningAt: z.optional(time),
  /** When `Fork Expiring` was published for this expiry. */
  expiryWarningSentAt: z.optional(time),
  endpoint: z.optional(endpoint),
  dnsName: z.string(),
  secretArn: z.optional(z.string()),
  databaseId: z.string(),
  refresh: z.optional(refreshSchema),
  refreshSchedule: z.optional(z.string()),
  tags: z.record(z.string(), z.string()),
  history: z.array(z.looseObject({ at: time, step, status: z.enum(FORK_STATUSES), message: z.string() })),
  error: z.optional(errorInfo),
  /** The post-restore hook this fork runs (absent: none), and how it went. */
  hook: z.optional(hookRun),
  lineage: z.looseObject({
    sourceId: z.string(),
    sourceArn: z.optional(z.string()),
    snapshotId: z.optional(z.string()),
    restoreTime: z.optional(z.string()),
    refreshes: z.array(refreshLineageSchema),
  }),
});

export const forkListSchema = z.looseObject({
  forks: z.array(forkSchema),
  nextToken: z.optional(z.string()),
});

const restorableWindow = z.looseObject({
  earliestRestorableTime: z.nullable(z.string()),
  latestRestorableTime: z.nullable(z.string()),
});

export const sourceListSchema = z.looseObject({
  sources: z.array(
    z.looseObject({
      id: z.string(),
      arn: z.string(),
      engine: z.string(),
      kind: z.enum(ENGINE_KINDS),
      status: z.string(),
      allowed: z.boolean(),
      restorableWindow,
    }),
  ),
});

export const backupsSchema = z.looseObject({
  source: z.looseObject({
    id: z.string(),
    arn: z.string(),
    engine: z.string(),
    kind: z.enum(ENGINE_KINDS),
    status: z.string(),
  }),
  restorableWindow,
  backups: z.array(
    z.looseObject({
      id: z.string(),
      arn: z.optional(z.string()),
      type: z.enum(['automated', 'manual']),
      status: z.string(),
      createdAt: z.nullable(z.string()),
      engine: z.optional(z.string()),
    }),
  ),
});

/** GET /v1/pools: each warm pool's members by state and the drivers of its cost (no prices). */
export const poolListSchema = z.looseObject({
  pools: z.array(
    z.looseObject({
      source: z.string(),
      /** false: the pool is no longer configured and its members are being drained. */
      configured: z.boolean(),
      /** Members the pool keeps; 0 for a pool no longer configured. */
      size: z.int().check(z.minimum(0)),
      ready: z.int().check(z.minimum(0)),
      warming: z.int().check(z.minimum(0)),
      leaving: z.int().check(z.minimum(0)),
      /** Of the ready and warming members, since the restore began; null when there is none. */
      oldestMemberAgeMinutes: z.nullable(z.int().check(z.minimum(0))),
      maxAgeHours: z.nullable(z.int().check(z.positive())),
      /** The pool's class, else the stack's default override, else the source's; null when unknown. */
      instanceClass: z.nullable(z.string()),
      cost: z.looseObject({
        instanceClass: z.nullable(z.string()),
        /** Member databases running now (ready + warming). */
        members: z.int().check(z.minimum(0)),
        description: z.string(),
      }),
    }),
  ),
});

export const errorSchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z.array(z.looseObject({ path: z.optional(z.string()), message: z.optional(z.string()) })),
  }),
});
