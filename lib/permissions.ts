/**
 * Every IAM permission of every dbfork function, in one place so it can be reviewed.
 *
 * Safety invariant 1 (DESIGN.md §3): dbfork may only modify or delete what it created. Everything
 * it creates is tagged `dbfork:managed=true` at creation and named `fork-…`; so
 *  - every rds Delete*, Modify*, Reboot* on a database/snapshot requires
 *    `aws:ResourceTag/dbfork:managed = "true"` (and a `fork-*` ARN),
 *  - every create/restore (rds:RestoreDB*, CreateDBInstance, CreateDB*Snapshot, AddTagsToResource,
 *    secretsmanager:CreateSecret/TagResource) requires `aws:RequestTag/dbfork:managed = "true"` on
 *    what it creates; the inputs it is also authorized against (snapshots, groups, the source) are
 *    named by statements of their own,
 *  - reads (the rds Describe* calls the engines make, ListTagsForResource) use `*`: they must see
 *    any allow-listed source.
 * test/iam proves it by simulation: every AWS call the workflows, the API and the reconciler make is
 * evaluated against the synthesized policy of the function that made it.
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
  | 'rds:orderable'
  | 'rds:snapshot-source'
  | 'rds:restore'
  | 'rds:create-instance'
  | 'rds:modify'
  | 'rds:attach-source-groups'
  | 'rds:retag'
  | 'rds:delete'
  | 'secrets:write'
  | 'secrets:stage'
  | 'secrets:switch'
  | 'secrets:delete'
  | 'dns:write'
  | 'schedules:write'
  | 'schedules:delete'
  | 'events:put'
  | 'workflows:start-create'
  | 'workflows:start-delete'
  | 'workflows:start-refresh'
  | 'waits:succeed'
  | 'waits:fail'
  | 'reconcile:scan'
  | 'hooks:invoke';

/**
 * The functions behind the HTTP API, one per group of routes (lambdas/api/functions/): each gets
 * only what its routes call. The step functions are named by their step.
 */
export const API_FUNCTIONS = {
  create: 'api-create',
  forks: 'api-forks',
  sources: 'api-sources',
} as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[keyof typeof API_FUNCTIONS];
/** The scheduled reconciler's sweep of fork records (lambdas/events/reconciler.ts). */
export const RECONCILER_FUNCTION = 'reconciler';
/** Its orphan sweeps: databases (lambdas/events/orphan-databases.ts) and the rest (orphan-leftovers.ts). */
export const ORPHAN_DATABASES_FUNCTION = 'orphan-databases';
export const ORPHAN_LEFTOVERS_FUNCTION = 'orphan-leftovers';
/** Keeps the warm pools at their size (lambdas/events/pool-keeper.ts). */
export const POOL_KEEPER_FUNCTION = 'pool-keeper';
export const RECONCILER_FUNCTIONS = [
  RECONCILER_FUNCTION,
  ORPHAN_DATABASES_FUNCTION,
  ORPHAN_LEFTOVERS_FUNCTION,
  POOL_KEEPER_FUNCTION,
] as const;
export type ReconcilerFunctionName = (typeof RECONCILER_FUNCTIONS)[number];
/** Completes the workflows' event-driven waits from RDS events (lambdas/events/rds-event.ts). */
export const RDS_EVENT_FUNCTION = 'rds-event';
/** Carries out commands from the dbfork bus through the API's routes (lambdas/commands/fork-commands.ts). */
export const COMMANDS_FUNCTION = 'commands';
/** Publishes `Fork Expiring`, invoked by each fork's warning schedule (lambdas/events/expiry-warning.ts). */
export const EXPIRY_WARNING_FUNCTION = 'expiry-warning';
export type FunctionName =
  | StepName
  | ApiFunctionName
  | ReconcilerFunctionName
  | typeof RDS_EVENT_FUNCTION
  | typeof COMMANDS_FUNCTION
  | typeof EXPIRY_WARNING_FUNCTION;

/**
 * Who may do what. Every function also reads and writes the fork table (grantReadWriteData).
 * Keep this table in step with what each handler calls.
 */
