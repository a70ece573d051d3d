import {
  CreateDBClusterCommand as CreateDocDbClusterCommand,
  CreateDBClusterParameterGroupCommand as CreateDocDbClusterParameterGroupCommand,
  CreateDBClusterSnapshotCommand as CreateDocDbClusterSnapshotCommand,
  CreateDBInstanceCommand as CreateDocDbInstanceCommand,
  CreateDBSubnetGroupCommand as CreateDocDbSubnetGroupCommand,
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
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  CreateHostedZoneCommand,
  ListHostedZonesByNameCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig } from '../lambdas/core/clients.js';
import { errorName } from '../lambdas/core/errors.js';

/**
 * Seeds an emulator with what dbfork needs around it (hosted zone, event bus, schedule group) and
 * with demo source databases, each in its own VPC network with non-default groups, so a test can
 * see that a fork really got the source's security groups, subnet group and parameter groups.
 */

export interface SeededNetwork {
  vpcId: string;
  securityGroupId: string;
  subnetGroupName: string;
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
    const sg = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `${name}-db`,
        Description: `${name} database access`,
        VpcId: vpcId,
      }),
    );
    const securityGroupId = sg.GroupId ?? '';
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
    return { vpcId, securityGroupId, subnetGroupName };
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
  deletionProtection?: boolean;
}

const FAMILIES = {
  postgres: ['postgres13', '13'],
  mysql: ['mysql8.0', '8.0'],
  mariadb: ['mariadb10.6', '10.6'],
} as const;
const VERSIONS = { postgres: '13.13', mysql: '8.0.35', mariadb: '10.6.16' } as const;

/** An RDS instance with its own network, parameter and option groups, and one manual snapshot. */
export async function seedRdsSource(
  endpoint: string,
  rds: RDSClient,
  options: RdsSourceOptions,
): Promise<SeededRdsSource> {
  const engine = options.engine ?? 'postgres';
  const [family, major] = FAMILIES[engine];
  const network = await seedNetwork(endpoint, rds, options.id);
  const parameterGroupName = `${options.id}-params`;
  const optionGroupName = `${options.id}-options`;
  await rds.send(
    new CreateDBParameterGroupCommand({
      DBParameterGroupName: parameterGroupName,
      DBParameterGroupFamily: family,
      Description: `${options.id} parameters`,
    }),
  );
  await rds.send(
    new CreateOptionGroupCommand({
      OptionGroupName: optionGroupName,
      EngineName: engine,
      MajorEngineVersion: major,
      OptionGroupDescription: `${options.id} options`,
    }),
  );
  const created = await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: options.id,
      Engine: engine,
      EngineVersion: options.engineVersion ?? VERSIONS[engine],
      DBInstanceClass: 'db.m6g.large',
      AllocatedStorage: 100,
      MasterUsername: 'app_admin',
      MasterUserPassword: 'source-password-never-copied',
      DBName: 'orders',
      VpcSecurityGroupIds: [network.securityGroupId],
      DBSubnetGroupName: network.subnetGroupName,
      DBParameterGroupName: parameterGroupName,
      OptionGroupName: optionGroupName,
      BackupRetentionPeriod: 7,
      MultiAZ: true,
      DeletionProtection: options.deletionProtection ?? true,
      Tags: awsTags(options.tags),
    }),
  );
  const manualSnapshotId = `${options.id}-manual-1`;
  await rds.send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: options.id, DBSnapshotIdentifier: manualSnapshotId }),
  );
  return {
    ...network,
    id: options.id,
    arn: created.DBInstance?.DBInstanceArn ?? '',
    parameterGroupName,
    optionGroupName,
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
  await seed.calls.instance({
    DBInstanceIdentifier: writerInstanceId,
    DBClusterIdentifier: id,
    Engine: seed.engine,
    DBInstanceClass: seed.instanceClass,
    ...(seed.parameterGroupName ? { DBParameterGroupName: seed.parameterGroupName } : {}),
  });
  await seed.calls.snapshot({ DBClusterIdentifier: id, DBClusterSnapshotIdentifier: manualSnapshotId });
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
    version,
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
