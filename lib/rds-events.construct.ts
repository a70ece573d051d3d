import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DbForkFunction } from './dbfork-function.js';
import { FORK_RESOURCE_PREFIX } from './names.js';
import { grantFunction, type PermissionTargets, RDS_EVENT_FUNCTION } from './permissions.js';
import { FUNCTION_ENV_VAR } from './reconciler.construct.js';

/**
 * The detail-types of RDS events about databases and snapshots (Amazon EventBridge events
 * reference, "Amazon Relational Database Service events"); DocumentDB's arrive the same way.
 */
export const RDS_EVENT_DETAIL_TYPES = [
  'RDS DB Instance Event',
  'RDS DB Cluster Event',
  'RDS DB Snapshot Event',
  'RDS DB Cluster Snapshot Event',
] as const;

export interface ForkRdsEventsProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  readonly targets: PermissionTargets;
  readonly logRetention: logs.RetentionDays;
}

/**
 * RDS events complete the workflows' waits (docs/workflows.md): a rule on the account's DEFAULT
 * bus (where AWS services put their events; dbfork's own bus only carries dbfork's) for events of
 * `fork-*` resources, invoking lambdas/events/rds-event.ts, which re-checks with a Describe and
 * completes the wait parked on the fork.
 */
export class ForkRdsEvents extends Construct {
  readonly function: DbForkFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ForkRdsEventsProps) {
    super(scope, id);
    this.function = new DbForkFunction(this, 'Function', {
      entry: 'lambdas/events/rds-event.ts',
      description: 'dbfork: completes workflow waits from RDS events',
      logRetention: props.logRetention,
      environment: { ...props.environment, [FUNCTION_ENV_VAR]: RDS_EVENT_FUNCTION },
    });
    grantFunction(this.function, RDS_EVENT_FUNCTION, props.targets);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'RDS events of dbfork forks complete their workflow waits',
      // No eventBus: the default bus, where RDS puts its events.
      eventPattern: {
        source: ['aws.rds'],
        detailType: [...RDS_EVENT_DETAIL_TYPES],
        // Bare (`fork-…`) as delivered, or `rds:fork-…` as AWS's event examples show it.
        detail: {
          SourceIdentifier: events.Match.anyOf(
            events.Match.prefix(FORK_RESOURCE_PREFIX),
            events.Match.prefix(`rds:${FORK_RESOURCE_PREFIX}`),
          ),
        },
      },
      // A lost event costs only latency: the wait's safety-net check still runs. Two retries.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
