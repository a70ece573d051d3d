import { DocDBClient } from '@aws-sdk/client-docdb';
import { type AwsClients, clientConfig } from '../lambdas/core/clients.js';
import type { EngineKind } from '../lambdas/core/fork.js';
import { TAG } from '../lambdas/core/tags.js';
import { createKmsKey, seedAuroraSource, seedDocdbSource, seedRdsSource } from './seed.js';

/**
 * The demo databases `npm run local` seeds into its own emulator, each tagged
 * `dbfork:allow-fork=true`, with automated backups and a manual snapshot. Between them they look
 * like production sources, in as few databases as keep the start fast:
 * - orders-postgres: its own parameter and option groups, Multi-AZ, deletion protection on.
 * - shop-mysql: the engine's DEFAULT parameter and option groups (none named at create), storage
 *   encrypted with a customer managed KMS key, three security groups, deletion protection on,
 *   one day of automated backups.
 * - analytics-aurora, catalog-docdb: a cluster of each kind.
 */
export interface DemoSource {
  id: string;
  kind: EngineKind;
  engine: string;
  snapshotId: string;
}

const ALLOW = { [TAG.allowFork]: 'true' };

export async function seedDemoSources(endpoint: string, aws: AwsClients): Promise<DemoSource[]> {
  // One at a time: each makes its own VPC network, and moto is single-threaded anyway.
  const orders = await seedRdsSource(endpoint, aws.rds, {
    id: 'orders-postgres',
    engine: 'postgres',
    tags: { ...ALLOW, team: 'orders' },
  });
  const shop = await seedRdsSource(endpoint, aws.rds, {
    id: 'shop-mysql',
    engine: 'mysql',
    defaultGroups: true,
    kmsKeyId: await createKmsKey(endpoint, 'shop-mysql storage'),
    securityGroups: 3,
    backupRetentionDays: 1,
    multiAz: false,
    instanceClass: 'db.t4g.medium',
    dbName: 'shop',
    tags: { ...ALLOW, team: 'shop' },
  });
  const analytics = await seedAuroraSource(endpoint, aws.rds, {
    id: 'analytics-aurora',
    engine: 'aurora-postgresql',
    tags: { ...ALLOW, team: 'analytics' },
  });
  // Seeded through DocumentDB's own SDK, as its owners would; dbfork reads it through the RDS API.
  const catalog = await seedDocdbSource(endpoint, new DocDBClient(clientConfig({ endpoint })), {
    id: 'catalog-docdb',
    tags: { ...ALLOW, team: 'catalog' },
  });
  return [
    { id: orders.id, kind: 'rds-instance', engine: 'postgres', snapshotId: orders.manualSnapshotId },
    { id: shop.id, kind: 'rds-instance', engine: 'mysql', snapshotId: shop.manualSnapshotId },
    {
      id: analytics.id,
      kind: 'aurora-cluster',
      engine: analytics.engine,
      snapshotId: analytics.manualSnapshotId,
    },
    { id: catalog.id, kind: 'docdb-cluster', engine: catalog.engine, snapshotId: catalog.manualSnapshotId },
  ];
}
