import * as z from 'zod';
import { type ForkPolicy, forkPolicySchema } from './config.js';

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
  schedulerGroupName: 'DBFORK_SCHEDULER_GROUP',
  schedulerRoleArn: 'DBFORK_SCHEDULER_ROLE_ARN',
  policy: 'DBFORK_POLICY',
  auditRetentionDays: 'DBFORK_AUDIT_RETENTION_DAYS',
  awsEndpoint: 'DBFORK_AWS_ENDPOINT',
} as const;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const runtimeEnvSchema = z.object({
  tableName: z.string().min(1),
  eventBusName: z.string().min(1).default('default'),
  hostedZoneId: z.string().min(1),
  hostedZoneDomain: z
    .string()
    .min(1)
    .transform((d) => d.replace(/\.$/, '')),
  /** Only the functions that start or schedule workflows get these (avoids CloudFormation cycles). */
  createStateMachineArn: z.string().min(1).optional(),
  deleteStateMachineArn: z.string().min(1).optional(),
  schedulerGroupName: z.string().min(1).default('dbfork'),
  schedulerRoleArn: z.string().min(1).optional(),
  policy: z
    .string()
    .default('{}')
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(forkPolicySchema),
  auditRetentionDays: z.coerce.number().int().min(1).default(30),
  awsEndpoint: z.string().url().optional(),
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
