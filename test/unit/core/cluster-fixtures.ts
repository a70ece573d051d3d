/** Aurora and DocumentDB shapes shared by the cluster engine, step and API unit tests. */
import {
  type DBCluster,
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  type DBClusterSnapshot,
  DBClusterSnapshotNotFoundFault,
  type DBInstance,
  InvalidDBClusterStateFault,
} from '@aws-sdk/client-rds';
import type { RestorePlan, SourceDatabase } from '../../../lambdas/core/engines/engine.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { TEST_ACCOUNT, TEST_REGION } from '../../support/runtime.js';
import { FORK_ID, FORK_TAGS } from './fixtures.js';

export const AURORA_ID = 'analytics-aurora';
export const DOCDB_ID = 'catalog-docdb';
export const FORK_WRITER_ID = `${FORK_ID}-1`;

const metadata = { $metadata: {} };
export const clusterArn = (id: string) => `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:cluster:${id}`;
export const instanceArn = (id: string) => `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:db:${id}`;
export const clusterSnapshotArn = (id: string) =>
  `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:cluster-snapshot:${id}`;

export const clusterNotFound = (id = FORK_ID) =>
  new DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, ...metadata });
export const clusterSnapshotNotFound = (id: string) =>
  new DBClusterSnapshotNotFoundFault({ message: `DBClusterSnapshot ${id} not found.`, ...metadata });
export const clusterAlreadyExists = (id = FORK_ID) =>
  new DBClusterAlreadyExistsFault({ message: `DB cluster ${id} already exists`, ...metadata });
export const clusterHasInstances = () =>
  new InvalidDBClusterStateFault({
    message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
    ...metadata,
  });

/** An Aurora PostgreSQL source with its own network and groups, a writer and a reader. */
export function auroraCluster(overrides: Partial<DBCluster> = {}): DBCluster {
  const id = overrides.DBClusterIdentifier ?? AURORA_ID;
  return {
    DBClusterIdentifier: id,
    DBClusterArn: clusterArn(id),
    Engine: 'aurora-postgresql',
    EngineVersion: '15.4',
    Status: 'available',
    Endpoint: `${id}.cluster-cxyz.${TEST_REGION}.rds.amazonaws.com`,
    Port: 5432,
    MasterUsername: 'analytics_admin',
    DatabaseName: 'analytics',
    DBClusterMembers: [
      { DBInstanceIdentifier: `${id}-2`, IsClusterWriter: false },
      { DBInstanceIdentifier: `${id}-1`, IsClusterWriter: true },
    ],
    VpcSecurityGroups: [
      { VpcSecurityGroupId: 'sg-0a0a0a0a', Status: 'active' },
      { VpcSecurityGroupId: 'sg-0dead000', Status: 'inactive' },
    ],
    DBSubnetGroup: 'analytics-private',
    DBClusterParameterGroup: 'analytics-cluster-pg15',
    BackupRetentionPeriod: 7,
    EarliestRestorableTime: new Date('2026-11-13T04:00:00Z'),
    LatestRestorableTime: new Date('2026-11-20T11:55:00Z'),
    StorageType: 'aurora',
    TagList: [{ Key: 'team', Value: 'analytics' }],
    ...overrides,
  };
}

export function auroraWriter(overrides: Partial<DBInstance> = {}): DBInstance {
  const id = overrides.DBInstanceIdentifier ?? `${AURORA_ID}-1`;
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: instanceArn(id),
    DBClusterIdentifier: AURORA_ID,
    Engine: 'aurora-postgresql',
    DBInstanceClass: 'db.r6g.xlarge',
    DBInstanceStatus: 'available',
    DBParameterGroups: [{ DBParameterGroupName: 'analytics-pg15', ParameterApplyStatus: 'in-sync' }],
    TagList: [],
    ...overrides,
  };
}

/** A DocumentDB source (DocumentDB answers no TagList: tags come from ListTagsForResource). */
export function docdbCluster(overrides: Partial<DBCluster> = {}): DBCluster {
  const id = overrides.DBClusterIdentifier ?? DOCDB_ID;
  return {
    DBClusterIdentifier: id,
    DBClusterArn: clusterArn(id),
    Engine: 'docdb',
    EngineVersion: '5.0.0',
    Status: 'available',
    Endpoint: `${id}.cluster-cxyz.${TEST_REGION}.docdb.amazonaws.com`,
    Port: 27017,
    MasterUsername: 'catalog_admin',
    DBClusterMembers: [{ DBInstanceIdentifier: `${id}-1`, IsClusterWriter: true }],
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0d0c0d0c', Status: 'active' }],
    DBSubnetGroup: 'catalog-private',
    DBClusterParameterGroup: 'catalog-docdb5',
    BackupRetentionPeriod: 7,
    EarliestRestorableTime: new Date('2026-11-13T04:00:00Z'),
    LatestRestorableTime: new Date('2026-11-20T11:55:00Z'),
    TagList: [{ Key: 'team', Value: 'catalog' }],
    ...overrides,
  };
}

export function docdbWriter(overrides: Partial<DBInstance> = {}): DBInstance {
  const id = overrides.DBInstanceIdentifier ?? `${DOCDB_ID}-1`;
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: instanceArn(id),
    DBClusterIdentifier: DOCDB_ID,
    Engine: 'docdb',
    DBInstanceClass: 'db.r6g.large',
    DBInstanceStatus: 'available',
    ...overrides,
  };
}

