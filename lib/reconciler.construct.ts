import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/core/env.js';
import { DbForkFunction } from './dbfork-function.js';
import {
  grantFunction,
  ORPHAN_DATABASES_FUNCTION,
  ORPHAN_LEFTOVERS_FUNCTION,
  type PermissionTargets,
  POOL_KEEPER_FUNCTION,
  RECONCILER_FUNCTION,
  type ReconcilerFunctionName,
} from './permissions.js';

/** Names the reconciler among the dbfork functions (the step functions carry DBFORK_STEP). */
export const FUNCTION_ENV_VAR = 'DBFORK_FUNCTION';

/** The reconciler's sweeps: each its own Lambda with only its own clients and permissions. */
export const RECONCILER_SWEEPS: readonly {
  name: ReconcilerFunctionName;
  entry: string;
  description: string;
}[] = [
  {
    name: RECONCILER_FUNCTION,
    entry: 'lambdas/events/reconciler.ts',
    description: 'dbfork reconciler: expired forks, stalled deletes, stuck creates (starts DeleteFork)',
  },
  {
    name: ORPHAN_DATABASES_FUNCTION,
    entry: 'lambdas/events/orphan-databases.ts',
    description: 'dbfork reconciler: removes tagged databases and snapshots of forks with no live record',
  },
  {
    name: ORPHAN_LEFTOVERS_FUNCTION,
    entry: 'lambdas/events/orphan-leftovers.ts',
    description:
      'dbfork reconciler: removes tagged secrets, schedules and DNS names of forks with no live record',
  },
  {
    name: POOL_KEEPER_FUNCTION,
    entry: 'lambdas/events/pool-keeper.ts',
    description: 'dbfork pool keeper: refills, recycles and drains the warm pools (starts CreateFork)',
  },
];

export interface ForkReconcilerProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  /** ARN of the CreateFork state machine (the pool keeper starts members' creates). */
  readonly createStateMachineArn: string;
  /** ARN of the DeleteFork state machine (built from its name). */
  readonly deleteStateMachineArn: string;
  /** The RefreshFork machine the reconciler hands stuck refreshes to (built from its name). */
  readonly refreshStateMachineArn: string;
  readonly targets: PermissionTargets;
  /** Minutes between runs (config `reconcileRateMinutes`). */
  readonly rateMinutes: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The reconciler (lambdas/events/reconciler.ts and the two orphan sweeps) and the one EventBridge
 * rule that runs all three every `rateMinutes`: expired-but-alive forks, stuck workflows, and
 * orphans tagged dbfork:managed.
 */
export class ForkReconciler extends Construct {
  /** By function name. */
  readonly functions: Readonly<Record<ReconcilerFunctionName, DbForkFunction>>;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ForkReconcilerProps) {
    super(scope, id);
    const built: Partial<Record<ReconcilerFunctionName, DbForkFunction>> = {};
    for (const sweep of RECONCILER_SWEEPS) {
      const fn = new DbForkFunction(this, sweep.name, {
        entry: sweep.entry,
        description: sweep.description,
        // One run walks the table or the tagged resources; it must end before the next run starts.
        timeout: Duration.seconds(Math.min(300, props.rateMinutes * 60)),
        logRetention: props.logRetention,
        environment: {
          ...props.environment,
          [FUNCTION_ENV_VAR]: sweep.name,
          ...(sweep.name === RECONCILER_FUNCTION
            ? {
                [ENV.deleteStateMachineArn]: props.deleteStateMachineArn,
                [ENV.refreshStateMachineArn]: props.refreshStateMachineArn,
              }
            : {}),
          ...(sweep.name === POOL_KEEPER_FUNCTION
            ? {
                [ENV.createStateMachineArn]: props.createStateMachineArn,
                [ENV.deleteStateMachineArn]: props.deleteStateMachineArn,
              }
            : {}),
        },
      });
      grantFunction(fn, sweep.name, props.targets);
      built[sweep.name] = fn;
    }
    this.functions = built as Record<ReconcilerFunctionName, DbForkFunction>;

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the dbfork reconciler sweeps',
      schedule: events.Schedule.rate(Duration.minutes(props.rateMinutes)),
      // A missed run is not retried: the next one does the same work.
      targets: Object.values(this.functions).map(
        (fn) => new targets.LambdaFunction(fn, { retryAttempts: 0 }),
      ),
    });
  }
}
