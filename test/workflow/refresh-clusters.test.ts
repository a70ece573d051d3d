import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import type { SeededClusterSource } from '../../local/seed.js';
import { statesEntered } from '../../local/state-machine-runner.js';
import { resetMoto, setEmulatorConfig } from '../support/moto.js';
import {
  type ClusterHarnessSource,
  clusterWorkflowHarness,
  describeCluster,
  type Harness,
  NOTHING_LEFT,
  secretValue,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * RefreshFork for Aurora and DocumentDB (the new cluster `<fork id>-r<n>` gets its writer
 * `<fork id>-r<n>-1`, and the secret the cluster shape), and with the faithful emulator's RDS events
 * completing the refresh's waits while a delete could be waiting on the same fork.
 */

async function cnameOf(h: Harness<unknown>, fork: ForkRecord): Promise<string | undefined> {
  const out = await h.clients.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: h.rt.env.hostedZoneId }),
  );
  const record = out.ResourceRecordSets?.find((r) => r.Type === 'CNAME' && r.Name === `${fork.dnsName}.`);
  return record?.ResourceRecords?.[0]?.Value;
}

const CLUSTERS: [string, string, ClusterHarnessSource, Record<string, unknown>][] = [
  [
    'Aurora PostgreSQL',
    'analytics-aurora',
    { kind: 'aurora-cluster', engine: 'aurora-postgresql' },
    { engine: 'postgres' },
  ],
  ['DocumentDB', 'catalog-docdb', { kind: 'docdb-cluster' }, { engine: 'mongo', ssl: true }],
];

describe('RefreshFork for clusters (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it.each(CLUSTERS)(
    'refreshes a %s fork: a new cluster and writer take over, the old ones go',
    async (_name, sourceId, source, shape) => {
      const h: Harness<SeededClusterSource> = await clusterWorkflowHarness({ source, sourceId });
      const { fork } = await h.create({ source: sourceId });
      expect(fork.status).toBe('ready');

      const { fork: refreshed, execution } = await h.refresh(fork.id, { restore: { type: 'clone' } });

      expect(execution.status, JSON.stringify(execution.error)).toBe('SUCCEEDED');
      const newId = `${fork.id}-r1`;
      const cluster = await describeCluster(h, newId);
      expect(cluster.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter])).toEqual([
        [`${newId}-1`, true],
      ]);
      expect(refreshed).toMatchObject({ databaseId: newId, endpoint: { host: cluster.Endpoint } });
      expect(await secretValue(h.clients, fork.secretArn ?? '')).toMatchObject({
        ...shape,
        host: cluster.Endpoint,
        dbClusterIdentifier: newId,
      });
      expect(await cnameOf(h, fork)).toBe(cluster.Endpoint);
      await expect(describeCluster(h, fork.id)).rejects.toThrow(/not found|no cluster/i);

      await h.delete(fork.id);
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    },
  );
});

describe('RefreshFork with RDS events (faithful emulator)', () => {
  let h: Harness | undefined;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: 400 });
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('completes the refresh waits by RDS events (its own wait slot), no safety-net check', async () => {
    // Heartbeats no test waits for: only an RDS event (or a wait's own first check) ends a wait.
    h = await workflowHarness({
      rdsEvents: true,
      taskTimerMs: (_state, _seconds, timer) => (timer === 'heartbeat' ? 60_000 : 600_000),
    });
    const { fork } = await h.create({ source: 'orders-prod' });
    const { fork: refreshed, execution } = await h.refresh(fork.id);

    expect(execution.status).toBe('SUCCEEDED');
    expect(refreshed.refresh?.state).toBe('succeeded');
    const states = statesEntered(execution.events);
    expect(states).toEqual(expect.arrayContaining(['AwaitDatabase', 'AwaitOldDatabaseGone']));
    expect(
      states.filter((name) => /^Check(Snapshot|Database|Instances|OldDatabaseGone)$/.test(name)),
    ).toEqual([]);
    expect(h.rdsEventOutcomes).toContain('completed');
    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});
