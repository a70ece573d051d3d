import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import { scheduleName } from '../../lambdas/core/ids.js';
import type { SeededClusterSource } from '../../local/seed.js';
import { type RecordedMotoCall, resetMoto, startMotoRecording, stopMotoRecording } from '../support/moto.js';
import {
  type ClusterHarnessSource,
  clusterWorkflowHarness,
  DOMAIN,
  describeCluster,
  describeInstance,
  type Harness,
  NOTHING_LEFT,
  OWNER,
  schedule,
  secretValue,
  tagsOf,
} from '../support/workflow-harness.js';

/**
 * Aurora and DocumentDB forks end to end: the synthesized state machines in-process, every step's
 * real handler, every AWS call against moto (started through local/moto/launcher.py, which adds
 * the docdb engine). One seeded source (and one moto reset) per engine serves all five restore
 * types and the failure case; every assertion is about its own fork. (Running the five at once
 * saves nothing: five concurrent forks took as long as five in a row.)
 */

type H = Harness<SeededClusterSource>;

/** The value of the fork's CNAME, or undefined. */
async function cnameOf(h: H, fork: ForkRecord): Promise<string | undefined> {
  const out = await h.clients.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: h.rt.env.hostedZoneId }),
  );
  const record = out.ResourceRecordSets?.find((r) => r.Type === 'CNAME' && r.Name === `${fork.dnsName}.`);
  return record?.ResourceRecords?.[0]?.Value;
}

/** The calls moto received for this fork's cluster. */
const callsOf = (calls: RecordedMotoCall[], action: string, forkId: string) =>
  calls.filter((c) => c.action === action && c.params.DBClusterIdentifier === forkId);

interface EngineCase {
  name: string;
  sourceId: string;
  source: ClusterHarnessSource;
  kind: 'aurora-cluster' | 'docdb-cluster';
  secretEngine: string;
}

const ENGINES: EngineCase[] = [
  {
    name: 'aurora-postgresql',
    sourceId: 'analytics-aurora',
    source: { kind: 'aurora-cluster', engine: 'aurora-postgresql' },
    kind: 'aurora-cluster',
    secretEngine: 'postgres',
  },
  {
    name: 'aurora-mysql',
    sourceId: 'billing-aurora',
    source: { kind: 'aurora-cluster', engine: 'aurora-mysql' },
    kind: 'aurora-cluster',
    secretEngine: 'mysql',
  },
  {
    name: 'docdb',
    sourceId: 'catalog-docdb',
    source: { kind: 'docdb-cluster' },
    kind: 'docdb-cluster',
    // Secrets Manager's DocumentDB shape.
    secretEngine: 'mongo',
  },
];

type RestoreType = 'latest-backup' | 'snapshot' | 'point-in-time' | 'clone' | 'fresh-snapshot';
const RESTORES: RestoreType[] = ['latest-backup', 'snapshot', 'point-in-time', 'clone', 'fresh-snapshot'];

async function restoreBody(h: H, type: RestoreType): Promise<Record<string, unknown>> {
  if (type === 'snapshot') return { type, snapshotId: h.source.manualSnapshotId };
  if (type === 'point-in-time') {
    // moto: earliest = the cluster's creation, latest = now; a time strictly inside.
    const source = await h.rt.engines.resolve(h.source.id);
    const earliest = Date.parse(source.source.restorableWindow.earliest ?? '');
    return { type, time: new Date(earliest + 1).toISOString() };
  }
  return { type };
}

/** The restore call the fork's cluster was made with, as moto received it. */
function expectRestoreCall(calls: RecordedMotoCall[], fork: ForkRecord, h: H, type: RestoreType) {
  const [fromSnapshot] = callsOf(calls, 'RestoreDBClusterFromSnapshot', fork.id);
  const [toTime] = callsOf(calls, 'RestoreDBClusterToPointInTime', fork.id);
  if (type === 'clone') {
    expect(toTime?.params).toMatchObject({
      DBClusterIdentifier: fork.id,
      SourceDBClusterIdentifier: h.source.id,
      RestoreType: 'copy-on-write',
      UseLatestRestorableTime: 'true',
    });
    expect(toTime?.params).not.toHaveProperty('RestoreToTime');
  } else if (type === 'point-in-time') {
    expect(toTime?.params).toMatchObject({
      DBClusterIdentifier: fork.id,
      SourceDBClusterIdentifier: h.source.id,
      RestoreType: 'full-copy',
      RestoreToTime: fork.restore.resolved?.restoreTime,
    });
  } else {
    expect(fromSnapshot?.params).toMatchObject({
      DBClusterIdentifier: fork.id,
      SnapshotIdentifier: fork.restore.resolved?.snapshotId,
    });
  }
}

