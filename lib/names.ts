import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * Fixed physical names. DESIGN.md fixes the bus and the schedule group to `dbfork`, so one dbfork
 * runs per account and region; the state machines get fixed names too so their ARNs can be built
 * (Stack.formatArn) by the functions that start them without a CloudFormation dependency cycle.
 */
export const NAMES = {
  eventBus: 'dbfork',
  scheduleGroup: 'dbfork',
  createStateMachine: 'dbfork-create',
  deleteStateMachine: 'dbfork-delete',
  refreshStateMachine: 'dbfork-refresh',
  restApi: 'dbfork',
} as const;

/**
 * Prefix of every RDS / DocumentDB identifier dbfork creates (fork ids are `fork-<12 chars>`, see
 * lambdas/core/ids.ts; instances, fresh snapshots and secrets derive from the fork id).
 */
export const FORK_RESOURCE_PREFIX = 'fork-';

/** The tag every resource dbfork creates carries; IAM conditions key on it. */
export const MANAGED_TAG = { key: 'dbfork:managed', value: 'true' } as const;

export function stateMachineArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
