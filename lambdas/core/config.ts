import { postRestoreHookSchema } from './hook-config.js';
import { poolsSchema } from './pool-config.js';
import * as z from './zod.js';

/**
 * The one stack configuration object (cdk.json context `dbfork`, or DbFork construct props).
 * The part the Lambdas need at run time (`ForkPolicy`) travels to them as one JSON env var.
 */

const identifier = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(255),
    z.regex(/^[A-Za-z][A-Za-z0-9-:._/]*$/, 'must be a DB identifier or ARN'),
  );

/** A whole number within bounds (zod's own messages). */
export function wholeNumber(min: number, max?: number) {
  return z.number().check(z.int(), z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]));
}

/** Deployed stacks keep the one-hour minimum TTL unless configured otherwise. */
export const DEFAULT_MIN_TTL_MINUTES = 60;

/** How long before its expiry a fork's `Fork Expiring` event is published, unless configured otherwise. */
export const DEFAULT_EXPIRY_WARNING_MINUTES = 60;

/**
 * The shape of a fork's overrides; whether they fit the source (orderable class, storage of its
 * kind, IOPS) is checked against AWS at POST /v1/forks (lambdas/core/override-rules.ts).
 */
export const forkOverridesSchema = z.strictObject({
  instanceClass: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^db\.[a-z0-9]+\.[a-z0-9]+$|^db\.serverless$/,
          'must look like db.t4g.medium (or db.serverless)',
        ),
      ),
  ),
  multiAz: z.optional(z.boolean()),
  /** RDS instance: standard, gp2, gp3, io1, io2; Aurora: aurora, aurora-iopt1; DocumentDB: standard, iopt1. */
  storageType: z.optional(
    z.enum(['gp2', 'gp3', 'io1', 'io2', 'standard', 'aurora', 'aurora-iopt1', 'iopt1']),
  ),
  /**
   * Provisioned IOPS of an RDS instance fork (io1/io2 need them, gp3 may take them). The restore
   * APIs' `Iops`: "Must be an integer greater than 1000" (SDK model, RestoreDBInstanceFromDBSnapshot);
   * the class's exact range comes from DescribeOrderableDBInstanceOptions.
   */
  iops: z.optional(
    z
      .number()
      .check(z.int('must be a whole number'), z.minimum(1000, 'must be at least 1000'), z.maximum(256_000)),
  ),
});
export type ForkOverrides = z.infer<typeof forkOverridesSchema>;

/** Who owns forks made by EventBridge commands (events carry no caller identity). */
export const DEFAULT_AUTOMATION_PRINCIPAL = 'dbfork-automation';

/**
 * EventBridge commands in (`Create Fork`, `Delete Fork`, `Extend Fork`, `Refresh Fork` on the
 * dbfork bus; README "Automation"). A commanded fork is owned by `principal`, so the per-owner quota
 * applies to all of them together; commands may extend or delete only forks that principal owns,
 * unless `admin` makes it a dbfork admin for commands.
 */
export const automationSchema = z.strictObject({
  /**
   * The owner of commanded forks. A plain name (not an IAM ARN) keeps them apart from every API
   * caller's forks. @default 'dbfork-automation'
   */
  principal: z._default(
    z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters, no spaces')),
    DEFAULT_AUTOMATION_PRINCIPAL,
  ),
  /** Commands may extend or delete any fork, not only the automation principal's. @default false */
  admin: z._default(z.boolean(), false),
  /** Deploy the command rule, queue and consumer (offline: consume commands). @default true */
  enabled: z._default(z.boolean(), true),
});
export type AutomationConfig = z.infer<typeof automationSchema>;
const AUTOMATION_DEFAULTS: AutomationConfig = {
  principal: DEFAULT_AUTOMATION_PRINCIPAL,
  admin: false,
  enabled: true,
};