export const FUNCTION_CAPABILITIES: Readonly<Record<FunctionName, readonly Capability[]>> = {
  // create
  // The first step announces Fork Requested.
  'resolve-source': ['rds:read', 'events:put'],
  'select-backup': ['rds:read', 'rds:snapshot-source'],
  // The three checks an event-driven wait invokes complete their own wait when already ready.
  'check-snapshot': ['rds:read', 'waits:succeed'],
  restore: ['rds:read', 'rds:restore'],
  // Creates the cluster writer itself once the cluster is available again (same engine call as
  // create-instances), when create-instances could not yet.
  'check-database': [
    'rds:read',
    'rds:create-instance',
    'rds:modify',
    'rds:attach-source-groups',
    'waits:succeed',
  ],
  'create-instances': ['rds:read', 'rds:create-instance', 'rds:modify', 'rds:attach-source-groups'],
  // Announces `Fork Requested` for a fork that claimed a warm-pool member (the API publishes nothing)
  // and gives the member's database the fork's tags (rds:retag).
  'rotate-credentials': ['rds:read', 'rds:modify', 'rds:retag', 'secrets:write', 'events:put'],
  'check-credentials': ['rds:read'],
  // Stores a pool member's claim token on its record (the table only).
  'park-member': [],
  'register-dns': ['dns:write'],
  // Puts the expiry and warning schedules; removes them again when the fork stopped being live
  // meanwhile, and the warning when no time is left to warn.
  'schedule-expiry': ['schedules:write', 'schedules:delete'],
  'mark-ready': ['events:put'],
  // Only in a stack with a post-restore hook: invokes exactly the configured functions.
  'run-hook': ['hooks:invoke'],
  // delete / cleanup
  'mark-deleting': [],
  'remove-dns': ['dns:write'],
  'delete-database': ['rds:read', 'rds:delete'],
  // re-issues the (idempotent) delete while the database is stuck in a transition
  'check-gone': ['rds:read', 'rds:delete', 'waits:succeed'],
  'delete-secret': ['secrets:delete'],
  'delete-schedule': ['schedules:delete'],
  'mark-deleted': ['events:put'],
  'mark-failed': ['events:put'],
  // refresh (it also runs the create's restore steps and checks, and delete-database / check-gone,
  // on the databases it builds and removes)
  'begin-refresh': [],
  // Sets the new database's password after staging it as the secret's AWSPENDING version.
  'stage-credentials': ['rds:read', 'rds:modify', 'secrets:stage'],
  'switch-secret': ['secrets:switch'],
  'switch-dns': ['dns:write'],
  'take-over': [],
  // Moves the expiry and warning schedules when the refresh gave the fork a new TTL (armExpiry, as
  // schedule-expiry: it may remove the warning, or both for a fork that stopped being live).
  'announce-refresh': ['schedules:write', 'schedules:delete', 'events:put'],
  'mark-refreshed': [],
  // Puts the secret's AWSCURRENT and the DNS name back on the serving database.
  'undo-refresh': ['secrets:switch', 'dns:write'],
  'mark-refresh-failed': ['events:put'],
  // HTTP API. POST /v1/forks: finds the source, checks overrides against what AWS orders, starts
  // CreateFork.
  // A create a warm-pool member satisfies completes the member's parked task token (waits:succeed).
  'api-create': ['rds:read', 'rds:orderable', 'workflows:start-create', 'waits:succeed'],
  // The records: PATCH moves the expiry and warning schedules (as schedule-expiry does) and sets or
  // removes the refresh schedule, DELETE starts DeleteFork, POST …/refresh checks the requested
  // backup against the source (reads only) and starts RefreshFork.
  'api-forks': [
    'rds:read',
    'workflows:start-delete',
    'workflows:start-refresh',
    'schedules:write',
    'schedules:delete',
  ],
  // The sources a caller may fork, and their backups; GET /v1/pools reads the pool members' records
  // (the fork table, which every function may use) and describes a pool's source for its class.
  'api-sources': ['rds:read'],
  // Reconciler: restarts deletes, hands stuck creates to DeleteFork in cleanup mode and stuck
  // refreshes to RefreshFork in abandon mode.
  reconciler: ['workflows:start-delete', 'workflows:start-refresh'],
  // Its orphan sweeps find tagged resources and remove them with the same tag-guarded calls (and
  // tag-conditioned statements) as the delete steps.
  'orphan-databases': ['rds:read', 'rds:delete'],
  'orphan-leftovers': ['reconcile:scan', 'dns:write', 'secrets:delete', 'schedules:delete'],
  // The pool keeper finds each pool's source (and its latest backup), starts members' CreateFork,
  // fails a retired member's parked token, and hands one whose workflow is gone to DeleteFork.
  'pool-keeper': ['rds:read', 'workflows:start-create', 'workflows:start-delete', 'waits:fail'],
  // Commands in: what the routes it runs need, the create route's and the fork routes' together
  // (plus, through its SQS event source, receive/delete on its own queue); it publishes
  // `Fork Command Rejected` (events:put).
  commands: [
    'rds:read',
    'rds:orderable',
    'workflows:start-create',
    'waits:succeed',
    'workflows:start-delete',
    'workflows:start-refresh',
    'schedules:write',
    'schedules:delete',
    'events:put',
  ],
  // RDS events: re-runs the check a wait is parked on (check-snapshot, check-database, check-gone:
  // the same calls and the same tag-conditioned statements), then completes or fails the wait.
  'rds-event': [
    'rds:read',
    'rds:create-instance',
    'rds:modify',
    'rds:attach-source-groups',
    'rds:delete',
    'waits:succeed',
    'waits:fail',
  ],
  // Claims the warning on the fork's record, then announces it.
  'expiry-warning': ['events:put'],
};

