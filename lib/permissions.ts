/**
 * Every IAM permission of every dbfork function, in one place so it can be reviewed.
 *
 * Safety invariant 1 (DESIGN.md §3): dbfork may only modify or delete what it created. Everything
 * it creates is tagged `dbfork:managed=true` at creation and named `fork-…`; so
 *  - every rds Delete*, Modify*, Reboot* on a database/snapshot requires
 *    `aws:ResourceTag/dbfork:managed = "true"` (and a `fork-*` ARN),
 *  - every create/restore (rds:RestoreDB*, CreateDBInstance, CreateDB*Snapshot, AddTagsToResource,
 *    secretsmanager:CreateSecret/TagResource) requires `aws:RequestTag/dbfork:managed = "true"`,
 *  - reads (rds:Describe*, ListTagsForResource) may use `*`: they must see any allow-listed source.
 * DocumentDB uses the `rds:` namespace and RDS ARNs, so the same statements cover it.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { StepName } from '../lambdas/steps/step-names.js';
import { FORK_RESOURCE_PREFIX, MANAGED_TAG, NAMES, stateMachineArn } from './names.js';

/** A named bundle of statements; functions are granted bundles, not raw actions. */
export type Capability =
  | 'rds:read'
  | 'rds:snapshot-source'
  | 'rds:restore'
  | 'rds:create-instance'
  | 'rds:modify'
  | 'rds:attach-source-groups'
  | 'rds:delete'
  | 'secrets:write'
  | 'secrets:delete'
  | 'dns:write'
  | 'schedules:write'
  | 'schedules:delete'
  | 'events:put'
  | 'workflows:start'
  | 'workflows:start-delete'
  | 'reconcile:scan';

/** The function name of the HTTP API handler (the step functions are named by their step). */
export const API_FUNCTION = 'api';
/** The scheduled reconciler (lambdas/events/reconciler.ts). */
export const RECONCILER_FUNCTION = 'reconciler';
export type FunctionName = StepName | typeof API_FUNCTION | typeof RECONCILER_FUNCTION;

/**
 * Who may do what. Every function also reads and writes the fork table (grantReadWriteData).
 * Keep this table in step with what each handler calls.
 */
export const FUNCTION_CAPABILITIES: Readonly<Record<FunctionName, readonly Capability[]>> = {
  // create
  'resolve-source': ['rds:read'],
  'select-backup': ['rds:read', 'rds:snapshot-source'],
  'check-snapshot': ['rds:read'],
  restore: ['rds:read', 'rds:restore', 'rds:modify', 'rds:attach-source-groups'],
  'check-database': ['rds:read'],
  'create-instances': ['rds:read', 'rds:create-instance', 'rds:modify', 'rds:attach-source-groups'],
  'rotate-credentials': ['rds:read', 'rds:modify', 'secrets:write'],
  'check-credentials': ['rds:read'],
  'register-dns': ['rds:read', 'dns:write'],
  'schedule-expiry': ['schedules:write'],
  'mark-ready': ['events:put'],
  // delete / cleanup
  'mark-deleting': [],
  'remove-dns': ['dns:write'],
  'delete-database': ['rds:read', 'rds:delete'],
  // re-issues the (idempotent) delete while the database is stuck in a transition
  'check-gone': ['rds:read', 'rds:delete'],
  'delete-secret': ['secrets:delete'],
  'delete-schedule': ['schedules:delete'],
  'mark-deleted': ['events:put'],
  'mark-failed': ['events:put'],
  // HTTP API: lists sources/backups, starts workflows, moves a fork's expiry schedule, emits Fork Requested
  api: ['rds:read', 'workflows:start', 'schedules:write', 'events:put'],
  // Reconciler: finds tagged resources, restarts deletes, and tears down orphans and stuck creates
  // with the same tag-guarded calls (and tag-conditioned statements) as the delete steps.
  reconciler: [
    'rds:read',
    'reconcile:scan',
    'workflows:start-delete',
    'rds:delete',
    'dns:write',
    'secrets:delete',
    'schedules:delete',
    'events:put',
  ],
};

/** What the statements point at. */
export interface PermissionTargets {
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly hostedZoneArn: string;
  readonly schedulerRole: iam.IRole;
}

const MANAGED_REQUEST = { StringEquals: { [`aws:RequestTag/${MANAGED_TAG.key}`]: MANAGED_TAG.value } };
const MANAGED_RESOURCE = { StringEquals: { [`aws:ResourceTag/${MANAGED_TAG.key}`]: MANAGED_TAG.value } };

const RESTORE_ACTIONS = [
  'rds:RestoreDBInstanceFromDBSnapshot',
  'rds:RestoreDBInstanceToPointInTime',
  'rds:RestoreDBClusterFromSnapshot',
  'rds:RestoreDBClusterToPointInTime',
];

type RdsResourceType = 'db' | 'cluster' | 'snapshot' | 'cluster-snapshot' | 'pg' | 'cluster-pg' | 'og';

