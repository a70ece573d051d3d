import type { AwsClients } from '../lambdas/core/clients.js';
import type { EngineKind } from '../lambdas/core/fork.js';
import { TAG } from '../lambdas/core/tags.js';
import { seedAuroraSource, seedDocdbSource, seedRdsSource } from './seed.js';

/**
 * The demo databases `npm run local` seeds into its own emulator, one per engine, each tagged
 * `dbfork:allow-fork=true` and with a manual snapshot besides the automated one.
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
  const analytics = await seedAuroraSource(endpoint, aws.rds, {
    id: 'analytics-aurora',
    engine: 'aurora-postgresql',
    tags: { ...ALLOW, team: 'analytics' },
  });
  const catalog = await seedDocdbSource(endpoint, aws.docdb, {
    id: 'catalog-docdb',
    tags: { ...ALLOW, team: 'catalog' },
  });
  return [
    { id: orders.id, kind: 'rds-instance', engine: 'postgres', snapshotId: orders.manualSnapshotId },
    {
      id: analytics.id,
      kind: 'aurora-cluster',
      engine: analytics.engine,
      snapshotId: analytics.manualSnapshotId,
    },
    { id: catalog.id, kind: 'docdb-cluster', engine: catalog.engine, snapshotId: catalog.manualSnapshotId },
  ];
}
