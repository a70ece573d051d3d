import {
  DBClusterNotFoundFault,
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-rds';
import { ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { DeleteSecretCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import { scanManagedResources } from '../../../lambdas/core/managed-resources.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { createDatabaseSweep } from '../../../lambdas/events/orphan-databases.js';
import { createFullReconcile } from '../../../lambdas/events/reconcile-all.js';
import { createReconciler } from '../../../lambdas/events/reconciler.js';
import { type MockedRuntime, mockedRuntime, TEST_ACCOUNT, TEST_REGION } from '../../support/runtime.js';
import { EXPIRES_AT, forkInstance, forkRecord } from '../core/fixtures.js';

const arn = (type: string, id: string) => `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:${type}:${id}`;
const managedTags = (forkId: string, expiresAt = EXPIRES_AT) => [
  { Key: TAG.managed, Value: 'true' },
  { Key: TAG.forkId, Value: forkId },
  { Key: TAG.expiresAt, Value: expiresAt },
];

/** The store's items: what `rt.store.get/list/listExpired` read back. */
function item(record: ForkRecord) {
  return { pk: `FORK#${record.id}`, sk: 'FORK', ...record };
}

interface World {
  expired?: ForkRecord[];
  creating?: ForkRecord[];
  deleting?: ForkRecord[];
  ready?: ForkRecord[];
  records?: ForkRecord[];
  instances?: DBInstance[];
  secrets?: { Name: string; Tags?: { Key: string; Value: string }[] }[];
  schedules?: string[];
}

function given(test: MockedRuntime, world: World): void {
  const { mocks } = test;
  const dynamo = mocks.dynamo;
  if (!dynamo) throw new Error('expected a mocked DynamoDB');
  dynamo.on(QueryCommand, { IndexName: 'byExpiry' }).resolves({ Items: (world.expired ?? []).map(item) });
  dynamo
    .on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: { ':status': 'creating' } })
    .resolves({ Items: (world.creating ?? []).map(item) });
  dynamo
    .on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: { ':status': 'deleting' } })
    .resolves({ Items: (world.deleting ?? []).map(item) });
  dynamo
    .on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: { ':status': 'ready' } })
    .resolves({ Items: (world.ready ?? []).map(item) });
  // The pool keeper's members (none: these worlds configure no pool).
  dynamo
    .on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: { ':creating': 'creating' } })
    .resolves({ Items: [] });
  dynamo.on(GetCommand).resolves({});
  for (const record of world.records ?? []) {
    dynamo.on(GetCommand, { Key: { pk: `FORK#${record.id}`, sk: 'FORK' } }).resolves({ Item: item(record) });
  }
  mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: world.instances ?? [] });
  // An empty TagList is asked again by ARN (DocumentDB describes carry none).
  mocks.rds.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  mocks.rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: world.secrets ?? [] });
  mocks.scheduler
    .on(ListSchedulesCommand)
    .resolves({ Schedules: (world.schedules ?? []).map((Name) => ({ Name, GroupName: 'dbfork-test' })) });
}

