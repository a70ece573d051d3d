import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DbForkFunction } from './dbfork-function.js';
import { EXPIRY_WARNING_FUNCTION, grantFunction, type PermissionTargets } from './permissions.js';
import { FUNCTION_ENV_VAR } from './reconciler.construct.js';

export interface ForkExpiryWarningProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  readonly targets: PermissionTargets;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The function each fork's warning schedule (`dbfork-warn-<fork id>`, created at run time next to
 * its expiry schedule) invokes a lead time before the expiry: lambdas/events/expiry-warning.ts,
 * which publishes `Fork Expiring` unless the fork was deleted or its expiry moved. It reads and
 * writes the fork table and puts events on the dbfork bus, nothing else; the scheduler role may
 * invoke it (and no other function).
 */
export class ForkExpiryWarning extends Construct {
  readonly function: DbForkFunction;

  constructor(scope: Construct, id: string, props: ForkExpiryWarningProps) {
    super(scope, id);
    this.function = new DbForkFunction(this, 'Function', {
      entry: 'lambdas/events/expiry-warning.ts',
      description: 'dbfork: publishes Fork Expiring a lead time before a fork expires',
      logRetention: props.logRetention,
      environment: { ...props.environment, [FUNCTION_ENV_VAR]: EXPIRY_WARNING_FUNCTION },
    });
    grantFunction(this.function, EXPIRY_WARNING_FUNCTION, props.targets);
    // Scheduler invokes a Lambda target with the schedule's execution role (templated target
    // Lambda Invoke: "Using templated targets in EventBridge Scheduler").
    props.targets.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeExpiryWarningOnly',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
  }
}