/** What the statements point at. */
export interface PermissionTargets {
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly hostedZoneArn: string;
  /** The zone's domain (`forks.example.com`, a trailing dot allowed): fork CNAMEs live under it. */
  readonly hostedZoneDomain: string;
  readonly schedulerRole: iam.IRole;
  /** The post-restore hooks' functions (config `postRestoreHook`, names as ARNs): what run-hook may invoke. */
  readonly hookFunctionArns: readonly string[];
}

const MANAGED_REQUEST = { StringEquals: { [`aws:RequestTag/${MANAGED_TAG.key}`]: MANAGED_TAG.value } };
const MANAGED_RESOURCE = { StringEquals: { [`aws:ResourceTag/${MANAGED_TAG.key}`]: MANAGED_TAG.value } };

const RESTORE_ACTIONS = [
  'rds:RestoreDBInstanceFromDBSnapshot',
  'rds:RestoreDBInstanceToPointInTime',
  'rds:RestoreDBClusterFromSnapshot',
  'rds:RestoreDBClusterToPointInTime',
];

const POINT_IN_TIME_ACTIONS = ['rds:RestoreDBInstanceToPointInTime', 'rds:RestoreDBClusterToPointInTime'];

type RdsResourceType =
  | 'db'
  | 'cluster'
  | 'snapshot'
  | 'cluster-snapshot'
  | 'pg'
  | 'cluster-pg'
  | 'og'
  | 'subgrp';

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

/** Every resource of the given types, whoever made it: the read-only inputs of a create. */
function anyArns(scope: Construct, ...types: RdsResourceType[]): string[] {
  return types.map((type) => rdsArn(scope, type, '*'));
}

/**
 * `route53:ChangeResourceRecordSetsNormalizedRecordNames` holds names lower-cased and without the
 * trailing dot ("Using IAM policy conditions for fine-grained access control", Route 53 Developer
 * Guide: docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html).
 */
export function normalizedRecordDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '');
}

