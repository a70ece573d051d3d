import {
  CreateDBClusterCommand as CreateDocDbClusterCommand,
  CreateDBClusterParameterGroupCommand as CreateDocDbClusterParameterGroupCommand,
  CreateDBClusterSnapshotCommand as CreateDocDbClusterSnapshotCommand,
  CreateDBInstanceCommand as CreateDocDbInstanceCommand,
  CreateDBSubnetGroupCommand as CreateDocDbSubnetGroupCommand,
  DescribeDBClusterSnapshotsCommand as DescribeDocDbClusterSnapshotsCommand,
  DescribeDBClustersCommand as DescribeDocDbClustersCommand,
  DescribeDBInstancesCommand as DescribeDocDbInstancesCommand,
  DocDBClient,
} from '@aws-sdk/client-docdb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import {
  CreateDBClusterCommand,
  type CreateDBClusterCommandInput,
  CreateDBClusterParameterGroupCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBParameterGroupCommand,
  CreateDBSnapshotCommand,
  CreateDBSubnetGroupCommand,
  CreateOptionGroupCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  CreateHostedZoneCommand,
  ListHostedZonesByNameCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { clientConfig, OFFLINE_CREDENTIALS } from '../lambdas/core/clients.js';
import { errorName } from '../lambdas/core/errors.js';

/**
 * Seeds an emulator with what dbfork needs around it (hosted zone, event bus, schedule group) and
 * with demo source databases shaped like production ones: in their own VPC network with their own
 * groups (so a test sees a fork really got them) or on the engine's default groups, with deletion
 * protection, several security groups, KMS encryption and automated backups.
 *
 * The emulator may be faithful to AWS (resources pass through `creating` before `available`), so
 * every create is waited on before the next call that needs it: AWS refuses CreateDBSnapshot on an
 * instance that is not available (InvalidDBInstanceState).
 */

export interface SeededNetwork {
  vpcId: string;
  /** The first of `securityGroupIds`. */
  securityGroupId: string;
  securityGroupIds: string[];
  subnetGroupName: string;
}

const POLL_MS = 100;
/** Long enough for a faithful emulator's configurable `creating` delay. */
const AVAILABLE_TIMEOUT_MS = 120_000;

