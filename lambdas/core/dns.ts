import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';

/** The fork's CNAME `<name>.<zone>` → its database endpoint. */
export const DNS_TTL_SECONDS = 60;

export function forkDnsName(name: string, domain: string): string {
  return `${name}.${domain.replace(/\.$/, '')}`;
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export class ForkDns {
  constructor(
    private readonly route53: Route53Client,
    private readonly hostedZoneId: string,
  ) {}

  async upsert(dnsName: string, target: string): Promise<void> {
    await this.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: this.hostedZoneId,
        ChangeBatch: {
          Comment: 'dbfork fork endpoint',
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: fqdn(dnsName),
                Type: 'CNAME',
                TTL: DNS_TTL_SECONDS,
                ResourceRecords: [{ Value: target }],
              },
            },
          ],
        },
      }),
    );
  }

  async find(dnsName: string): Promise<ResourceRecordSet | undefined> {
    const out = await this.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: this.hostedZoneId,
        StartRecordName: fqdn(dnsName),
        StartRecordType: 'CNAME',
        MaxItems: 1,
      }),
    );
    const record = out.ResourceRecordSets?.[0];
    return record && record.Type === 'CNAME' && fqdn(record.Name ?? '') === fqdn(dnsName)
      ? record
      : undefined;
  }

  /**
   * Deletes the CNAME only while it still points at `target` (this fork's database): a later fork
   * may have reused the name. Route 53 DELETE must repeat the exact record, so it is read first.
   */
  async removeIfPointsTo(dnsName: string, target: string): Promise<boolean> {
    const record = await this.find(dnsName);
    if (!record || record.ResourceRecords?.[0]?.Value !== target) return false;
    try {
      await this.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.hostedZoneId,
          ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] },
        }),
      );
    } catch (error) {
      // Deleted meanwhile by a concurrent run: the goal is met.
      if (!(error instanceof Error && error.name === 'InvalidChangeBatch' && !(await this.find(dnsName))))
        throw error;
    }
    return true;
  }
}
