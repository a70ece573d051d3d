import { beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../../lambdas/core/tags.js';
import {
  AURORA_ID,
  auroraCluster,
  auroraWriter,
  clusterArn,
  clusterSnapshot,
  clusterSnapshotArn,
  DOCDB_ID,
  docdbCluster,
  docdbWriter,
} from '../core/cluster-fixtures.js';
import { SOURCE_ARN, SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import { type ApiHarness, apiHarness, bodyOf, expectError, givenClusters, givenRds } from './support.js';

/**
 * The source routes with the real engine registry over all three kinds: an RDS instance, an Aurora
 * cluster (with its writer, which is not a source of its own) and a DocumentDB cluster.
 */

const WINDOW = {
  earliestRestorableTime: '2026-11-13T04:00:00.000Z',
  latestRestorableTime: '2026-11-20T11:55:00.000Z',
};

let h: ApiHarness;

beforeEach(() => {
  h = apiHarness({ env: { policy: { allowedSources: [SOURCE_ID, AURORA_ID] } } });
  givenRds(h.mocks, [sourceInstance(), auroraWriter(), docdbWriter()]);
  givenClusters(
    h.mocks,
    [auroraCluster(), docdbCluster({ TagList: [{ Key: TAG.allowFork, Value: 'true' }] })],
    [
      clusterSnapshot({ SnapshotCreateTime: new Date('2026-11-20T03:00:00Z') }),
      clusterSnapshot({
        DBClusterSnapshotIdentifier: 'analytics-before-migration',
        SnapshotCreateTime: new Date('2026-11-20T09:30:00Z'),
      }),
      clusterSnapshot({
        DBClusterSnapshotIdentifier: `rds:${DOCDB_ID}-2026-11-20-03-00`,
        DBClusterIdentifier: DOCDB_ID,
        Engine: 'docdb',
      }),
    ],
  );
});

describe('GET /v1/sources with clusters', () => {
  it('lists instances, Aurora and DocumentDB clusters with kind and restorable window, not cluster members', async () => {
    const result = await h.call('GET', '/v1/sources');

    expect(result.statusCode).toBe(200);
    expect(bodyOf<{ sources: unknown[] }>(result).sources).toEqual([
      {
        id: AURORA_ID,
        arn: clusterArn(AURORA_ID),
        engine: 'aurora-postgresql',
        kind: 'aurora-cluster',
        status: 'available',
        allowed: true,
        restorableWindow: WINDOW,
      },
      {
        id: DOCDB_ID,
        arn: clusterArn(DOCDB_ID),
        engine: 'docdb',
        kind: 'docdb-cluster',
        status: 'available',
        allowed: true,
        restorableWindow: WINDOW,
      },
      expect.objectContaining({ id: SOURCE_ID, kind: 'rds-instance' }),
    ]);
  });
});

describe('GET /v1/sources/{id}/backups of a cluster', () => {
  it('lists an Aurora cluster’s snapshots newest first with its window, found by identifier', async () => {
    const result = await h.call('GET', `/v1/sources/${AURORA_ID}/backups`);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      source: {
        id: AURORA_ID,
        arn: clusterArn(AURORA_ID),
        engine: 'aurora-postgresql',
        kind: 'aurora-cluster',
        status: 'available',
      },
      restorableWindow: WINDOW,
      backups: [
        {
          id: 'analytics-before-migration',
          arn: clusterSnapshotArn('analytics-before-migration'),
          type: 'manual',
          status: 'available',
          createdAt: '2026-11-20T09:30:00.000Z',
          engine: 'aurora-postgresql',
        },
        {
          id: `rds:${AURORA_ID}-2026-11-20-03-00`,
          arn: clusterSnapshotArn(`rds:${AURORA_ID}-2026-11-20-03-00`),
          type: 'automated',
          status: 'available',
          createdAt: '2026-11-20T03:00:00.000Z',
          engine: 'aurora-postgresql',
        },
      ],
    });
  });

  it('finds a DocumentDB cluster by its ARN alone', async () => {
    const result = await h.call('GET', `/v1/sources/${encodeURIComponent(clusterArn(DOCDB_ID))}/backups`);

    const body = bodyOf<{ source: { kind: string }; backups: { id: string }[] }>(result);
    expect(body.source.kind).toBe('docdb-cluster');
    expect(body.backups.map((b) => b.id)).toEqual([`rds:${DOCDB_ID}-2026-11-20-03-00`]);
  });

  it('answers 404 for a cluster member: a cluster is forked through the cluster', async () => {
    expectError(await h.call('GET', `/v1/sources/${AURORA_ID}-1/backups`), 404, 'source_not_found');
  });
});

describe('POST /v1/forks restore types per engine', () => {
  it('answers 400 naming Aurora and DocumentDB when an RDS instance is asked to clone', async () => {
    const error = expectError(
      await h.call('POST', '/v1/forks', { body: { source: SOURCE_ARN, restore: { type: 'clone' } } }),
      400,
      'unsupported_restore',
    );

    expect(error.message).toContain('Aurora clusters and DocumentDB clusters');
    expect(error.details[0]).toMatchObject({ supportedBy: ['aurora-cluster', 'docdb-cluster'] });
  });

  it('answers 400 with the cluster’s window when a point in time is outside it', async () => {
    const body = { source: AURORA_ID, restore: { type: 'point-in-time', time: '2026-11-01T00:00:00Z' } };

    const error = expectError(await h.call('POST', '/v1/forks', { body }), 400, 'outside_restore_window');

    expect(error.details[0]).toMatchObject(WINDOW);
  });
});
