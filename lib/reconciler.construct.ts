import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/core/env.js';
import { DbForkFunction } from './dbfork-function.js';
import { grantFunction, type PermissionTargets, RECONCILER_FUNCTION } from './permissions.js';

/** Names the reconciler among the dbfork functions (the step functions carry DBFORK_STEP). */
export const FUNCTION_ENV_VAR = 'DBFORK_FUNCTION';

export interface ForkReconcilerProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  /** ARN of the DeleteFork state machine (built from its name). */
  readonly deleteStateMachineArn: string;
  readonly targets: PermissionTargets;
  /** Minutes between runs (config `reconcileRateMinutes`). */
  readonly rateMinutes: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The reconciler (lambdas/events/reconciler.ts) and the EventBridge rule that runs it every
 * `rateMinutes`: expired-but-alive forks, orphans tagged dbfork:managed, stuck creates.
 */
export class ForkReconciler extends Construct {
  readonly function: DbForkFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ForkReconcilerProps) {
    super(scope, id);
    this.function = new DbForkFunction(this, 'Function', {
      entry: 'lambdas/events/reconciler.ts',
      description: 'dbfork reconciler: expired forks, orphaned resources, stuck workflows',
      // One run walks the table and every tagged resource; it must end before the next run starts.
      timeout: Duration.seconds(Math.min(300, props.rateMinutes * 60)),
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [FUNCTION_ENV_VAR]: RECONCILER_FUNCTION,
        [ENV.deleteStateMachineArn]: props.deleteStateMachineArn,
      },
    });
    grantFunction(this.function, RECONCILER_FUNCTION, props.targets);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the dbfork reconciler',
      schedule: events.Schedule.rate(Duration.minutes(props.rateMinutes)),
      // A missed run is not retried: the next one does the same work.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