describe.each(ENGINES)('CreateFork and DeleteFork of a $name cluster (moto)', (engine) => {
  let h: H;

  beforeAll(async () => {
    await resetMoto();
    h = await clusterWorkflowHarness({ source: engine.source, sourceId: engine.sourceId });
  });

  it.each(RESTORES)(
    'forks by %s: cluster with the source network and groups, a writer, credentials, a CNAME to the cluster endpoint and expiry; the delete leaves nothing',
    async (type) => {
      const restore = await restoreBody(h, type);
      await startMotoRecording();
      const { fork, execution } = await h.create({ source: h.source.id, restore, tags: { pr: '42' } });
      const calls = await stopMotoRecording();

      expect(execution.status).toBe('SUCCEEDED');
      expect(fork).toMatchObject({ status: 'ready', step: 'ready', source: { kind: engine.kind } });
      expectRestoreCall(calls, fork, h, type);
      if (type === 'fresh-snapshot')
        expect(fork.restore.resolved).toEqual({ snapshotId: `${fork.id}-source` });

      // The cluster carries the source's network and groups, the fork defaults and our tags.
      const cluster = await describeCluster(h, fork.id);
      expect(cluster).toMatchObject({
        Engine: h.source.engine,
        Status: 'available',
        Port: h.source.port,
        DBSubnetGroup: h.source.subnetGroupName,
        DBClusterParameterGroup: h.source.clusterParameterGroupName,
        DeletionProtection: false,
        BackupRetentionPeriod: 1,
        DBClusterMembers: [
          expect.objectContaining({ DBInstanceIdentifier: `${fork.id}-1`, IsClusterWriter: true }),
        ],
      });
      expect(cluster.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual([h.source.securityGroupId]);
      const forkTags = {
        'dbfork:managed': 'true',
        'dbfork:fork-id': fork.id,
        'dbfork:expires-at': fork.expiresAt,
        'dbfork:owner': OWNER,
        pr: '42',
      };
      expect(await tagsOf(h, cluster.DBClusterArn ?? '')).toEqual(forkTags);

      // Its writer: the source writer's class (and, for Aurora, DB parameter group), our tags.
      const writer = await describeInstance(h, `${fork.id}-1`);
      expect(writer).toMatchObject({
        DBClusterIdentifier: fork.id,
        DBInstanceClass: h.source.instanceClass,
        DBInstanceStatus: 'available',
      });
      if (h.source.parameterGroupName) {
        expect(writer.DBParameterGroups?.map((g) => g.DBParameterGroupName)).toEqual([
          h.source.parameterGroupName,
        ]);
      }
      expect(await tagsOf(h, writer.DBInstanceArn ?? '')).toEqual(forkTags);

      // Fresh credentials, applied immediately, in the standard secret shape: host is the cluster's own
      // endpoint (its TLS certificate names it), the fork's DNS name rides along as dnsName.
      const secret = await secretValue(h.clients, fork.secretArn ?? '');
      expect(secret).toMatchObject({
        engine: engine.secretEngine,
        host: cluster.Endpoint,
        dnsName: fork.dnsName,
        ...(engine.kind === 'docdb-cluster' ? { ssl: true } : {}),
        port: h.source.port,
        username: engine.kind === 'docdb-cluster' ? 'catalog_admin' : 'app_admin',
        dbClusterIdentifier: fork.id,
      });
      expect(secret.password).toMatch(/^.{32}$/);
      expect(callsOf(calls, 'ModifyDBCluster', fork.id).map((c) => c.params)).toContainEqual(
        expect.objectContaining({
          DBClusterIdentifier: fork.id,
          MasterUserPassword: secret.password,
          ApplyImmediately: 'true',
        }),
      );

      // DNS points at the cluster (writer) endpoint, not at an instance.
      expect(fork.endpoint).toEqual({ host: cluster.Endpoint, port: h.source.port });
      expect(await cnameOf(h, fork)).toBe(cluster.Endpoint);
      expect(fork.dnsName).toMatch(new RegExp(`\\.${DOMAIN.replaceAll('.', '\\.')}$`));
      expect(await schedule(h.clients, scheduleName(fork.id))).toMatchObject({
        ActionAfterCompletion: 'DELETE',
      });

      const deleted = await h.delete(fork.id);
      expect(deleted.execution?.status).toBe('SUCCEEDED');
      expect(deleted.fork.status).toBe('deleted');
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
      // The source is untouched: still available, still with its writer.
      expect(await describeCluster(h, h.source.id)).toMatchObject({
        Status: 'available',
        DeletionProtection: true,
        DBClusterMembers: [expect.objectContaining({ DBInstanceIdentifier: h.source.writerInstanceId })],
      });
    },
  );

  it('cleans up the cluster and its writer when creating the instances fails after making them', async () => {
    const faulty = h.withFaults({ 'create-instances': 'after' });

    const { fork, execution } = await faulty.create({ source: h.source.id, restore: { type: 'clone' } });

    expect(execution.status).toBe('FAILED');
    expect(fork).toMatchObject({
      status: 'failed',
      error: { code: 'InjectedFaultError', message: 'injected failure after create-instances' },
    });
    expect(fork.history.map((e) => e.step)).toEqual(
      expect.arrayContaining(['creating-instances', 'cleaning-up', 'failed']),
    );
    expect(await faulty.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});

describe('a Serverless v2 Aurora source (moto)', () => {
  it('gets a db.serverless writer and the source scaling configuration', async () => {
    await resetMoto();
    const h = await clusterWorkflowHarness({
      source: { kind: 'aurora-cluster', engine: 'aurora-postgresql', serverless: true },
      sourceId: 'events-serverless',
    });

    const { fork } = await h.create({
      source: h.source.id,
      restore: { type: 'point-in-time', latest: true },
    });

    expect(fork.status).toBe('ready');
    expect((await describeCluster(h, fork.id)).ServerlessV2ScalingConfiguration).toEqual({
      MinCapacity: 0.5,
      MaxCapacity: 8,
    });
    expect((await describeInstance(h, `${fork.id}-1`)).DBInstanceClass).toBe('db.serverless');
    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});
