import * as z from './zod.js';

/**
 * Warm pools (`pools` in the stack configuration): per source, databases restored ahead of time
 * from its latest backup, so that a create a member satisfies only has to rotate credentials,
 * write the secret, the DNS name and the expiry. The cost is in plain sight: `size` databases of
 * the source's (or `instanceClass`) class run all the time.
 */

/** Members a pool may keep: each is a running database billed by the hour. */
export const MAX_POOL_SIZE = 20;
/** A member older than this is replaced (then deleted) unless configured otherwise. */
export const DEFAULT_POOL_MAX_AGE_HOURS = 24;

const sourceIdentifier = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(63),
    z.regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be the identifier of a DB instance or cluster'),
  );

export const poolSchema = z.strictObject({
  /** The source's DB instance or cluster identifier (as `GET /v1/sources` lists it). */
  source: sourceIdentifier,
  /** Members kept ready. */
  size: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_POOL_SIZE)),
  /** Hours after which a member is replaced by a fresh one, then deleted. @default 24 */
  maxAgeHours: z._default(
    z.number().check(z.int(), z.minimum(1), z.maximum(720)),
    DEFAULT_POOL_MAX_AGE_HOURS,
  ),
  /** The members' class; a create that asks for another class does not take a member. @default the source's */
  instanceClass: z.optional(
    z.string().check(z.regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must look like db.t4g.medium')),
  ),
  /** Replace members restored from an older backup once the source has a newer one. @default false */
  recycleOnNewBackup: z._default(z.boolean(), false),
});
export type PoolConfig = z.infer<typeof poolSchema>;

export const poolsSchema = z
  .array(poolSchema)
  .check(
    z.refine(
      (pools) => new Set(pools.map((pool) => pool.source)).size === pools.length,
      'must name each source once',
    ),
  );

/** The overrides a member of `pool` is restored with (on top of the stack's default overrides). */
export function memberOverrides(pool: PoolConfig): { instanceClass?: string } {
  return pool.instanceClass ? { instanceClass: pool.instanceClass } : {};
}

/** The pool of a source, if it has one. */
export function poolOf(pools: readonly PoolConfig[], sourceId: string): PoolConfig | undefined {
  return pools.find((pool) => pool.source === sourceId);
}

/**
 * The offline form, `DBFORK_POOLS="orders-postgres=2,analytics-aurora=1"`: `source=size` pairs
 * separated by commas, every member kept {@link DEFAULT_POOL_MAX_AGE_HOURS} hours.
 * @throws Error naming the bad pair.
 */
export function parsePoolsSpec(spec: string): PoolConfig[] {
  const pairs = spec
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
  const pools = pairs.map((pair) => {
    const match = /^([^=\s]+)=(\d+)$/.exec(pair);
    if (!match) throw new Error(`DBFORK_POOLS: "${pair}" is not source=size (e.g. orders-postgres=2)`);
    return { source: match[1], size: Number(match[2]) };
  });
  const parsed = poolsSchema.safeParse(pools);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `DBFORK_POOLS: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is not valid'}`.trim(),
    );
  }
  return parsed.data;
}
