import { beforeEach, describe, expect, it } from 'vitest';
import { RdsInstanceEngine } from '../../../lambdas/core/engines/rds-instance.js';
import { EngineRegistry } from '../../../lambdas/core/engines/registry.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { TEST_ACCOUNT, TEST_REGION } from '../../support/runtime.js';
import { SOURCE_ARN, SOURCE_ID, snapshot, sourceInstance } from '../core/fixtures.js';
import { type ApiHarness, apiHarness, bodyOf, declaredEngine, expectError, givenRds } from './support.js';

const arnOf = (id: string) => `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:db:${id}`;

let h: ApiHarness;

beforeEach(() => {
  h = apiHarness();
  givenRds(
    h.mocks,
    [
      sourceInstance(),
      sourceInstance({
        DBInstanceIdentifier: 'billing-prod',
        DBInstanceArn: arnOf('billing-prod'),
        Engine: 'mysql',
      }),
      sourceInstance({
        DBInstanceIdentifier: 'search-prod',
        DBInstanceArn: arnOf('search-prod'),
        DBInstanceStatus: 'backing-up',
        BackupRetentionPeriod: 0,
        TagList: [{ Key: TAG.allowFork, Value: 'true' }],
      }),
      sourceInstance({
        DBInstanceIdentifier: 'fork-abcdef123456',
        DBInstanceArn: arnOf('fork-abcdef123456'),
        TagList: [{ Key: TAG.managed, Value: 'true' }],
      }),
      sourceInstance({ DBInstanceIdentifier: 'aurora-1', DBClusterIdentifier: 'orders-aurora' }),
    ],
    [
      snapshot({
        DBSnapshotIdentifier: 'orders-manual-old',
        SnapshotCreateTime: new Date('2026-11-01T00:00:00Z'),
      }),
      snapshot(),
      snapshot({
        DBSnapshotIdentifier: 'orders-manual-new',
        SnapshotCreateTime: new Date('2026-11-20T09:00:00Z'),
        Status: 'creating',
      }),
    ],
  );
});

describe('GET /v1/sources', () => {
  it('lists databases with whether each may be forked, leaving out forks and cluster members', async () => {
    const result = await h.call('GET', '/v1/sources');

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      sources: [
        {
          id: 'billing-prod',
          arn: arnOf('billing-prod'),
          engine: 'mysql',
          kind: 'rds-instance',
          status: 'available',
          allowed: false,
          restorableWindow: {
            earliestRestorableTime: null,
            latestRestorableTime: '2026-11-20T11:55:00.000Z',
          },
        },
        {
          id: SOURCE_ID,
          arn: SOURCE_ARN,
          engine: 'postgres',
          kind: 'rds-instance',
          status: 'available',
          allowed: true,
          restorableWindow: {
            earliestRestorableTime: null,
            latestRestorableTime: '2026-11-20T11:55:00.000Z',
          },
        },
        {
          id: 'search-prod',
          arn: arnOf('search-prod'),
          engine: 'postgres',
          kind: 'rds-instance',
          status: 'backing-up',
          allowed: true,
          restorableWindow: { earliestRestorableTime: null, latestRestorableTime: null },
        },
      ],
    });
  });

  it('asks every engine', async () => {
    const aurora = declaredEngine('aurora-cluster', ['clone']);
    aurora.listSources = async () => [
      {
        id: 'orders-aurora',
        arn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:cluster:orders-aurora`,
        kind: 'aurora-cluster',
        engine: 'aurora-postgresql',
        status: 'available',
        tags: {},
        vpcSecurityGroupIds: [],
        restorableWindow: {},
      },
    ];
    h.rt.engines = new EngineRegistry([new RdsInstanceEngine(h.rt.aws.rds), aurora]);

    const ids = bodyOf<{ sources: { id: string }[] }>(await h.call('GET', '/v1/sources')).sources.map(
      (s) => s.id,
    );

    expect(ids).toEqual(['billing-prod', 'orders-aurora', SOURCE_ID, 'search-prod']);
  });

  it('answers 400 when given a query parameter', async () => {
    expectError(
      await h.call('GET', '/v1/sources', { query: { engine: 'postgres' } }),
      400,
      'validation_failed',
    );
  });
});

describe('GET /v1/sources/{id}/backups', () => {
  it('lists the snapshots newest first with the restorable window', async () => {
    const result = await h.call('GET', `/v1/sources/${SOURCE_ID}/backups`);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      source: {
        id: SOURCE_ID,
        arn: SOURCE_ARN,
        engine: 'postgres',
        kind: 'rds-instance',
        status: 'available',
      },
      restorableWindow: {
        earliestRestorableTime: '2026-11-13T04:00:00.000Z',
        latestRestorableTime: '2026-11-20T11:55:00.000Z',
      },
      backups: [
        {
          id: 'orders-manual-new',
          arn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:snapshot:orders-manual-new`,
          type: 'manual',
          status: 'creating',
          createdAt: '2026-11-20T09:00:00.000Z',
          engine: 'postgres',
        },
        {
          id: 'rds:orders-prod-2026-11-20-03-00',
          arn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:snapshot:rds:orders-prod-2026-11-20-03-00`,
          type: 'automated',
          status: 'available',
          createdAt: '2026-11-20T03:00:00.000Z',
          engine: 'postgres',
        },
        {
          id: 'orders-manual-old',
          arn: `arn:aws:rds:${TEST_REGION}:${TEST_ACCOUNT}:snapshot:orders-manual-old`,
          type: 'manual',
          status: 'available',
          createdAt: '2026-11-01T00:00:00.000Z',
          engine: 'postgres',
        },
      ],
    });
  });

  it('accepts the source ARN, URL-encoded', async () => {
    const result = await h.call('GET', `/v1/sources/${encodeURIComponent(SOURCE_ARN)}/backups`);

    expect(bodyOf<{ source: { id: string } }>(result).source.id).toBe(SOURCE_ID);
  });

  it('lists the backups of an allowed source that is not available right now', async () => {
    expect((await h.call('GET', '/v1/sources/search-prod/backups')).statusCode).toBe(200);
  });

  it('answers 404 when the source does not exist', async () => {
    expectError(await h.call('GET', '/v1/sources/nope-prod/backups'), 404, 'source_not_found');
  });

  it('answers 403 with how to allow it when the source is not allow-listed', async () => {
    const error = expectError(
      await h.call('GET', '/v1/sources/billing-prod/backups'),
      403,
      'source_not_allowed',
    );

    expect(error.message).toContain('allowedSources');
  });

  it('answers 400 when the id is not a database identifier', async () => {
    expectError(await h.call('GET', '/v1/sources/9lives/backups'), 400, 'validation_failed');
  });
});