/** Polls `status` until it answers `available`; throws naming the resource and its last state. */
export async function waitForAvailable(
  resource: string,
  status: () => Promise<string | undefined>,
  timeoutMs = AVAILABLE_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    last = await status();
    if (last === 'available') return;
    if (Date.now() > deadline) {
      throw new Error(`${resource} is still ${last ?? 'missing'} after ${timeoutMs} ms; expected available`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Describes an instance or cluster through the RDS or the DocumentDB API (the same shapes). */
function instanceStatus(client: RDSClient | DocDBClient, id: string) {
  return async () => {
    const input = { DBInstanceIdentifier: id };
    const out =
      client instanceof DocDBClient
        ? await client.send(new DescribeDocDbInstancesCommand(input))
        : await client.send(new DescribeDBInstancesCommand(input));
    return out.DBInstances?.[0]?.DBInstanceStatus;
  };
}

/** A manual DB snapshot's status (a seed's snapshot is `available` before anyone forks from it). */
function snapshotStatus(rds: RDSClient, id: string) {
  return async () => {
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
    return out.DBSnapshots?.[0]?.Status;
  };
}

function clusterSnapshotStatus(client: RDSClient | DocDBClient, id: string) {
  return async () => {
    const input = { DBClusterSnapshotIdentifier: id };
    const out =
      client instanceof DocDBClient
        ? await client.send(new DescribeDocDbClusterSnapshotsCommand(input))
        : await client.send(new DescribeDBClusterSnapshotsCommand(input));
    return out.DBClusterSnapshots?.[0]?.Status;
  };
}

/** What a seed waits for, by kind of resource. */
function statusOf(client: RDSClient | DocDBClient, type: SeedResource, id: string) {
  if (type === 'cluster') return clusterStatus(client, id);
  if (type === 'cluster-snapshot') return clusterSnapshotStatus(client, id);
  return instanceStatus(client, id);
}

type SeedResource = 'cluster' | 'instance' | 'cluster-snapshot';

function clusterStatus(client: RDSClient | DocDBClient, id: string) {
  return async () => {
    const input = { DBClusterIdentifier: id };
    const out =
      client instanceof DocDBClient
        ? await client.send(new DescribeDocDbClustersCommand(input))
        : await client.send(new DescribeDBClustersCommand(input));
    return out.DBClusters?.[0]?.Status;
  };
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/**
 * A customer managed KMS key in the emulator, for an encrypted source. One signed KMS CreateKey call
 * (the project has no KMS SDK client, and only the seed needs KMS).
 */
export async function createKmsKey(endpoint: string, description: string): Promise<string> {
  const url = new URL(endpoint);
  const { region } = clientConfig({ endpoint });
  const body = JSON.stringify({ Description: description, KeyUsage: 'ENCRYPT_DECRYPT' });
  const signer = new SignatureV4({
    service: 'kms',
    region,
    credentials: OFFLINE_CREDENTIALS,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.CreateKey',
    },
    body,
  });
  const response = await fetch(new URL('/', endpoint), {
    method: 'POST',
    headers: signed.headers,
    body,
  });
  const out = (await response.json()) as { KeyMetadata?: { Arn?: string } };
  const arn = out.KeyMetadata?.Arn;
  if (!response.ok || !arn)
    throw new Error(`KMS CreateKey answered ${response.status}: ${JSON.stringify(out)}`);
  return arn;
}

/**
 * A VPC with two subnets, a security group open to the VPC on `port`, and a DB subnet group (made
 * through the RDS or the DocumentDB API, whichever client is given).
 */
export async function seedNetwork(
  endpoint: string,
  client: RDSClient | DocDBClient,
  name: string,
  port = 5432,
  securityGroups = 1,
): Promise<SeededNetwork> {
  const ec2 = new EC2Client(clientConfig({ endpoint }));
  try {
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
    const vpcId = vpc.Vpc?.VpcId ?? '';
    const subnets = await Promise.all(
      ['a', 'b'].map((az, i) =>
        ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: `10.20.${i}.0/24`,
            AvailabilityZone: `us-east-1${az}`,
          }),
        ),
      ),
    );
    // The first group admits the VPC; the others stand for what production adds (bastion, monitoring).
    const securityGroupIds: string[] = [];
    for (let i = 0; i < Math.max(1, securityGroups); i++) {
      const sg = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: i === 0 ? `${name}-db` : `${name}-db-${i + 1}`,
          Description: i === 0 ? `${name} database access` : `${name} database access ${i + 1}`,
          VpcId: vpcId,
        }),
      );
      securityGroupIds.push(sg.GroupId ?? '');
    }
    const [securityGroupId = ''] = securityGroupIds;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: securityGroupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '10.20.0.0/16' }] },
        ],
      }),
    );
    const subnetGroupName = `${name}-subnets`;
    const subnetGroup = {
      DBSubnetGroupName: subnetGroupName,
      DBSubnetGroupDescription: `${name} subnets`,
      SubnetIds: subnets.map((s) => s.Subnet?.SubnetId ?? ''),
    };
    if (client instanceof DocDBClient) await client.send(new CreateDocDbSubnetGroupCommand(subnetGroup));
    else await client.send(new CreateDBSubnetGroupCommand(subnetGroup));
    return { vpcId, securityGroupId, securityGroupIds, subnetGroupName };
  } finally {
    ec2.destroy();
  }
}

export interface SeededRdsSource extends SeededNetwork {
  id: string;
  arn: string;
  parameterGroupName: string;
  optionGroupName: string;
  manualSnapshotId: string;
}

export interface RdsSourceOptions {
  id: string;
  engine?: 'postgres' | 'mysql' | 'mariadb';
  engineVersion?: string;
  tags?: Record<string, string>;
  /** @default true */
  deletionProtection?: boolean;
  /**
   * Name no parameter or option group, so the instance gets the engine's defaults
   * (`default.mysql8.0`, `default:mysql-8-0`), as most production instances do. @default false
   */
  defaultGroups?: boolean;
  /** How many VPC security groups the instance is in. @default 1 */
  securityGroups?: number;
  /** Encrypt storage with this KMS key (ARN). @default unencrypted */
  kmsKeyId?: string;
  /** Days of automated backups; ≥ 1 makes RDS keep an automated `rds:` snapshot. @default 7 */
  backupRetentionDays?: number;
  /** @default true */
  multiAz?: boolean;
  /** @default db.m6g.large */
  instanceClass?: string;
  /** @default orders */
  dbName?: string;
}

