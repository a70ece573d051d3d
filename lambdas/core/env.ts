import { type ForkPolicy, forkPolicySchema } from './config.js';
import * as z from './zod.js';

/**
 * Typed run-time configuration of every handler, read once from the environment.
 * The CDK stack sets these variables; the offline runtime and tests set the same names.
 */
export const ENV = {
  tableName: 'DBFORK_TABLE_NAME',
  eventBusName: 'DBFORK_EVENT_BUS_NAME',
  hostedZoneId: 'DBFORK_HOSTED_ZONE_ID',
  hostedZoneDomain: 'DBFORK_HOSTED_ZONE_DOMAIN',
  createStateMachineArn: 'DBFORK_CREATE_STATE_MACHINE_ARN',
  deleteStateMachineArn: 'DBFORK_DELETE_STATE_MACHINE_ARN',
  refreshStateMachineArn: 'DBFORK_REFRESH_STATE_MACHINE_ARN',
  schedulerGroupName: 'DBFORK_SCHEDULER_GROUP',
  schedulerRoleArn: 'DBFORK_SCHEDULER_ROLE_ARN',
  expiryWarningFunctionArn: 'DBFORK_EXPIRY_WARNING_FUNCTION_ARN',
  policy: 'DBFORK_POLICY',
  auditRetentionDays: 'DBFORK_AUDIT_RETENTION_DAYS',
  awsEndpoint: 'DBFORK_AWS_ENDPOINT',
  commandMaxReceives: 'DBFORK_COMMAND_MAX_RECEIVES',
} as const;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const nonEmpty = z.string().check(z.minLength(1));

const runtimeEnvSchema = z.object({
  tableName: nonEmpty,
  eventBusName: z._default(nonEmpty, 'default'),
  hostedZoneId: nonEmpty,
  hostedZoneDomain: z.pipe(
    nonEmpty,
    z.transform((d: string) => d.replace(/\.$/, '')),
  ),
  /** Only the functions that start or schedule workflows get these (avoids CloudFormation cycles). */
  createStateMachineArn: z.optional(nonEmpty),
  deleteStateMachineArn: z.optional(nonEmpty),
  refreshStateMachineArn: z.optional(nonEmpty),
  schedulerGroupName: z._default(nonEmpty, 'dbfork'),
  schedulerRoleArn: z.optional(nonEmpty),
  /** The function the warning schedules invoke (publishes `Fork Expiring`); with the two above. */
  expiryWarningFunctionArn: z.optional(nonEmpty),
  policy: z.pipe(
    z.pipe(
      z._default(z.string(), '{}'),
      z.transform((raw: string, ctx) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'is not JSON', input: raw });
          return z.NEVER;
        }
      }),
    ),
    forkPolicySchema,
  ),
  auditRetentionDays: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 30),
  awsEndpoint: z.optional(z.url()),
  /**
   * The command queue's maxReceiveCount (lib/commands.construct.ts): the command consumer's last
   * attempt at a failing command, after which the queue dead-letters it. Only that function gets it.
   */
  commandMaxReceives: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000))),
});
export type RuntimeEnv = Omit<z.infer<typeof runtimeEnvSchema>, 'policy'> & { policy: ForkPolicy };

/** Reads and validates the environment; a missing or bad variable is a ConfigurationError naming it. */
export function loadRuntimeEnv(source: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const raw = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, source[name] === '' ? undefined : source[name]]),
  );
  const parsed = runtimeEnvSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '') as keyof typeof ENV;
      const field = [ENV[key] ?? key, ...issue.path.slice(1)].join('.');
      return `${field} ${issue.message}`;
    });
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Fails with a named error when a function that needs an optional variable was not given it. */
export function required<T>(value: T | undefined, key: keyof typeof ENV): T {
  if (value === undefined) throw new ConfigurationError(`${ENV[key]} is not set for this function`);
  return value;
}
