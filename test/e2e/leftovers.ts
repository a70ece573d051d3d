/**
 * What a fork left in the emulator (read-only look behind the API, as the workflow tests do):
 * after a delete or an expiry every list must be empty.
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { type AwsClients, createClients } from '../../lambdas/core/clients.js';
import { OFFLINE_DOMAIN, OFFLINE_SCHEDULE_GROUP } from '../../local/offline-env.js';

export interface Leftovers {
  instances: string[];
  clusters: string[];
  secrets: string[];
  schedules: string[];
  dnsRecords: string[];
}

export const NOTHING_LEFT: Leftovers = {
  instances: [],
  clusters: [],
  secrets: [],
  schedules: [],
  dnsRecords: [],
};

/** Clients on the emulator for one look, closed after it. */
async function lookAt<T>(endpoint: string, look: (aws: AwsClients) => Promise<T>): Promise<T> {
  const aws = createClients({ endpoint, region: 'us-east-1' });
  try {
    return await look(aws);
  } finally {
    for (const client of Object.values(aws) as { destroy?: () => void }[]) client.destroy?.();
  }
}

export function leftovers(endpoint: string, fork: { id: string; dnsName?: string }): Promise<Leftovers> {
  return lookAt(endpoint, async (aws) => {
    const instances = (await aws.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    const clusters = (await aws.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
    const secrets = (await aws.secrets.send(new ListSecretsCommand({}))).SecretList ?? [];
    const schedules =
      (await aws.scheduler.send(new ListSchedulesCommand({ GroupName: OFFLINE_SCHEDULE_GROUP }))).Schedules ??
      [];
    const zones = await aws.route53.send(new ListHostedZonesByNameCommand({ DNSName: `${OFFLINE_DOMAIN}.` }));
    const zoneId = zones.HostedZones?.find((z) => z.Name === `${OFFLINE_DOMAIN}.`)?.Id ?? '';
    const records = (await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })))
      .ResourceRecordSets;
    return {
      instances: instances.map((i) => i.DBInstanceIdentifier ?? '').filter((id) => id.startsWith(fork.id)),
      clusters: clusters.map((c) => c.DBClusterIdentifier ?? '').filter((id) => id.startsWith(fork.id)),
      secrets: secrets.map((s) => s.Name ?? '').filter((name) => name.includes(fork.id)),
      schedules: schedules.map((s) => s.Name ?? '').filter((name) => name.includes(fork.id)),
      dnsRecords: (records ?? [])
        .filter((r) => fork.dnsName !== undefined && r.Name === `${fork.dnsName}.`)
        .map((r) => r.Name ?? ''),
    };
  });
}

/** A fork's secret as the emulator holds it (what `dbfork connect` and the Action must hand over). */
export function secretIn(
  endpoint: string,
  secretArn: string,
): Promise<{ password: string; host: string; [key: string]: unknown }> {
  return lookAt(endpoint, async (aws) => {
    const { SecretString } = await aws.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return JSON.parse(SecretString ?? '{}') as { password: string; host: string };
  });
}

/** Where a fork's DNS name points in the emulator (its CNAME's value), if it has one. */
export function cnameIn(endpoint: string, dnsName: string): Promise<string | undefined> {
  return lookAt(endpoint, async (aws) => {
    const zones = await aws.route53.send(new ListHostedZonesByNameCommand({ DNSName: `${OFFLINE_DOMAIN}.` }));
    const zoneId = zones.HostedZones?.find((z) => z.Name === `${OFFLINE_DOMAIN}.`)?.Id ?? '';
    const records = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    const record = records.ResourceRecordSets?.find((r) => r.Type === 'CNAME' && r.Name === `${dnsName}.`);
    return record?.ResourceRecords?.[0]?.Value;
  });
}

/** The status of a DB instance in the emulator, or undefined when there is none. */
export function instanceStatusIn(endpoint: string, id: string): Promise<string | undefined> {
  return lookAt(endpoint, async (aws) => {
    try {
      const out = await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      return out.DBInstances?.[0]?.DBInstanceStatus;
    } catch {
      return undefined;
    }
  });
}