export const forkPolicySchema = z.strictObject({
  /** Identifiers (or ARNs) that may be forked. Sources tagged dbfork:allow-fork=true are allowed too. */
  allowedSources: z._default(z.array(identifier), []),
  /** @default true */
  allowTaggedSources: z._default(z.boolean(), true),
  ttl: z._default(
    z
      .strictObject({
        defaultHours: z._default(wholeNumber(1, 720), 24),
        maxHours: z._default(wholeNumber(1, 720), 720),
        /**
         * The shortest TTL a fork may be created or extended with (`ttlMinutes` / `ttlHours`), in
         * minutes. The offline mode sets 1 so a one-minute fork can be seen expiring. @default 60
         */
        minMinutes: z._default(wholeNumber(1, 720 * 60), DEFAULT_MIN_TTL_MINUTES),
      })
      .check(
        z.refine((ttl) => ttl.defaultHours <= ttl.maxHours, {
          message: 'ttl.defaultHours must not exceed ttl.maxHours',
          path: ['defaultHours'],
        }),
        z.refine((ttl) => ttl.minMinutes <= ttl.defaultHours * 60, {
          message: 'ttl.minMinutes must not exceed ttl.defaultHours (in minutes)',
          path: ['minMinutes'],
        }),
      ),
    { defaultHours: 24, maxHours: 720, minMinutes: DEFAULT_MIN_TTL_MINUTES },
  ),
  /**
   * Minutes before a fork's expiry that `Fork Expiring` is published; a fork with less time left
   * when its expiry is scheduled (created, extended, refreshed) is warned halfway. @default 60
   */
  expiryWarningMinutes: z._default(wholeNumber(1, 720 * 60), DEFAULT_EXPIRY_WARNING_MINUTES),
  quotas: z._default(
    z.strictObject({
      maxLiveForksPerOwner: z._default(wholeNumber(1), 10),
      maxLiveForksPerSource: z._default(wholeNumber(1), 20),
      /** Empty = any class. */
      allowedInstanceClasses: z._default(
        z.array(z.string().check(z.regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/))),
        [],
      ),
    }),
    { maxLiveForksPerOwner: 10, maxLiveForksPerSource: 20, allowedInstanceClasses: [] },
  ),
  defaultOverrides: z._default(forkOverridesSchema, {}),
  /** IAM principal ARNs that may extend or delete any fork. */
  adminPrincipals: z._default(z.array(z.string().check(z.minLength(1))), []),
  automation: z._default(automationSchema, AUTOMATION_DEFAULTS),
  forkNetwork: z._default(
    z.strictObject({
      securityGroupIds: z.optional(
        z.array(z.string().check(z.regex(/^sg-[0-9a-f]+$/, 'must be a security group id'))),
      ),
      subnetGroupName: z.optional(z.string().check(z.minLength(1))),
    }),
    {},
  ),
  /**
   * The Lambda function(s) run after a fork's database is available and before it is named and
   * `ready` (masking, seeding, warm-up); a hook that fails fails the fork. Absent: no hook, and no
   * function may be invoked.
   */
  postRestoreHook: z.optional(postRestoreHookSchema),
  /** Warm pools per source (lambdas/core/pool-config.ts). @default none */
  pools: z._default(poolsSchema, []),
});
export type ForkPolicy = z.infer<typeof forkPolicySchema>;

export const stackConfigSchema = z.strictObject({
  ...forkPolicySchema.shape,
  hostedZone: z.strictObject({
    id: z.string().check(z.regex(/^Z[A-Z0-9]+$/, 'must be a Route 53 hosted zone id like Z0123456789ABC')),
    domain: z
      .string()
      .check(
        z.regex(
          /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\.?$/,
          'must be a DNS domain like forks.example.internal',
        ),
      ),
  }),
  /** Days a deleted fork's record is kept for audit. @default 30 */
  auditRetentionDays: z._default(wholeNumber(1, 3650), 30),
  /** Minutes between reconciler runs. @default 5 */
  reconcileRateMinutes: z._default(wholeNumber(1, 1440), 5),
  /** Log retention for every function, in days. @default 30 */
  logRetentionDays: z._default(wholeNumber(1), 30),
  /** Alarms (lib/monitoring.construct.ts): where they notify, and when failed creates are too many. */
  monitoring: z._default(
    z.strictObject({
      /** An address the alarms e-mail through an SNS topic (confirm the subscription once). */
      alarmEmail: z.optional(z.email('must be an e-mail address')),
      /** Failed creates within an hour that raise the alarm. @default 3 */
      createFailuresPerHour: z._default(wholeNumber(1, 1000), 3),
    }),
    { createFailuresPerHour: 3 },
  ),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** The run-time subset of the stack config. */
export function policyOf(config: StackConfig): ForkPolicy {
  return forkPolicySchema.parse({
    allowedSources: config.allowedSources,
    allowTaggedSources: config.allowTaggedSources,
    ttl: config.ttl,
    expiryWarningMinutes: config.expiryWarningMinutes,
    quotas: config.quotas,
    defaultOverrides: config.defaultOverrides,
    adminPrincipals: config.adminPrincipals,
    automation: config.automation,
    forkNetwork: config.forkNetwork,
    postRestoreHook: config.postRestoreHook,
    pools: config.pools,
  });
}