const FAMILIES = {
  postgres: ['postgres13', '13'],
  mysql: ['mysql8.0', '8.0'],
  mariadb: ['mariadb10.6', '10.6'],
} as const;
const VERSIONS = { postgres: '13.13', mysql: '8.0.35', mariadb: '10.6.16' } as const;

/**
 * An RDS instance with its own network, its own parameter and option groups (or the engine's
 * defaults), and one manual snapshot taken once it is available.
 */
export async function seedRdsSource(
  endpoint: string,
  rds: RDSClient,
  options: RdsSourceOptions,
): Promise<SeededRdsSource> {
  const engine = options.engine ?? 'postgres';
  const [family, major] = FAMILIES[engine];
  const port = engine === 'postgres' ? 5432 : 3306;
  const network = await seedNetwork(endpoint, rds, options.id, port, options.securityGroups ?? 1);
  let groups: { DBParameterGroupName?: string; OptionGroupName?: string } = {};
  if (!options.defaultGroups) {
    groups = { DBParameterGroupName: `${options.id}-params`, OptionGroupName: `${options.id}-options` };
    await rds.send(
      new CreateDBParameterGroupCommand({
        DBParameterGroupName: groups.DBParameterGroupName,
        DBParameterGroupFamily: family,
        Description: `${options.id} parameters`,
      }),
    );
    await rds.send(
      new CreateOptionGroupCommand({
        OptionGroupName: groups.OptionGroupName,
        EngineName: engine,
        MajorEngineVersion: major,
        OptionGroupDescription: `${options.id} options`,
      }),
    );
  }
  const created = await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: options.id,
      Engine: engine,
      EngineVersion: options.engineVersion ?? VERSIONS[engine],
      DBInstanceClass: options.instanceClass ?? 'db.m6g.large',
      AllocatedStorage: 100,
      MasterUsername: 'app_admin',
      MasterUserPassword: 'source-password-never-copied',
      DBName: options.dbName ?? 'orders',
      VpcSecurityGroupIds: network.securityGroupIds,
      DBSubnetGroupName: network.subnetGroupName,
      ...groups,
      BackupRetentionPeriod: options.backupRetentionDays ?? 7,
      MultiAZ: options.multiAz ?? true,
      DeletionProtection: options.deletionProtection ?? true,
      ...(options.kmsKeyId ? { StorageEncrypted: true, KmsKeyId: options.kmsKeyId } : {}),
      Tags: awsTags(options.tags),
    }),
  );
  await waitForAvailable(`DB instance ${options.id}`, instanceStatus(rds, options.id));
  const manualSnapshotId = `${options.id}-manual-1`;
  await rds.send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: options.id, DBSnapshotIdentifier: manualSnapshotId }),
  );
  await waitForAvailable(`DB snapshot ${manualSnapshotId}`, snapshotStatus(rds, manualSnapshotId));
  // The groups as RDS reports them: the defaults' names are the engine's, not ours.
  const described = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: options.id }));
  const db = described.DBInstances?.[0];
  return {
    ...network,
    id: options.id,
    arn: created.DBInstance?.DBInstanceArn ?? '',
    parameterGroupName: db?.DBParameterGroups?.[0]?.DBParameterGroupName ?? groups.DBParameterGroupName ?? '',
    optionGroupName: db?.OptionGroupMemberships?.[0]?.OptionGroupName ?? groups.OptionGroupName ?? '',
    manualSnapshotId,
  };
}

/** A seeded Aurora or DocumentDB source: its network, groups, writer and one manual cluster snapshot. */
export interface SeededClusterSource extends SeededNetwork {
  id: string;
  arn: string;
  engine: string;
  clusterParameterGroupName: string;
  /** The writer's DB parameter group (Aurora only: DocumentDB instances have none). */
  parameterGroupName?: string;
  writerInstanceId: string;
  instanceClass: string;
  port: number;
  manualSnapshotId: string;
}

export interface AuroraSourceOptions {
  id: string;
  engine: 'aurora-postgresql' | 'aurora-mysql';
  /** A Serverless v2 cluster (scaling 0.5-8 ACUs) with a `db.serverless` writer. @default false */
  serverless?: boolean;
  /** @default 15.4 (aurora-postgresql), 8.0.mysql_aurora.3.05.2 (aurora-mysql) */
  engineVersion?: string;
  tags?: Record<string, string>;
}