describe('reconciler decisions', () => {
  let test: MockedRuntime;
  beforeEach(() => {
    test = mockedRuntime();
  });

  it('starts the delete of every expired fork that is creating or ready, named by reason', async () => {
    const ready = forkRecord({ id: 'fork-ready0000001', status: 'ready', step: 'ready' });
    const creating = forkRecord({ id: 'fork-creating0001' });
    given(test, { expired: [ready, creating], records: [ready, creating] });
    const summary = await createReconciler(test.rt)();
    expect(test.workflows.started).toEqual([
      { kind: 'delete', forkId: ready.id, reason: 'reconcile' },
      { kind: 'delete', forkId: creating.id, reason: 'reconcile' },
    ]);
    expect(summary.expired.map((a) => a.forkId)).toEqual([ready.id, creating.id]);
    expect(summary.stuck).toEqual([]);
    // Only listed the expiry index up to now minus the grace.
    const query = test.mocks.dynamo
      ?.commandCalls(QueryCommand)
      .find((c) => c.args[0].input.IndexName === 'byExpiry');
    expect(query?.args[0].input.ExpressionAttributeValues?.[':before']).toBe('2026-11-20T11:55:00.000Z');
  });

  it('restarts a stalled delete under a new execution name, and leaves a progressing one alone', async () => {
    const stalled = forkRecord({
      id: 'fork-stalled00001',
      status: 'deleting',
      step: 'removing-dns',
      updatedAt: '2026-11-20T09:00:00.000Z',
    });
    const moving = forkRecord({
      id: 'fork-moving000001',
      status: 'deleting',
      step: 'deleting-database',
      updatedAt: '2026-11-20T11:00:00.000Z',
    });
    given(test, { deleting: [stalled, moving], expired: [stalled] });
    const summary = await createReconciler(test.rt)();
    expect(test.workflows.started).toEqual([
      {
        kind: 'delete',
        forkId: stalled.id,
        reason: `reconcile-${Date.parse(stalled.updatedAt) / 1000}`,
      },
    ]);
    expect(summary.stuck).toMatchObject([{ forkId: stalled.id, action: 'restart-delete' }]);
    expect(summary.expired).toEqual([]);
  });

  it('hands a stuck create to DeleteFork in cleanup mode, and restarts a stalled cleanup with its own error', async () => {
    const stuck = forkRecord({
      id: 'fork-stuck0000001',
      step: 'restoring',
      updatedAt: '2026-11-20T06:00:00.000Z',
    });
    const stalled = forkRecord({
      id: 'fork-stalled00002',
      step: 'cleaning-up',
      updatedAt: '2026-11-20T08:00:00.000Z',
      error: { code: 'RestoreFailed', message: 'the restore failed' },
    });
    const moving = forkRecord({
      id: 'fork-moving000002',
      step: 'restoring',
      updatedAt: '2026-11-20T11:00:00.000Z',
    });
    given(test, { creating: [stuck, stalled, moving] });
    const summary = await createReconciler(test.rt)();
    expect(test.workflows.started).toEqual([
      {
        kind: 'cleanup',
        forkId: stuck.id,
        reason: `reconcile-${Date.parse(stuck.updatedAt) / 1000}`,
        error: {
          Error: 'stuck',
          Cause: 'no progress for 360 minutes at step restoring; cleaned up by the reconciler',
        },
      },
      {
        kind: 'cleanup',
        forkId: stalled.id,
        reason: `reconcile-${Date.parse(stalled.updatedAt) / 1000}`,
        error: { Error: 'RestoreFailed', Cause: 'the restore failed' },
      },
    ]);
    expect(summary.stuck.map((a) => [a.forkId, a.action])).toEqual([
      [stuck.id, 'cleanup'],
      [stalled.id, 'cleanup'],
    ]);
  });

  it('takes a live record as the truth over a stale expires-at tag (an extended fork is kept)', async () => {
    const extended = forkRecord({
      id: 'fork-extended0001',
      status: 'ready',
      step: 'ready',
      expiresAt: '2026-11-25T00:00:00.000Z',
    });
    given(test, {
      records: [extended],
      instances: [
        forkInstance({ TagList: managedTags(extended.id, '2026-11-19T00:00:00.000Z') }, extended.id),
      ],
    });
    const summary = await createFullReconcile(test.rt)();
    expect(summary).toEqual({ expired: [], orphans: [], stuck: [], errors: [] });
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('re-checks the tags on the live resource before deleting an orphan, and refuses when they changed', async () => {
    const orphan = 'fork-orphan0000a1';
    given(test, { instances: [forkInstance({ TagList: managedTags(orphan) }, orphan)] });
    // Between the scan and the delete the instance lost its tags (or was replaced by another).
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: orphan })
      .resolves({ DBInstances: [forkInstance({ TagList: [] }, orphan)] });
    const summary = await createDatabaseSweep(test.rt)();
    expect(summary.orphans).toEqual([]);
    expect(summary.errors).toMatchObject([{ forkId: orphan, action: 'teardown-database' }]);
    expect(summary.errors[0]?.detail).toMatch(/^NotManagedResourceError: refusing to modify/);
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(test.mocks.secrets.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it('does nothing when nothing is expired, stuck or orphaned', async () => {
    const fresh = forkRecord({ id: 'fork-fresh0000001', updatedAt: '2026-11-20T11:50:00.000Z' });
    given(test, { creating: [fresh], records: [fresh] });
    expect(await createFullReconcile(test.rt)()).toEqual({ expired: [], orphans: [], stuck: [], errors: [] });
    expect(test.workflows.started).toEqual([]);
  });
});

describe('scanManagedResources', () => {
  it('keeps only resources tagged dbfork:managed=true with a fork id, by tag and never by name', async () => {
    const test = mockedRuntime();
    given(test, {
      instances: [
        forkInstance({ TagList: managedTags('fork-tagged000001') }, 'fork-tagged000001'),
        // Named like a fork, untagged: not ours.
        forkInstance({ TagList: [] }, 'fork-aaaaaaaaaaaa'),
        // Managed, but the fork id is not a fork id.
        forkInstance(
          {
            TagList: [
              { Key: TAG.managed, Value: 'true' },
              { Key: TAG.forkId, Value: 'orders-prod' },
            ],
          },
          'x-1',
        ),
        // Not named like a fork but tagged as one: ours (the tag decides; the delete re-checks it).
        forkInstance({ TagList: managedTags('fork-renamed00001') }, 'renamed'),
        // A cluster member: deleted with its cluster.
        forkInstance(
          { TagList: managedTags('fork-cluster00001'), DBClusterIdentifier: 'fork-cluster00001' },
          'fork-cluster00001-1',
        ),
      ],
      secrets: [
        { Name: 'dbfork/fork-tagged000001', Tags: managedTags('fork-tagged000001') },
        { Name: 'other/fork-tagged000001', Tags: managedTags('fork-tagged000001') },
        { Name: 'dbfork/fork-bbbbbbbbbbbb', Tags: [{ Key: TAG.managed, Value: 'false' }] },
      ],
      schedules: ['dbfork-fork-tagged000001', 'dbfork-not-a-fork', 'someone-else'],
    });
    // DocumentDB-style: no TagList in the describe, asked for by ARN.
    test.mocks.rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: 'fork-docdb0000001', DBClusterArn: arn('cluster', 'fork-docdb0000001') },
      ],
    });
    test.mocks.rds
      .on(ListTagsForResourceCommand, { ResourceName: arn('cluster', 'fork-docdb0000001') })
      .resolves({ TagList: managedTags('fork-docdb0000001') });

    const found = await scanManagedResources(test.rt.aws, 'dbfork-test');
    expect(found.map((r) => [r.type, r.id, r.forkId])).toEqual([
      ['db-instance', 'fork-tagged000001', 'fork-tagged000001'],
      ['db-instance', 'renamed', 'fork-renamed00001'],
      ['db-cluster', 'fork-docdb0000001', 'fork-docdb0000001'],
      ['secret', 'dbfork/fork-tagged000001', 'fork-tagged000001'],
      ['schedule', 'dbfork-fork-tagged000001', 'fork-tagged000001'],
    ]);
    expect(test.mocks.secrets.commandCalls(ListSecretsCommand)[0]?.args[0].input.Filters).toEqual([
      { Key: 'tag-key', Values: [TAG.managed] },
      { Key: 'name', Values: ['dbfork/'] },
    ]);
    expect(test.mocks.scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input).toMatchObject({
      GroupName: 'dbfork-test',
      NamePrefix: 'dbfork-',
    });
  });

  it('passes over a database deleted between its listing and its tags (ListTagsForResource NotFound)', async () => {
    const test = mockedRuntime();
    given(test, {});
    test.mocks.rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: 'fork-docdb0000001', DBClusterArn: arn('cluster', 'fork-docdb0000001') },
        { DBClusterIdentifier: 'fork-docdb0000002', DBClusterArn: arn('cluster', 'fork-docdb0000002') },
      ],
    });
    test.mocks.rds
      .on(ListTagsForResourceCommand, { ResourceName: arn('cluster', 'fork-docdb0000001') })
      .rejects(
        new DBClusterNotFoundFault({ message: 'DBCluster fork-docdb0000001 not found.', $metadata: {} }),
      )
      .on(ListTagsForResourceCommand, { ResourceName: arn('cluster', 'fork-docdb0000002') })
      .resolves({ TagList: managedTags('fork-docdb0000002') });

    const found = await scanManagedResources(test.rt.aws, 'dbfork-test');
    expect(found.filter((r) => r.type === 'db-cluster').map((r) => r.id)).toEqual(['fork-docdb0000002']);
  });
});