function rdsService(scope: Construct): string {
  return `rds.${Stack.of(scope).region}.amazonaws.com`;
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

/** Reading a fork's secret (its values, tag-conditioned) and describing it (a missing one reads "not found"). */
function secretReads(scope: Construct): iam.PolicyStatement[] {
  return [
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
}

/** The policy statements of one capability. */
export function statementsFor(
  capability: Capability,
  scope: Construct,
  targets: PermissionTargets,
): iam.PolicyStatement[] {
  switch (capability) {
    case 'rds:read':
      // The reads the engines make, named one by one (not rds:Describe*): the IAM simulation
      // (test/iam) fails on a granted action no function calls, and on a call no statement allows.
      return [
        new iam.PolicyStatement({
          sid: 'ReadDatabasesAndBackups',
          actions: [
            'rds:DescribeDBInstances',
            'rds:DescribeDBClusters',
            'rds:DescribeDBSnapshots',
            'rds:DescribeDBClusterSnapshots',
            'rds:DescribeDBInstanceAutomatedBackups',
            'rds:ListTagsForResource',
          ],
          resources: ['*'],
        }),
      ];

    case 'rds:orderable':
      // Validates a create's instance-class override against what the engine offers. RDS grants
      // this action only on "*" (no resource types); DocumentDB's call is signed `rds` too.
      return [
        new iam.PolicyStatement({
          sid: 'DescribeOrderableInstanceOptions',
          actions: ['rds:DescribeOrderableDBInstanceOptions'],
          resources: ['*'],
        }),
      ];

    case 'rds:snapshot-source':
      // `fresh-snapshot`: the only write dbfork makes that touches a source (safety invariant 3).
      // CreateDBSnapshot is authorized on the source `db` and the new `snapshot`,
      // CreateDBClusterSnapshot on the source `cluster` and the new `cluster-snapshot` (Service
      // Authorization Reference, Amazon RDS). Only the new snapshot is dbfork's: it must be a
      // `fork-*` born tagged; the source is any allow-listed database and is only read.
      return [
        new iam.PolicyStatement({
          sid: 'SnapshotIntoManagedSnapshots',
          actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot'],
          resources: forkArns(scope, 'snapshot', 'cluster-snapshot'),
          conditions: MANAGED_REQUEST,
        }),
        new iam.PolicyStatement({
          sid: 'SnapshotFromSourceDatabases',
          actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot'],
          resources: anyArns(scope, 'db', 'cluster'),
        }),
        // RDS authorizes rds:AddTagsToResource too when a create call carries Tags ("Grant
        // permission to tag Amazon RDS resources during creation", RDS User Guide).
        new iam.PolicyStatement({
          sid: 'TagManagedSnapshotsOnCreate',
          actions: ['rds:AddTagsToResource'],
          resources: forkArns(scope, 'snapshot', 'cluster-snapshot'),
          conditions: MANAGED_REQUEST,
        }),
      ];

    case 'rds:restore':
      // A restore is authorized on several resources (Service Authorization Reference, Amazon RDS):
      //  - RestoreDBInstanceFromDBSnapshot: the new db, the snapshot, and the og / pg / subgrp named;
      //  - RestoreDBInstanceToPointInTime: the new db AND the source db, og / pg / subgrp;
      //  - RestoreDBClusterFromSnapshot: the new cluster, the (cluster-)snapshot, cluster-pg / og / subgrp;
      //  - RestoreDBClusterToPointInTime (also clone): the new cluster AND the source cluster,
      //    cluster-pg / og / subgrp.
      // Every one must be allowed. aws:RequestTag is a key of the request, so it is in the context of
      // each of those authorizations; it goes on what the call creates. The inputs are not
      // dbfork's (untagged snapshots, the source's groups) and are only read.
      return [
        new iam.PolicyStatement({
          sid: 'RestoreIntoManagedForks',
          actions: RESTORE_ACTIONS,
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: MANAGED_REQUEST,
        }),
        new iam.PolicyStatement({
          sid: 'RestoreFromBackupsAndGroups',
          actions: RESTORE_ACTIONS,
          resources: anyArns(scope, 'snapshot', 'cluster-snapshot', 'og', 'pg', 'cluster-pg', 'subgrp'),
        }),
        // The source of a point-in-time restore or clone has the same resource type as the fork,
        // and sources are allow-listed by name or by tag at run time, so no ARN pattern can name
        // sources without naming forks too. The RequestTag condition keeps this statement from
        // opening a way around RestoreIntoManagedForks: whatever a point-in-time restore creates is
        // born tagged dbfork:managed=true.
        new iam.PolicyStatement({
          sid: 'RestoreFromSourceDatabases',
          actions: POINT_IN_TIME_ACTIONS,
          resources: anyArns(scope, 'db', 'cluster'),
          conditions: MANAGED_REQUEST,
        }),
        new iam.PolicyStatement({
          sid: 'TagManagedForksOnCreate',
          actions: ['rds:AddTagsToResource'],
          // Only `fork-*` ARNs: an existing source can never be tagged into dbfork's control.
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: MANAGED_REQUEST,
        }),
        // Restoring a snapshot encrypted with a customer managed key: RDS reads the key and creates a
        // grant on the caller's behalf. Only through RDS, and grants only for AWS resources
        // (kms:GrantIsForAWSResource, AWS KMS Developer Guide "AWS KMS condition keys").
        new iam.PolicyStatement({
          sid: 'LetRdsDescribeSourceKeys',
          actions: ['kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': rdsService(scope) } },
        }),
        new iam.PolicyStatement({
          sid: 'LetRdsGrantOnSourceKeys',
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:ViaService': rdsService(scope) },
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        }),
      ];

    case 'rds:create-instance':
      // Aurora / DocumentDB clusters have zero instances after a restore. CreateDBInstance is
      // authorized on the new db and, when named, the cluster it joins and its og / pg / subgrp.
      return [
        new iam.PolicyStatement({
          sid: 'CreateManagedInstances',
          actions: ['rds:CreateDBInstance'],
          resources: forkArns(scope, 'db'),
          conditions: MANAGED_REQUEST,
        }),
        // The cluster an instance joins must already be a managed fork.
        new iam.PolicyStatement({
          sid: 'CreateInstancesInManagedClusters',
          actions: ['rds:CreateDBInstance'],
          resources: forkArns(scope, 'cluster'),
          conditions: MANAGED_RESOURCE,
        }),
        new iam.PolicyStatement({
          sid: 'CreateInstancesWithSourceGroups',
          actions: ['rds:CreateDBInstance'],
          resources: anyArns(scope, 'og', 'pg', 'subgrp'),
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
          actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'],
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: MANAGED_RESOURCE,
        }),
      ];

    case 'rds:retag':
      // Only databases already tagged dbfork:managed=true, and they stay so: the tags a request may
      // set or remove exclude dbfork:managed (aws:TagKeys), so no database can be made or unmade a
      // fork by retagging.
      return [
        new iam.PolicyStatement({
          sid: 'RetagManagedForks',
          actions: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
          resources: forkArns(scope, 'db', 'cluster'),
          conditions: {
            ...MANAGED_RESOURCE,
            'ForAllValues:StringNotEquals': { 'aws:TagKeys': [MANAGED_TAG.key] },
          },
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
          actions: ['rds:ModifyDBCluster'],
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
        ...secretReads(scope),
      ];

    // A refresh stages the new database's credentials as the AWSPENDING version of the fork's
    // secret, then moves AWSCURRENT to it (lambdas/core/secret-versions.ts); the ARN never changes.
    case 'secrets:stage':
      return [
        new iam.PolicyStatement({
          sid: 'StageManagedForkSecretVersions',
          actions: ['secretsmanager:PutSecretValue'],
          resources: secretArns(scope),
          conditions: MANAGED_RESOURCE,
        }),
        ...secretReads(scope),
      ];

    case 'secrets:switch':
      return [
        new iam.PolicyStatement({
          sid: 'MoveManagedForkSecretLabels',
          actions: ['secretsmanager:UpdateSecretVersionStage'],
          resources: secretArns(scope),
          conditions: MANAGED_RESOURCE,
        }),
        ...secretReads(scope),
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
      // Only CNAME records under the zone's domain, the only records dbfork writes (a fork's
      // `<name>.<domain>`), never the apex, NS/SOA or anyone else's records in a shared zone.
      // Condition keys and their normal form: Route 53 Developer Guide, "Using IAM policy
      // conditions for fine-grained access control" (specifying-rrset-conditions.html).
      return [
        new iam.PolicyStatement({
          sid: 'WriteForkCnamesInConfiguredZone',
          actions: ['route53:ChangeResourceRecordSets'],
          resources: [targets.hostedZoneArn],
          conditions: {
            'ForAllValues:StringLike': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': `*.${normalizedRecordDomain(targets.hostedZoneDomain)}`,
            },
            'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': 'CNAME' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'ListRecordsInConfiguredZone',
          actions: ['route53:ListResourceRecordSets'],
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
          actions: ['scheduler:DeleteSchedule'],
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

    case 'workflows:start-create':
      return [
        new iam.PolicyStatement({
          sid: 'StartCreateWorkflow',
          actions: ['states:StartExecution'],
          resources: [stateMachineArn(scope, NAMES.createStateMachine)],
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

    case 'workflows:start-refresh':
      return [
        new iam.PolicyStatement({
          sid: 'StartRefreshWorkflows',
          actions: ['states:StartExecution'],
          resources: [stateMachineArn(scope, NAMES.refreshStateMachine)],
        }),
      ];

    // Task tokens are the authorization (only the execution's own Task hands them out, and they
    // are parked in the fork table, never logged): SendTaskSuccess / SendTaskFailure have no
    // resource types (Service Authorization Reference, AWS Step Functions), so they take `*`.
    case 'waits:succeed':
      return [
        new iam.PolicyStatement({
          sid: 'CompleteWaits',
          actions: ['states:SendTaskSuccess'],
          resources: ['*'],
        }),
      ];

    case 'waits:fail':
      return [
        new iam.PolicyStatement({ sid: 'FailWaits', actions: ['states:SendTaskFailure'], resources: ['*'] }),
      ];

    case 'hooks:invoke':
      // The configured functions, each exactly as configured: a qualified ARN (version or alias) is
      // a resource of its own, so it is named as such ("Fine-tuning the Resources and Conditions
      // sections of policies", Lambda Developer Guide). Nothing configured: no statement at all.
      return targets.hookFunctionArns.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              sid: 'InvokePostRestoreHooks',
              actions: ['lambda:InvokeFunction'],
              resources: [...targets.hookFunctionArns],
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

/**
 * The ARN of a configured hook: an ARN as it is, a function name as a function of the stack's own
 * account and region (where Lambda looks a bare name up).
 */
export function hookFunctionArn(scope: Construct, hook: string): string {
  if (hook.startsWith('arn:')) return hook;
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: hook,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
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
