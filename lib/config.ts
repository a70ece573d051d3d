import type { Construct } from 'constructs';
import type { z } from 'zod';
import { type StackConfig, type StackConfigInput, stackConfigSchema } from '../lambdas/core/config.js';

/** The cdk.json context key holding the stack configuration. */
export const CONFIG_CONTEXT_KEY = 'dbfork';

/** Retention periods CloudWatch Logs accepts; anything else fails at deploy time, so we fail at synth. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A stack configuration that does not validate. The message names every bad field. */
export class DbForkConfigError extends Error {
  override readonly name = 'DbForkConfigError';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => (path ? `${path}.${key}` : key));
    return `${fields.join(', ')} ${fields.length === 1 ? 'is not a known field' : 'are not known fields'}`;
  }
  if (!path) return `(root) ${issue.message}`;
  // Refinements already name their field ("ttl.defaultHours must not exceed ttl.maxHours").
  return issue.message.startsWith(path) ? issue.message : `${path} ${issue.message}`;
}

/**
 * Validates a stack configuration (cdk.json context `dbfork` or DbFork props) and applies defaults.
 * @throws DbForkConfigError naming each bad field, e.g. `dbfork config: hostedZone.id must be ...`.
 */
export function parseConfig(input: unknown): StackConfig {
  const parsed = stackConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new DbForkConfigError(`dbfork config: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const config = parsed.data;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(config.logRetentionDays)) {
    throw new DbForkConfigError(
      `dbfork config: logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention periods), got ${config.logRetentionDays}`,
    );
  }
  return config;
}

/**
 * Reads the configuration from the construct tree's context (`cdk.json` or `-c dbfork='{...}'`).
 * @throws DbForkConfigError when it is missing or invalid.
 */
export function configFromContext(scope: Construct): StackConfig {
  let raw: unknown = scope.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (raw === undefined) {
    throw new DbForkConfigError(
      `dbfork config: missing; set the context key "${CONFIG_CONTEXT_KEY}" in cdk.json (or pass -c ${CONFIG_CONTEXT_KEY}='{...}')`,
    );
  }
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch (error) {
      throw new DbForkConfigError(`dbfork config: context "${CONFIG_CONTEXT_KEY}" is not valid JSON`, {
        cause: error,
      });
    }
  }
  return parseConfig(raw);
}

export type { StackConfig, StackConfigInput };
