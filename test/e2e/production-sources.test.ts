import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backups, Fork } from '../../cli/http.js';
import { createClients } from '../../lambdas/core/clients.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { leftovers, NOTHING_LEFT } from './leftovers.js';

/**
 * Sources shaped like production ones, forked as a user would: `npm run local` seeds shop-mysql on
 * the engine's DEFAULT parameter and option groups, KMS-encrypted, in three security groups, with
 * deletion protection and automated backups. A user lists its backups, picks the automated `rds:`
 * snapshot exactly as listed, forks from it and deletes the fork.
 */

const SHOP = 'shop-mysql';

let app: OfflineProcess;
const cli = (...args: string[]) => runCli(app.apiUrl, args);

async function deleteAndExpectNothingLeft(fork: Fork): Promise<void> {
  const deleted = await cli('delete', fork.id, '--yes', '--wait', '--json');
  expect(deleted.code, deleted.stderr).toBe(0);
  expect(json<Fork>(deleted)).toMatchObject({ id: fork.id, status: 'deleted' });
  expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
}

describe('forking production-shaped sources offline (npm run local + the built CLI)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess();
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('seeds shop-mysql on the default groups, encrypted, in three security groups, protected, with an automated snapshot', async () => {
    const aws = createClients({ endpoint: app.emulator, region: 'us-east-1' });
    try {
      const db = (await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: SHOP })))
        .DBInstances?.[0];
      const automated = await aws.rds.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: SHOP, SnapshotType: 'automated' }),
      );

      expect({
        engine: db?.Engine,
        parameterGroups: db?.DBParameterGroups?.map((g) => g.DBParameterGroupName),
        optionGroups: db?.OptionGroupMemberships?.map((g) => g.OptionGroupName),
        encrypted: db?.StorageEncrypted,
        deletionProtection: db?.DeletionProtection,
        securityGroups: db?.VpcSecurityGroups?.length,
        backupDays: db?.BackupRetentionPeriod,
      }).toEqual({
        engine: 'mysql',
        parameterGroups: ['default.mysql8.0'],
        optionGroups: ['default:mysql-8-0'],
        encrypted: true,
        deletionProtection: true,
        securityGroups: 3,
        backupDays: 1,
      });
      expect(db?.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
      expect(automated.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([
        expect.stringMatching(new RegExp(`^rds:${SHOP}-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}$`)),
      ]);
    } finally {
      aws.rds.destroy();
    }
  });

  it('forks a MySQL source on the default option group to ready, then deletes it leaving nothing', async () => {
    const result = await cli('create', SHOP, '--name', 'shop-default', '--ttl', '2h', '--wait', '--json');

    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    const fork = json<Fork>(result);
    expect(fork).toMatchObject({ name: 'shop-default', status: 'ready', source: { id: SHOP } });
    await deleteAndExpectNothingLeft(fork);
  });

  it('forks from the automated rds: snapshot exactly as `dbfork backups` lists it, then deletes it leaving nothing', async () => {
    const listed = await cli('backups', SHOP, '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const automated = json<Backups>(listed).backups.find((b) => b.type === 'automated');
    expect(automated?.id).toMatch(/^rds:shop-mysql-/);
    const snapshotId = automated?.id ?? '';

    const result = await cli(
      'create',
      SHOP,
      '--from',
      `snapshot:${snapshotId}`,
      '--name',
      'shop-nightly',
      '--ttl',
      '2h',
      '--wait',
      '--json',
    );

    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    const fork = json<Fork>(result);
    expect(fork).toMatchObject({
      name: 'shop-nightly',
      status: 'ready',
      restore: { requested: { type: 'snapshot', snapshotId }, resolved: { snapshotId } },
    });
    await deleteAndExpectNothingLeft(fork);
  });
});
