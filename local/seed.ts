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

export async function seedNetwork(endpoint: string, rds: RDSClient, name: string): Promise<SeededNetwork> {
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
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.20.0.0/16' }] },
        ],
      }),
    );
    const subnetGroupName = `${name}-subnets`;
    await rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: subnetGroupName,
        DBSubnetGroupDescription: `${name} subnets`,
        SubnetIds: subnets.map((s) => s.Subnet?.SubnetId ?? ''),
      }),
    );
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
      Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
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
