import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/core/env.js';
import { HOOK_STEP_MARGIN_SECONDS, type PostRestoreHookConfig } from '../lambdas/core/hook-config.js';
import { STEP_ENV_VAR, STEP_NAMES, type StepName } from '../lambdas/steps/step-names.js';
import { DbForkFunction } from './dbfork-function.js';
import { API_FUNCTIONS, grantFunction, type PermissionTargets } from './permissions.js';
import { FUNCTION_ENV_VAR } from './reconciler.construct.js';
import type { StepFunctions } from './workflows.construct.js';

/** The groups of API routes, each served by its own function (`lambdas/api/functions/<group>.ts`). */
export type ApiGroup = keyof typeof API_FUNCTIONS;

export interface ForkFunctionsProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  /** ARN of the CreateFork state machine (built from its name: no dependency on the machine). */
  readonly createStateMachineArn: string;
  /** ARN of the DeleteFork state machine (built from its name). */
  readonly deleteStateMachineArn: string;
  /** ARN of the RefreshFork state machine (built from its name). */
  readonly refreshStateMachineArn: string;
  /** ARN of the function the warning schedules invoke (publishes `Fork Expiring`). */
  readonly expiryWarningFunctionArn: string;
  /** What the functions' IAM statements point at. */
  readonly targets: PermissionTargets;
  /** Retention of every function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** The post-restore hook configuration. @default - no hook: no run-hook function */
  readonly postRestoreHook?: PostRestoreHookConfig;
}

/** `check-database` → `CheckDatabase`. */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * One Lambda per workflow step (`lambdas/steps/<step>.ts`, env DBFORK_STEP=<step>) and one per group
 * of HTTP API routes (`lambdas/api/functions/<group>.ts`), each with exactly the permissions of
 * lib/permissions.ts.
 */
export class ForkFunctions extends Construct {
  readonly steps: StepFunctions<DbForkFunction>;
  readonly api: Readonly<Record<ApiGroup, DbForkFunction>>;

  constructor(scope: Construct, id: string, props: ForkFunctionsProps) {
    super(scope, id);
    const scheduling = {
      [ENV.deleteStateMachineArn]: props.deleteStateMachineArn,
      [ENV.refreshStateMachineArn]: props.refreshStateMachineArn,
      [ENV.expiryWarningFunctionArn]: props.expiryWarningFunctionArn,
      [ENV.schedulerRoleArn]: props.targets.schedulerRole.roleArn,
    };
    // The steps that put schedules: the expiry and refresh schedules at create, the expiry moved by a refresh.
    const scheduler: readonly StepName[] = ['schedule-expiry', 'announce-refresh'];

    const steps: Partial<Record<StepName, DbForkFunction>> = {};
    const hook = props.postRestoreHook;
    for (const step of STEP_NAMES) {
      if (step === 'run-hook' && !hook) continue;
      const fn = new DbForkFunction(this, pascalCase(step), {
        entry: `lambdas/steps/${step}.ts`,
        description: `dbfork workflow step ${step}`,
        // run-hook waits for the hook: it must outlive the hook's timeout (at most 840 s, so <= 900 s).
        ...(step === 'run-hook' && hook
          ? { timeout: Duration.seconds(hook.timeoutSeconds + HOOK_STEP_MARGIN_SECONDS) }
          : {}),
        logRetention: props.logRetention,
        environment: {
          ...props.environment,
          [STEP_ENV_VAR]: step,
          ...(scheduler.includes(step) ? scheduling : {}),
        },
      });
      grantFunction(fn, step, props.targets);
      steps[step] = fn;
    }
    this.steps = steps as StepFunctions<DbForkFunction>;

    // Each API function gets the variables of what it starts or schedules, and nothing more.
    const apiEnvironment: Record<ApiGroup, Record<string, string>> = {
      create: { [ENV.createStateMachineArn]: props.createStateMachineArn },
      forks: scheduling,
      sources: {},
    };
    const api: Partial<Record<ApiGroup, DbForkFunction>> = {};
    for (const group of Object.keys(API_FUNCTIONS) as ApiGroup[]) {
      const fn = new DbForkFunction(this, pascalCase(API_FUNCTIONS[group]), {
        entry: `lambdas/api/functions/${group}.ts`,
        description: `dbfork HTTP API (v1): ${group} routes`,
        // API Gateway gives up on an integration after 29 s.
        timeout: Duration.seconds(29),
        logRetention: props.logRetention,
        environment: {
          ...props.environment,
          [FUNCTION_ENV_VAR]: API_FUNCTIONS[group],
          ...apiEnvironment[group],
        },
      });
      grantFunction(fn, API_FUNCTIONS[group], props.targets);
      api[group] = fn;
    }
    this.api = api as Record<ApiGroup, DbForkFunction>;
  }
}
