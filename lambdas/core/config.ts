import * as z from 'zod';

/**
 * The one stack configuration object (cdk.json context `dbfork`, or DbFork construct props).
 * The part the Lambdas need at run time (`ForkPolicy`) travels to them as one JSON env var.
 */

const identifier = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z][A-Za-z0-9-:._/]*$/, 'must be a DB identifier or ARN');

/** Deployed stacks keep the one-hour minimum TTL unless configured otherwise. */
export const DEFAULT_MIN_TTL_MINUTES = 60;

/**
 * The shape of a fork's overrides; whether they fit the source (orderable class, storage of its
 * kind, IOPS) is checked against AWS at POST /v1/forks (lambdas/core/override-rules.ts).
 */
export const forkOverridesSchema = z.strictObject({
  instanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$|^db\.serverless$/, 'must look like db.t4g.medium (or db.serverless)')
    .optional(),
  multiAz: z.boolean().optional(),
  /** RDS instance: standard, gp2, gp3, io1, io2; Aurora: aurora, aurora-iopt1; DocumentDB: standard, iopt1. */
  storageType: z.enum(['gp2', 'gp3', 'io1', 'io2', 'standard', 'aurora', 'aurora-iopt1', 'iopt1']).optional(),
  /**
   * Provisioned IOPS of an RDS instance fork (io1/io2 need them, gp3 may take them). The restore
   * APIs' `Iops`: "Must be an integer greater than 1000" (SDK model, RestoreDBInstanceFromDBSnapshot);
   * the class's exact range comes from DescribeOrderableDBInstanceOptions.
   */
  iops: z.number().int('must be a whole number').min(1000, 'must be at least 1000').max(256_000).optional(),
});
export type ForkOverrides = z.infer<typeof forkOverridesSchema>;

export const forkPolicySchema = z.strictObject({
  /** Identifiers (or ARNs) that may be forked. Sources tagged dbfork:allow-fork=true are allowed too. */
  allowedSources: z.array(identifier).default([]),
  /** @default true */
  allowTaggedSources: z.boolean().default(true),
  ttl: z
    .strictObject({
      defaultHours: z.number().int().min(1).max(720).default(24),
      maxHours: z.number().int().min(1).max(720).default(720),
      /**
       * The shortest TTL a fork may be created or extended with (`ttlMinutes` / `ttlHours`), in
       * minutes. The offline mode sets 1 so a one-minute fork can be seen expiring. @default 60
       */
      minMinutes: z
        .number()
        .int()
        .min(1)
        .max(720 * 60)
        .default(DEFAULT_MIN_TTL_MINUTES),
    })
    .refine((ttl) => ttl.defaultHours <= ttl.maxHours, {
      message: 'ttl.defaultHours must not exceed ttl.maxHours',
      path: ['defaultHours'],
    })
    .refine((ttl) => ttl.minMinutes <= ttl.defaultHours * 60, {
      message: 'ttl.minMinutes must not exceed ttl.defaultHours (in minutes)',
      path: ['minMinutes'],
    })
    .default({ defaultHours: 24, maxHours: 720, minMinutes: DEFAULT_MIN_TTL_MINUTES }),
  quotas: z
    .strictObject({
      maxLiveForksPerOwner: z.number().int().min(1).default(10),
      maxLiveForksPerSource: z.number().int().min(1).default(20),
      /** Empty = any class. */
      allowedInstanceClasses: z.array(z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/)).default([]),
    })
    .default({ maxLiveForksPerOwner: 10, maxLiveForksPerSource: 20, allowedInstanceClasses: [] }),
  defaultOverrides: forkOverridesSchema.default({}),
  /** IAM principal ARNs that may extend or delete any fork. */
  adminPrincipals: z.array(z.string().min(1)).default([]),
  forkNetwork: z
    .strictObject({
      securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id')).optional(),
      subnetGroupName: z.string().min(1).optional(),
    })
    .default({}),
});
export type ForkPolicy = z.infer<typeof forkPolicySchema>;

export const stackConfigSchema = z.strictObject({
  ...forkPolicySchema.shape,
  hostedZone: z.strictObject({
    id: z.string().regex(/^Z[A-Z0-9]+$/, 'must be a Route 53 hosted zone id like Z0123456789ABC'),
    domain: z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\.?$/,
        'must be a DNS domain like forks.example.internal',
      ),
  }),
  /** Days a deleted fork's record is kept for audit. @default 30 */
  auditRetentionDays: z.number().int().min(1).max(3650).default(30),
  /** Minutes between reconciler runs. @default 5 */
  reconcileRateMinutes: z.number().int().min(1).max(1440).default(5),
  /** Log retention for every function, in days. @default 30 */
  logRetentionDays: z.number().int().min(1).default(30),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** The run-time subset of the stack config. */
export function policyOf(config: StackConfig): ForkPolicy {
  return forkPolicySchema.parse({
    allowedSources: config.allowedSources,
    allowTaggedSources: config.allowTaggedSources,
    ttl: config.ttl,
    quotas: config.quotas,
    defaultOverrides: config.defaultOverrides,
    adminPrincipals: config.adminPrincipals,
    forkNetwork: config.forkNetwork,
  });
}