export interface DocdbSourceOptions {
  id: string;
  tags?: Record<string, string>;
}

const AURORA = {
  'aurora-postgresql': { family: 'aurora-postgresql15', version: '15.4', port: 5432 },
  'aurora-mysql': { family: 'aurora-mysql8.0', version: '8.0.mysql_aurora.3.05.2', port: 3306 },
} as const;

const awsTags = (tags: Record<string, string> = {}) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** The four creates of a cluster source, through the RDS or the DocumentDB SDK. */
interface ClusterSeedCalls {
  clusterParameterGroup(input: {
    DBClusterParameterGroupName: string;
    DBParameterGroupFamily: string;
    Description: string;
  }): Promise<unknown>;
  cluster(input: CreateDBClusterCommandInput): Promise<{ DBCluster?: { DBClusterArn?: string } }>;
  instance(input: {
    DBInstanceIdentifier: string;
    DBClusterIdentifier: string;
    Engine: string;
    DBInstanceClass: string;
    DBParameterGroupName?: string;
  }): Promise<unknown>;
  snapshot(input: { DBClusterIdentifier: string; DBClusterSnapshotIdentifier: string }): Promise<unknown>;
  /** Resolves once the cluster or instance is available. */
  available(resource: string, type: SeedResource, id: string): Promise<void>;
}

interface ClusterSeed {
  engine: string;
  version: string;
  family: string;
  instanceClass: string;
  username: string;
  dbName?: string;
  parameterGroupName?: string;
  serverless?: boolean;
  calls: ClusterSeedCalls;
}

/**
 * A cluster in `network` with its own cluster parameter group, a week of backups, deletion
 * protection on, a writer `<id>-1` and one manual snapshot `<id>-manual-1`.
 */
async function seedCluster(
  network: SeededNetwork,
  options: { id: string; tags?: Record<string, string> },
  port: number,
  seed: ClusterSeed,
): Promise<SeededClusterSource> {
  const { id } = options;
  const clusterParameterGroupName = `${id}-cluster-params`;
  const writerInstanceId = `${id}-1`;
  const manualSnapshotId = `${id}-manual-1`;
  await seed.calls.clusterParameterGroup({
    DBClusterParameterGroupName: clusterParameterGroupName,
    DBParameterGroupFamily: seed.family,
    Description: `${id} cluster parameters`,
  });
  const created = await seed.calls.cluster({
    DBClusterIdentifier: id,
    Engine: seed.engine,
    EngineVersion: seed.version,
    Port: port,
    MasterUsername: seed.username,
    MasterUserPassword: 'source-password-never-copied',
    ...(seed.dbName ? { DatabaseName: seed.dbName } : {}),
    VpcSecurityGroupIds: [network.securityGroupId],
    DBSubnetGroupName: network.subnetGroupName,
    DBClusterParameterGroupName: clusterParameterGroupName,
    BackupRetentionPeriod: 7,
    DeletionProtection: true,
    ...(seed.serverless ? { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 } } : {}),
    Tags: awsTags(options.tags),
  });
  await seed.calls.available(`DB cluster ${id}`, 'cluster', id);
  await seed.calls.instance({
    DBInstanceIdentifier: writerInstanceId,
    DBClusterIdentifier: id,
    Engine: seed.engine,
    DBInstanceClass: seed.instanceClass,
    ...(seed.parameterGroupName ? { DBParameterGroupName: seed.parameterGroupName } : {}),
  });
  await seed.calls.available(`DB instance ${writerInstanceId}`, 'instance', writerInstanceId);
  await seed.calls.snapshot({ DBClusterIdentifier: id, DBClusterSnapshotIdentifier: manualSnapshotId });
  await seed.calls.available(`cluster snapshot ${manualSnapshotId}`, 'cluster-snapshot', manualSnapshotId);
  return {
    ...network,
    id,
    arn: created.DBCluster?.DBClusterArn ?? '',
    engine: seed.engine,
    clusterParameterGroupName,
    ...(seed.parameterGroupName ? { parameterGroupName: seed.parameterGroupName } : {}),
    writerInstanceId,
    instanceClass: seed.instanceClass,
    port,
    manualSnapshotId,
  };
}

