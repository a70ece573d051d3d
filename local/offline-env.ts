import { type AutomationConfig, type ForkPolicy, forkPolicySchema } from '../lambdas/core/config.js';
import type { RuntimeEnv } from '../lambdas/core/env.js';
import { DEFAULT_HOOK_TIMEOUT_SECONDS, type PostRestoreHookConfig } from '../lambdas/core/hook-config.js';
import type { PoolConfig } from '../lambdas/core/pool-config.js';
import { NAMES } from '../lib/names.js';

/**
 * The run-time configuration of the offline mode: what the CDK stack would put in the functions'
 * environment, with local names and a policy that allows every source tagged
 * `dbfork:allow-fork=true` (plus any listed in DBFORK_ALLOWED_SOURCES) and TTLs down to one minute.
 */
export const OFFLINE_REGION = 'us-east-1';
export const OFFLINE_ACCOUNT = '123456789012';
export const OFFLINE_DOMAIN = 'forks.dbfork.internal';
export const OFFLINE_TABLE = 'dbfork-local';
export const OFFLINE_EVENT_BUS = NAMES.eventBus;
export const OFFLINE_SCHEDULE_GROUP = NAMES.scheduleGroup;
export const OFFLINE_SCHEDULER_ROLE_ARN = `arn:aws:iam::${OFFLINE_ACCOUNT}:role/dbfork-local-scheduler`;

export function offlineStateMachineArn(name: string): string {
  return `arn:aws:states:${OFFLINE_REGION}:${OFFLINE_ACCOUNT}:stateMachine:${name}`;
}

/** The expiry-warning function's ARN offline: what the warning schedules name as their target. */
export const OFFLINE_EXPIRY_WARNING_FUNCTION_ARN = `arn:aws:lambda:${OFFLINE_REGION}:${OFFLINE_ACCOUNT}:function:dbfork-expiry-warning`;

/** Comma- or space-separated identifiers (DBFORK_ALLOWED_SOURCES). */
export function parseSourceList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Live-fork quotas of the offline policy (the stack's defaults when not given). */
export type OfflineQuotas = Partial<
  Pick<ForkPolicy['quotas'], 'maxLiveForksPerOwner' | 'maxLiveForksPerSource'>
>;

/** What the offline mode's policy takes from its options; everything else is the stack's default. */
export interface OfflinePolicyOptions {
  allowedSources?: readonly string[];
  quotas?: OfflineQuotas;
  /** Commands in: who owns commanded forks, whether commands are consumed. @default the stack's */
  automation?: Partial<AutomationConfig>;
  postRestoreHook?: PostRestoreHookConfig;
  /** Minutes before expiry that `Fork Expiring` is published. @default the stack's (60) */
  expiryWarningMinutes?: number;
  /** Warm pools (DBFORK_POOLS). @default none */
  pools?: readonly PoolConfig[];
}

export function offlinePolicy(options: OfflinePolicyOptions = {}) {
  return forkPolicySchema.parse({
    allowedSources: [...(options.allowedSources ?? [])],
    allowTaggedSources: true,
    ttl: { defaultHours: 24, maxHours: 720, minMinutes: 1 },
    ...(options.expiryWarningMinutes === undefined
      ? {}
      : { expiryWarningMinutes: options.expiryWarningMinutes }),
    quotas: options.quotas ?? {},
    automation: options.automation ?? {},
    ...(options.postRestoreHook ? { postRestoreHook: options.postRestoreHook } : {}),
    pools: [...(options.pools ?? [])],
  });
}

/**
 * The hook configuration of offline hook modules (DBFORK_POST_RESTORE_HOOK): the first is the
 * default, every one may be asked for by name.
 */
export function offlineHookConfig(
  names: readonly string[],
  timeoutSeconds?: number,
): PostRestoreHookConfig | undefined {
  const [first] = names;
  if (first === undefined) return undefined;
  return {
    default: first,
    allowed: [...names],
    timeoutSeconds: timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS,
  };
}

export function offlineEnv(
  options: OfflinePolicyOptions & {
    endpoint: string;
    hostedZoneId: string;
  },
): RuntimeEnv {
  return {
    tableName: OFFLINE_TABLE,
    eventBusName: OFFLINE_EVENT_BUS,
    hostedZoneId: options.hostedZoneId,
    hostedZoneDomain: OFFLINE_DOMAIN,
    createStateMachineArn: offlineStateMachineArn(NAMES.createStateMachine),
    deleteStateMachineArn: offlineStateMachineArn(NAMES.deleteStateMachine),
    refreshStateMachineArn: offlineStateMachineArn(NAMES.refreshStateMachine),
    schedulerGroupName: OFFLINE_SCHEDULE_GROUP,
    schedulerRoleArn: OFFLINE_SCHEDULER_ROLE_ARN,
    expiryWarningFunctionArn: OFFLINE_EXPIRY_WARNING_FUNCTION_ARN,
    auditRetentionDays: 30,
    awsEndpoint: options.endpoint,
    policy: offlinePolicy(options),
  };
}