function rdsArn(scope: Construct, type: RdsResourceType, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds',
    resource: type,
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARNs of resources dbfork creates (identifiers start with `fork-`). */
function forkArns(scope: Construct, ...types: RdsResourceType[]): string[] {
  return types.map((type) => rdsArn(scope, type, `${FORK_RESOURCE_PREFIX}*`));
}

function secretArns(scope: Construct): string[] {
  // Secret ARNs end in a random 6-character suffix: dbfork/fork-abc123def456-AbCdEf.
  return [
    Stack.of(scope).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: 'dbfork/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  ];
}

function scheduleArns(scope: Construct): string[] {
  return [
    Stack.of(scope).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${NAMES.scheduleGroup}/*`,
    }),
  ];
}

/** The policy statements of one capability. */
export function statementsFor(
  capability: Capability,
  scope: Construct,
  targets: PermissionTargets,
): iam.PolicyStatement[] {
  switch (capability) {
    case 'rds:read':
      return [
        new iam.PolicyStatement({
          sid: 'ReadDatabasesAndBackups',
          actions: ['rds:Describe*', 'rds:ListTagsForResource'],
          resources: ['*'],
        }),
      ];

    case 'rds:snapshot-source':
      // `fresh-snapshot`: the only write dbfork makes that touches a source (safety invariant 3).
      // CreateDB*Snapshot authorizes on the source (db / cluster) and on the new snapshot.
      return [
        new iam.PolicyStatement({
          sid: 'SnapshotSourceIntoManagedSnapshot',
          actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot'],
          resources: [
            rdsArn(scope, 'db', '*'),
            rdsArn(scope, 'cluster', '*'),
            ...forkArns(scope, 'snapshot', 'cluster-snapshot'),
          ],
          conditions: MANAGED_REQUEST,
        }),
        // RDS authorizes rds:AddTagsToResource too when a create call carries Tags.
        new iam.PolicyStatement({
          sid: 'TagManagedSnapshotsOnCreate',
          actions: ['rds:AddTagsToResource'],
          resources: forkArns(scope, 'snapshot', 'cluster-snapshot'),
          conditions: MANAGED_REQUEST,
        }),
      ];

    case 'rds:restore':
      return [
        // A restore is authorized on several resources: the new db/cluster, the source snapshot
        // (or the source db/cluster for point-in-time and clone), and the option/parameter/subnet
        // groups it names (Service Authorization Reference; "If you limit resource access with the
        // Resource element ... you must include an ARN or pattern for each required resource type").
        // aws:RequestTag is a request-context key, so it holds for every one of those
        // authorizations of the same call: one statement on "*" with the RequestTag condition
        // covers them all. Scoping Resource to `db:fork-*` would need a second statement for the
        // snapshot and groups, and point-in-time restores need `db:*` / `cluster:*` (any
        // allow-listed source) anyway, so that split would add nothing. What the condition buys:
        // nothing can be restored unless it is born tagged dbfork:managed=true.
        new iam.PolicyStatement({
          sid: 'RestoreIntoManagedForks',
          actions: RESTORE_ACTIONS,
          resources: ['*'],
          conditions: MANAGED_REQUEST,
        }),
        new iam.PolicyStatement({
          sid: 'TagManagedForksOnCreate',
          actions: ['rds:AddTagsToResource'],
          // Only `fork-*` ARNs: an existing source can never be tagged into dbfork's control.
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: MANAGED_REQUEST,
        }),
        // Restoring a snapshot encrypted with a customer managed key: RDS creates a grant on the
        // caller's behalf. Only through RDS, only for AWS resources.
        new iam.PolicyStatement({
          sid: 'LetRdsUseSourceKeys',
          actions: ['kms:CreateGrant', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:ViaService': `rds.${Stack.of(scope).region}.amazonaws.com` },
          },
        }),
      ];

    case 'rds:create-instance':
      return [
        // Aurora / DocumentDB clusters have zero instances after a restore. CreateDBInstance is
        // authorized on the new instance and the groups/cluster it names: same reasoning as restore.
        new iam.PolicyStatement({
          sid: 'CreateManagedInstances',
          actions: ['rds:CreateDBInstance'],
          resources: ['*'],
          conditions: MANAGED_REQUEST,
        }),
        new iam.PolicyStatement({
          sid: 'TagManagedInstancesOnCreate',
          actions: ['rds:AddTagsToResource'],
          resources: forkArns(scope, 'db'),
          conditions: MANAGED_REQUEST,
        }),
      ];

    case 'rds:modify':
      return [
        new iam.PolicyStatement({
          sid: 'ModifyManagedForks',
          actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster', 'rds:RebootDBInstance'],
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: MANAGED_RESOURCE,
        }),
      ];

    case 'rds:attach-source-groups':
      // DocumentDB's RestoreDBClusterToPointInTime takes no parameter group, so it is set after the
      // restore with ModifyDBCluster. RDS then also authorizes the parameter/option group *named* in
      // the call (resource types cluster-pg / pg / og of ModifyDB*); those are the source's groups,
      // untagged, and are only attached, never changed (changing one is ModifyDB*ParameterGroup /
      // ModifyOptionGroup, not granted). The fork itself must still pass ModifyManagedForks above.
      return [
        new iam.PolicyStatement({
          sid: 'AttachSourceGroupsToManagedForks',
          actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'],
          resources: [rdsArn(scope, 'pg', '*'), rdsArn(scope, 'cluster-pg', '*'), rdsArn(scope, 'og', '*')],
        }),
      ];

    case 'rds:delete':
      return [
        new iam.PolicyStatement({
          sid: 'DeleteManagedForks',
          // DeleteDBCluster is authorized on the cluster and on the cluster-snapshot (final
          // snapshot) resource types. dbfork skips final snapshots (forks are disposable; a final
          // snapshot would also need rds:CreateDBClusterSnapshot since Aug 2024).
          actions: [
            'rds:DeleteDBInstance',
            'rds:DeleteDBCluster',
            'rds:DeleteDBSnapshot',
            'rds:DeleteDBClusterSnapshot',
          ],
          resources: forkArns(scope, 'db', 'cluster', 'snapshot', 'cluster-snapshot'),
          conditions: MANAGED_RESOURCE,
        }),
      ];

    case 'secrets:write':
      return [
        // CreateSecret with Tags also authorizes secretsmanager:TagResource.
        new iam.PolicyStatement({
          sid: 'CreateManagedForkSecrets',
          actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
          resources: secretArns(scope),
          conditions: MANAGED_REQUEST,
        }),
        // A retried rotation reuses the password already stored (ForkSecrets.read).
        new iam.PolicyStatement({
          sid: 'ReadManagedForkSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretArns(scope),
          conditions: MANAGED_RESOURCE,
        }),
        // No tag condition on the read: a missing secret must read as "not found", not "denied".
        new iam.PolicyStatement({
          sid: 'DescribeForkSecrets',
          actions: ['secretsmanager:DescribeSecret'],
          resources: secretArns(scope),
        }),
      ];

    case 'secrets:delete':
      return [
        new iam.PolicyStatement({
          sid: 'DeleteManagedForkSecrets',
          actions: ['secretsmanager:DeleteSecret'],
          resources: secretArns(scope),
          conditions: MANAGED_RESOURCE,
        }),
        new iam.PolicyStatement({
          sid: 'DescribeForkSecrets',
          actions: ['secretsmanager:DescribeSecret'],
          resources: secretArns(scope),
        }),
      ];

    case 'dns:write':
      return [
        new iam.PolicyStatement({
          sid: 'ManageForkRecordsInConfiguredZone',
          actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
          resources: [targets.hostedZoneArn],
        }),
      ];

    case 'schedules:write':
      return [
        new iam.PolicyStatement({
          sid: 'WriteForkExpirySchedules',
          actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:GetSchedule'],
          resources: scheduleArns(scope),
        }),
        new iam.PolicyStatement({
          sid: 'PassSchedulerRoleToScheduler',
          actions: ['iam:PassRole'],
          resources: [targets.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ];

    case 'schedules:delete':
      return [
        new iam.PolicyStatement({
          sid: 'DeleteForkExpirySchedules',
          actions: ['scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
          resources: scheduleArns(scope),
        }),
      ];

    case 'events:put':
      return [
        new iam.PolicyStatement({
          sid: 'PublishLifecycleEvents',
          actions: ['events:PutEvents'],
          resources: [targets.eventBus.eventBusArn],
        }),
      ];

    case 'workflows:start':
      return [
        new iam.PolicyStatement({
          sid: 'StartForkWorkflows',
          actions: ['states:StartExecution'],
          resources: [
            stateMachineArn(scope, NAMES.createStateMachine),
            stateMachineArn(scope, NAMES.deleteStateMachine),
          ],
        }),
      ];

    case 'workflows:start-delete':
      return [
        new iam.PolicyStatement({
          sid: 'StartDeleteWorkflows',
          actions: ['states:StartExecution'],
          resources: [stateMachineArn(scope, NAMES.deleteStateMachine)],
        }),
      ];

    case 'reconcile:scan':
      return [
        // Neither list action supports resource-level permissions; both are read-only. The
        // reconciler keeps only `dbfork/*` secrets tagged dbfork:managed=true and the schedules of
        // dbfork's own group, and re-checks the tags on every resource before deleting it.
        new iam.PolicyStatement({
          sid: 'ListManagedSecretsAndSchedules',
          actions: ['secretsmanager:ListSecrets', 'scheduler:ListSchedules'],
          resources: ['*'],
        }),
      ];
  }
}

/** Grants one function its capabilities plus read/write on the fork table (and its KMS key). */
export function grantFunction(fn: lambda.IFunction, name: FunctionName, targets: PermissionTargets): void {
  targets.table.grantReadWriteData(fn);
  const seen = new Set<string>();
  for (const capability of FUNCTION_CAPABILITIES[name]) {
    for (const statement of statementsFor(capability, fn, targets)) {
      // Two capabilities may share a statement (DescribeForkSecrets); add it once.
      if (statement.sid && seen.has(statement.sid)) continue;
      if (statement.sid) seen.add(statement.sid);
      fn.addToRolePolicy(statement);
    }
  }
}