/**
 * An Aurora cluster (provisioned `db.r6g.large`, or Serverless v2) in its own network, with its
 * own cluster parameter group, a writer with its own DB parameter group, and one manual snapshot.
 */
export async function seedAuroraSource(
  endpoint: string,
  rds: RDSClient,
  options: AuroraSourceOptions,
): Promise<SeededClusterSource> {
  const { family, version, port } = AURORA[options.engine];
  const network = await seedNetwork(endpoint, rds, options.id, port);
  const parameterGroupName = `${options.id}-params`;
  await rds.send(
    new CreateDBParameterGroupCommand({
      DBParameterGroupName: parameterGroupName,
      DBParameterGroupFamily: family,
      Description: `${options.id} instance parameters`,
    }),
  );
  return seedCluster(network, options, port, {
    engine: options.engine,
    version: options.engineVersion ?? version,
    family,
    instanceClass: options.serverless ? 'db.serverless' : 'db.r6g.large',
    username: 'app_admin',
    dbName: 'analytics',
    parameterGroupName,
    ...(options.serverless ? { serverless: true } : {}),
    calls: {
      clusterParameterGroup: (input) => rds.send(new CreateDBClusterParameterGroupCommand(input)),
      cluster: (input) => rds.send(new CreateDBClusterCommand(input)),
      instance: (input) => rds.send(new CreateDBInstanceCommand(input)),
      snapshot: (input) => rds.send(new CreateDBClusterSnapshotCommand(input)),
      available: (resource, type, id) => waitForAvailable(resource, statusOf(rds, type, id)),
    },
  });
}

/** An Amazon DocumentDB 5.0 cluster (through `@aws-sdk/client-docdb`) seeded like `seedAuroraSource`. */
export async function seedDocdbSource(
  endpoint: string,
  docdb: DocDBClient,
  options: DocdbSourceOptions,
): Promise<SeededClusterSource> {
  const port = 27017;
  const network = await seedNetwork(endpoint, docdb, options.id, port);
  return seedCluster(network, options, port, {
    engine: 'docdb',
    version: '5.0.0',
    family: 'docdb5.0',
    instanceClass: 'db.r6g.large',
    username: 'catalog_admin',
    calls: {
      clusterParameterGroup: (input) => docdb.send(new CreateDocDbClusterParameterGroupCommand(input)),
      cluster: (input) => docdb.send(new CreateDocDbClusterCommand(input)),
      instance: (input) => docdb.send(new CreateDocDbInstanceCommand(input)),
      snapshot: (input) => docdb.send(new CreateDocDbClusterSnapshotCommand(input)),
      available: (resource, type, id) => waitForAvailable(resource, statusOf(docdb, type, id)),
    },
  });
}

export interface PlatformClients {
  route53: Route53Client;
  scheduler: SchedulerClient;
  events: EventBridgeClient;
}

/** The hosted zone (created once per domain), event bus and schedule group dbfork expects. */
export async function seedPlatform(
  clients: PlatformClients,
  options: { domain: string; eventBusName: string; scheduleGroupName: string },
): Promise<{ hostedZoneId: string }> {
  const domain = `${options.domain.replace(/\.$/, '')}.`;
  const zones = await clients.route53.send(
    new ListHostedZonesByNameCommand({ DNSName: domain, MaxItems: 1 }),
  );
  let zoneId = zones.HostedZones?.find((z) => z.Name === domain)?.Id;
  if (!zoneId) {
    const zone = await clients.route53.send(
      new CreateHostedZoneCommand({
        Name: domain,
        CallerReference: `dbfork-${Date.now()}`,
        HostedZoneConfig: { PrivateZone: true, Comment: 'dbfork forks' },
      }),
    );
    zoneId = zone.HostedZone?.Id ?? '';
  }
  try {
    await clients.events.send(new DescribeEventBusCommand({ Name: options.eventBusName }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
    await clients.events.send(new CreateEventBusCommand({ Name: options.eventBusName }));
  }
  try {
    await clients.scheduler.send(new CreateScheduleGroupCommand({ Name: options.scheduleGroupName }));
  } catch (error) {
    if (errorName(error) !== 'ConflictException') throw error;
  }
  return { hostedZoneId: zoneId.replace('/hostedzone/', '') };
}
