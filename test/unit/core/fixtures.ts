/** RDS shapes and fork records shared by the core and step unit tests. */
import {
  type DBInstance,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  type DBSnapshot,
  DBSnapshotNotFoundFault,
} from '@aws-sdk/client-rds';
import { forkDnsName } from '../../../lambdas/core/dns.js';
import type { SourceDatabase } from '../../../lambdas/core/engines/engine.js';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { TEST_ACCOUNT, TEST_DOMAIN, TEST_NOW, TEST_REGION } from '../../support/runtime.js';

export const SOURCE_ID = 'orders-prod';
export const SOURCE_ARN = `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:db:${SOURCE_ID}`;
export const FORK_ID = 'fork-abcdef123456';
export const FORK_NAME = 'pr-1234';
export const OWNER = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/developer/alice`;
export const FORK_HOST = `${FORK_ID}.cxyz.${TEST_REGION}.rds.amazonaws.com`;
export const FORK_DNS_NAME = forkDnsName(FORK_NAME, TEST_DOMAIN);
export const EXPIRES_AT = '2026-11-21T12:00:00.000Z';

const metadata = { $metadata: {} };

export const instanceNotFound = (id = FORK_ID) =>
  new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, ...metadata });
export const snapshotNotFound = (id: string) =>
  new DBSnapshotNotFoundFault({ message: `DBSnapshot ${id} not found.`, ...metadata });
export const instanceAlreadyExists = (id = FORK_ID) =>
  new DBInstanceAlreadyExistsFault({ message: `DB instance ${id} already exists`, ...metadata });

/** The source: an available PostgreSQL instance with its own network, groups and backups. */
export function sourceInstance(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: SOURCE_ID,
    DBInstanceArn: SOURCE_ARN,
    Engine: 'postgres',
    EngineVersion: '16.4',
    DBInstanceStatus: 'available',
    DBInstanceClass: 'db.r6g.large',
    StorageType: 'gp3',
    MasterUsername: 'orders_admin',
    DBName: 'orders',
    Endpoint: { Address: `${SOURCE_ID}.cxyz.${TEST_REGION}.rds.amazonaws.com`, Port: 5432 },
    VpcSecurityGroups: [
      { VpcSecurityGroupId: 'sg-0a1b2c3d', Status: 'active' },
      { VpcSecurityGroupId: 'sg-0ffff000', Status: 'inactive' },
      { VpcSecurityGroupId: 'sg-0e5e5e5e', Status: 'adding' },
    ],
    DBSubnetGroup: { DBSubnetGroupName: 'orders-private' },
    DBParameterGroups: [{ DBParameterGroupName: 'orders-pg16', ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-16', Status: 'in-sync' }],
    BackupRetentionPeriod: 7,
    InstanceCreateTime: new Date('2026-01-01T00:00:00Z'),
    LatestRestorableTime: new Date('2026-11-20T11:55:00Z'),
    TagList: [{ Key: 'team', Value: 'orders' }],
    ...overrides,
  };
}

/** The fork's instance as RDS shows it once restored with our tags. */
export function forkInstance(overrides: Partial<DBInstance> = {}, forkId = FORK_ID): DBInstance {
  return {
    DBInstanceIdentifier: forkId,
    DBInstanceArn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:db:${forkId}`,
    Engine: 'postgres',
    DBInstanceStatus: 'available',
    Endpoint: { Address: FORK_HOST.replace(FORK_ID, forkId), Port: 5432 },
    TagList: [
      { Key: TAG.managed, Value: 'true' },
      { Key: TAG.forkId, Value: forkId },
    ],
    ...overrides,
  };
}

export function snapshot(overrides: Partial<DBSnapshot> = {}): DBSnapshot {
  const id = overrides.DBSnapshotIdentifier ?? 'rds:orders-prod-2026-11-20-03-00';
  return {
    DBSnapshotIdentifier: id,
    DBSnapshotArn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:snapshot:${id}`,
    DBInstanceIdentifier: SOURCE_ID,
    SnapshotType: id.startsWith('rds:') ? 'automated' : 'manual',
    Status: 'available',
    Engine: 'postgres',
    SnapshotCreateTime: new Date('2026-11-20T03:00:00Z'),
    TagList: [],
    ...overrides,
  };
}

/** The source as the engine strategy describes it (the shape of `sourceInstance()`). */
export function sourceDatabase(overrides: Partial<SourceDatabase> = {}): SourceDatabase {
  return {
    id: SOURCE_ID,
    arn: SOURCE_ARN,
    kind: 'rds-instance',
    engine: 'postgres',
    engineVersion: '16.4',
    status: 'available',
    tags: { team: 'orders' },
    port: 5432,
    masterUsername: 'orders_admin',
    dbName: 'orders',
    instanceClass: 'db.r6g.large',
    storageType: 'gp3',
    vpcSecurityGroupIds: ['sg-0a1b2c3d', 'sg-0e5e5e5e'],
    subnetGroupName: 'orders-private',
    parameterGroupName: 'orders-pg16',
    optionGroupName: 'default:postgres-16',
    restorableWindow: { earliest: '2026-11-13T04:00:00.000Z', latest: '2026-11-20T11:55:00.000Z' },
    ...overrides,
  };
}

/** A fork record as the API writes it on `POST /v1/forks` (status creating, nothing resolved yet). */
export function forkRecord(overrides: Partial<ForkRecord> = {}): ForkRecord {
  const id = overrides.id ?? FORK_ID;
  const name = overrides.name ?? FORK_NAME;
  return {
    id,
    name,
    sourceRef: SOURCE_ID,
    restore: { requested: { type: 'latest-backup' } },
    overrides: {},
    status: 'creating',
    step: 'resolving-source',
    progress: 5,
    order: 10,
    owner: OWNER,
    createdAt: TEST_NOW,
    updatedAt: TEST_NOW,
    expiresAt: EXPIRES_AT,
    ttlHours: 24,
    dnsName: forkDnsName(name, TEST_DOMAIN),
    tags: { team: 'payments' },
    history: [{ at: TEST_NOW, step: 'resolving-source', status: 'creating', message: 'fork requested' }],
    ...overrides,
  };
}

/** The tags every resource of FORK_ID carries (forkTags of `forkRecord()`). */
export const FORK_TAGS = [
  { Key: TAG.managed, Value: 'true' },
  { Key: TAG.forkId, Value: FORK_ID },
  { Key: TAG.expiresAt, Value: EXPIRES_AT },
  { Key: TAG.owner, Value: OWNER },
  { Key: 'team', Value: 'payments' },
];