export function clusterSnapshot(overrides: Partial<DBClusterSnapshot> = {}): DBClusterSnapshot {
  const id = overrides.DBClusterSnapshotIdentifier ?? `rds:${AURORA_ID}-2026-11-20-03-00`;
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: clusterSnapshotArn(id),
    DBClusterIdentifier: AURORA_ID,
    SnapshotType: id.startsWith('rds:') ? 'automated' : 'manual',
    Status: 'available',
    Engine: 'aurora-postgresql',
    SnapshotCreateTime: new Date('2026-11-20T03:00:00Z'),
    TagList: [],
    ...overrides,
  };
}

/** The fork cluster as it shows once restored with our tags (no instances yet unless given). */
export function forkCluster(overrides: Partial<DBCluster> = {}): DBCluster {
  return {
    DBClusterIdentifier: FORK_ID,
    DBClusterArn: clusterArn(FORK_ID),
    Engine: 'aurora-postgresql',
    Status: 'available',
    Endpoint: `${FORK_ID}.cluster-cxyz.${TEST_REGION}.rds.amazonaws.com`,
    Port: 5432,
    DBClusterMembers: [],
    DBClusterParameterGroup: 'analytics-cluster-pg15',
    BackupRetentionPeriod: 1,
    TagList: [
      { Key: TAG.managed, Value: 'true' },
      { Key: TAG.forkId, Value: FORK_ID },
    ],
    ...overrides,
  };
}

export function forkWriter(overrides: Partial<DBInstance> = {}): DBInstance {
  const id = overrides.DBInstanceIdentifier ?? FORK_WRITER_ID;
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: instanceArn(id),
    DBClusterIdentifier: FORK_ID,
    Engine: 'aurora-postgresql',
    DBInstanceClass: 'db.r6g.xlarge',
    DBInstanceStatus: 'available',
    TagList: [
      { Key: TAG.managed, Value: 'true' },
      { Key: TAG.forkId, Value: FORK_ID },
    ],
    ...overrides,
  };
}

/** The Aurora source as the engine describes it (the shape of `auroraCluster()` + `auroraWriter()`). */
export function auroraSource(overrides: Partial<SourceDatabase> = {}): SourceDatabase {
  return {
    id: AURORA_ID,
    arn: clusterArn(AURORA_ID),
    kind: 'aurora-cluster',
    engine: 'aurora-postgresql',
    engineVersion: '15.4',
    status: 'available',
    tags: { team: 'analytics' },
    port: 5432,
    masterUsername: 'analytics_admin',
    dbName: 'analytics',
    instanceClass: 'db.r6g.xlarge',
    storageType: 'aurora',
    vpcSecurityGroupIds: ['sg-0a0a0a0a'],
    subnetGroupName: 'analytics-private',
    parameterGroupName: 'analytics-pg15',
    clusterParameterGroupName: 'analytics-cluster-pg15',
    writerInstanceId: `${AURORA_ID}-1`,
    restorableWindow: { earliest: '2026-11-13T04:00:00.000Z', latest: '2026-11-20T11:55:00.000Z' },
    ...overrides,
  };
}

export function docdbSource(overrides: Partial<SourceDatabase> = {}): SourceDatabase {
  return {
    id: DOCDB_ID,
    arn: clusterArn(DOCDB_ID),
    kind: 'docdb-cluster',
    engine: 'docdb',
    engineVersion: '5.0.0',
    status: 'available',
    tags: { team: 'catalog' },
    port: 27017,
    masterUsername: 'catalog_admin',
    instanceClass: 'db.r6g.large',
    vpcSecurityGroupIds: ['sg-0d0c0d0c'],
    subnetGroupName: 'catalog-private',
    clusterParameterGroupName: 'catalog-docdb5',
    writerInstanceId: `${DOCDB_ID}-1`,
    restorableWindow: { earliest: '2026-11-13T04:00:00.000Z', latest: '2026-11-20T11:55:00.000Z' },
    ...overrides,
  };
}

export function clusterPlan(source: SourceDatabase, overrides: Partial<RestorePlan> = {}): RestorePlan {
  return {
    forkId: FORK_ID,
    targetId: FORK_ID,
    source,
    target: { type: 'snapshot', snapshotId: `rds:${source.id}-2026-11-20-03-00` },
    ...(source.instanceClass ? { instanceClass: source.instanceClass } : {}),
    multiAz: false,
    vpcSecurityGroupIds: source.vpcSecurityGroupIds,
    ...(source.subnetGroupName ? { subnetGroupName: source.subnetGroupName } : {}),
    tags: FORK_TAGS,
    ...overrides,
  };
}

/** The snapshot `clusterPlan` restores by default, of `source`, holding `engineVersion`. */
export function planSnapshot(source: SourceDatabase, engineVersion: string): DBClusterSnapshot {
  return clusterSnapshot({
    DBClusterSnapshotIdentifier: `rds:${source.id}-2026-11-20-03-00`,
    DBClusterIdentifier: source.id,
    Engine: source.engine,
    EngineVersion: engineVersion,
  });
}
