import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeOrderableDBInstanceOptionsCommand } from '@aws-sdk/client-rds';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PublicFork } from '../../../lambdas/core/fork.js';
import { TAG } from '../../../lambdas/core/tags.js';
import type { TestEnvOverrides } from '../../support/runtime.js';
import {
  AURORA_ID,
  auroraCluster,
  auroraWriter,
  DOCDB_ID,
  docdbCluster,
  docdbWriter,
} from '../core/cluster-fixtures.js';
import { SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiHarness,
  bodyOf,
  expectError,
  givenClusters,
  givenOrderable,
  givenRds,
  orderableRows,
} from './support.js';

/**
 * POST /v1/forks refuses overrides the source's fork could not get — a class AWS does not order for
 * its engine version, storage of another kind, missing or out-of-range IOPS, Multi-AZ on a cluster —
 * with a 400 and nothing written, instead of a 202 and a restore that fails minutes later.
 */

const POSTGRES_CLASSES = [
  'db.r6g.large',
  'db.r6g.xlarge',
  'db.r6g.2xlarge',
  'db.r6g.12xlarge',
  'db.t4g.micro',
  'db.t4g.medium',
  'db.t4g.large',
  'db.m6g.large',
  'db.m6g.xlarge',
  'db.m5.large',
];
const RDS_STORAGE = [
  { StorageType: 'gp2', MultiAZCapable: true },
  {
    StorageType: 'gp3',
    MultiAZCapable: true,
    SupportsIops: true,
    MinIopsPerDbInstance: 3000,
    MaxIopsPerDbInstance: 64000,
  },
  {
    StorageType: 'io1',
    MultiAZCapable: true,
    SupportsIops: true,
    MinIopsPerDbInstance: 1000,
    MaxIopsPerDbInstance: 256000,
  },
  {
    StorageType: 'io2',
    MultiAZCapable: true,
    SupportsIops: true,
    MinIopsPerDbInstance: 1000,
    MaxIopsPerDbInstance: 256000,
  },
];

let h: ApiHarness;

function setup(env: TestEnvOverrides = {}) {
  h = apiHarness({
    env: { policy: { allowedSources: [SOURCE_ID, AURORA_ID, DOCDB_ID] }, ...env },
  });
  givenRds(h.mocks, [sourceInstance(), auroraWriter(), docdbWriter()]);
  givenClusters(h.mocks, [
    auroraCluster(),
    docdbCluster({ TagList: [{ Key: TAG.allowFork, Value: 'true' }] }),
  ]);
  givenOrderable(h.mocks, [
    ...orderableRows('postgres', '16.4', POSTGRES_CLASSES, RDS_STORAGE),
    // Magnetic storage only on an old class: the catalogue decides per class.
    ...orderableRows(
      'postgres',
      '16.4',
      ['db.m5.large'],
      [{ StorageType: 'standard', MultiAZCapable: true }],
    ),
    ...orderableRows('postgres', '15.7', ['db.x2g.large'], RDS_STORAGE),
    ...orderableRows(
      'aurora-postgresql',
      '15.4',
      ['db.r6g.large', 'db.r6g.xlarge', 'db.serverless', 'db.t4g.medium'],
      [{ StorageType: 'aurora' }, { StorageType: 'aurora-iopt1' }],
    ),
    ...orderableRows('docdb', '5.0.0', ['db.r6g.large', 'db.t4g.medium', 'db.serverless']),
  ]);
  h.mocks.dynamo?.on(GetCommand).resolves({});
  h.mocks.dynamo?.on(TransactWriteCommand).resolves({});
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
}

beforeEach(() => setup());

const post = (body: unknown) => h.call('POST', '/v1/forks', { body });

function expectNothingWritten() {
  expect(h.mocks.dynamo?.commandCalls(TransactWriteCommand)).toEqual([]);
  expect(h.workflows.started).toEqual([]);
  expect(h.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
}

async function expectRefused(
  body: unknown,
): Promise<{ message: string; details: Record<string, unknown>[] }> {
  const error = expectError(await post(body), 400, 'validation_failed');
  expectNothingWritten();
  return error;
}

describe('POST /v1/forks overrides.instanceClass', () => {
  it('answers 400 naming the class and up to 8 valid choices, its family first, when AWS does not order it', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { instanceClass: 'db.r6g.gigantic' } });

    expect(error.details).toEqual([
      {
        path: 'overrides.instanceClass',
        message: expect.stringContaining('instance class db.r6g.gigantic is not available for postgres 16.4'),
        engine: 'postgres',
        engineVersion: '16.4',
        choices: [
          'db.r6g.large',
          'db.r6g.xlarge',
          'db.r6g.2xlarge',
          'db.r6g.12xlarge',
          'db.m5.large',
          'db.m6g.large',
          'db.m6g.xlarge',
          'db.t4g.micro',
        ],
      },
    ]);
    expect(error.message).toContain('choose one of db.r6g.large, db.r6g.xlarge');
  });

  it('answers 400 for db.x99.gigantic, which matches the class pattern but no catalogue', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { instanceClass: 'db.x99.gigantic' } });

    expect(error.details[0]).toMatchObject({ path: 'overrides.instanceClass', engine: 'postgres' });
    expect(error.details[0]?.choices).toHaveLength(8);
  });

  it("asks for the source's engine and engine version only", async () => {
    await expectRefused({ source: SOURCE_ID, overrides: { instanceClass: 'db.x2g.large' } });

    const inputs = h.mocks.rds
      .commandCalls(DescribeOrderableDBInstanceOptionsCommand)
      .map((c) => c.args[0].input);
    expect(inputs).toEqual([{ Engine: 'postgres', EngineVersion: '16.4', MaxRecords: 1000 }]);
  });

  it('accepts an orderable class and keeps it on the fork', async () => {
    const result = await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });

    expect({ status: result.statusCode, overrides: bodyOf<PublicFork>(result).overrides }).toEqual({
      status: 202,
      overrides: { instanceClass: 'db.t4g.medium' },
    });
  });

  it('pages through every Marker before deciding', async () => {
    givenOrderable(
      h.mocks,
      orderableRows('postgres', '16.4', [...POSTGRES_CLASSES, 'db.r7g.large'], RDS_STORAGE),
      20,
    );

    const result = await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.r7g.large' } });

    expect(result.statusCode).toBe(202);
    expect(
      h.mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand).map((c) => c.args[0].input.Marker),
    ).toEqual([undefined, '20', '40']);
  });

  it('reads the catalogue once for many requests (cached in memory per engine and version)', async () => {
    await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });
    await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.large' } });
    await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.nope.large' } });

    expect(h.mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)).toHaveLength(1);
  });

  it('reads it again once the cache has expired', async () => {
    await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });
    h.clock.advance({ minutes: 16 });
    await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });

    expect(h.mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)).toHaveLength(2);
  });

  it('accepts db.serverless for an Aurora cluster whose version orders it', async () => {
    const result = await post({ source: AURORA_ID, overrides: { instanceClass: 'db.serverless' } });

    expect(result.statusCode).toBe(202);
  });

  it('refuses db.serverless for an RDS instance, where it is not orderable', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { instanceClass: 'db.serverless' } });

    expect(error.details[0]?.path).toBe('overrides.instanceClass');
  });

  it("checks a DocumentDB class by Engine docdb, within the DocumentDB API's page limit (100)", async () => {
    const error = await expectRefused({ source: DOCDB_ID, overrides: { instanceClass: 'db.r5.24xlarge' } });

    expect(error.details[0]?.choices).toEqual(['db.serverless', 'db.r6g.large', 'db.t4g.medium']);
    const inputs = h.mocks.rds
      .commandCalls(DescribeOrderableDBInstanceOptionsCommand)
      .map((c) => c.args[0].input);
    expect(inputs).toEqual([{ Engine: 'docdb', EngineVersion: '5.0.0', MaxRecords: 100 }]);
  });

  it('answers 400 without choices when AWS orders nothing for the engine version', async () => {
    givenRds(h.mocks, [sourceInstance({ EngineVersion: '9.6.1' })]);

    const error = await expectRefused({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });

    expect(error.details[0]).toMatchObject({ engineVersion: '9.6.1', choices: [] });
    expect(error.message).toContain('AWS lists no orderable instance class for postgres 9.6.1');
  });

  it('makes no AWS call when there are no overrides', async () => {
    const result = await post({ source: SOURCE_ID });

    expect(result.statusCode).toBe(202);
    expect(h.mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)).toEqual([]);
  });
});

describe('POST /v1/forks overrides.storageType and iops', () => {
  it.each([
    [SOURCE_ID, 'aurora', 'standard, gp2, gp3, io1, io2'],
    [AURORA_ID, 'gp3', 'aurora, aurora-iopt1'],
    [DOCDB_ID, 'aurora-iopt1', 'standard, iopt1'],
  ])('refuses a storage type of another kind for %s (%s)', async (source, storageType, allowed) => {
    const error = await expectRefused({ source, overrides: { storageType } });

    expect(error.details).toEqual([
      expect.objectContaining({ path: 'overrides.storageType', allowed: allowed.split(', ') }),
    ]);
  });

  it.each([
    [SOURCE_ID, { storageType: 'gp3' }],
    [SOURCE_ID, { storageType: 'io2', iops: 12000 }],
    [SOURCE_ID, { storageType: 'gp3', iops: 12000 }],
    [AURORA_ID, { storageType: 'aurora-iopt1' }],
    [DOCDB_ID, { storageType: 'iopt1' }],
  ])('accepts %s with %o', async (source, overrides) => {
    const result = await post({ source, overrides });

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result).overrides).toEqual(overrides);
  });

  it('refuses io1 without iops when the source is not already on io1 (its backup has none to carry over)', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { storageType: 'io1' } });

    expect(error.details).toEqual([expect.objectContaining({ path: 'overrides.iops' })]);
    expect(error.message).toContain('storage type io1 needs provisioned IOPS');
  });

  it('accepts io1 without iops from a source already on io1', async () => {
    givenRds(h.mocks, [sourceInstance({ StorageType: 'io1', Iops: 3000 })]);

    expect((await post({ source: SOURCE_ID, overrides: { storageType: 'io1' } })).statusCode).toBe(202);
  });

  it.each([
    [SOURCE_ID, { storageType: 'gp2', iops: 3000 }, 'iops needs storageType io1, io2, gp3, not gp2'],
    [SOURCE_ID, { iops: 3000 }, 'iops needs storageType io1, io2, gp3'],
    [AURORA_ID, { iops: 3000 }, 'iops applies to RDS instance storage'],
  ])('refuses iops where they do not apply (%s %o)', async (source, overrides, message) => {
    const error = await expectRefused({ source, overrides });

    expect(error.message).toContain(message);
  });

  it('refuses iops outside the range the catalogue gives for the class and storage type', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { storageType: 'gp3', iops: 80000 } });

    expect(error.details).toEqual([
      expect.objectContaining({ path: 'overrides.iops', min: 3000, max: 64000 }),
    ]);
  });

  it('refuses a storage type the catalogue does not list for the class the fork would run on', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { storageType: 'standard' } });

    expect(error.details).toEqual([
      expect.objectContaining({ path: 'overrides.storageType', allowed: ['gp2', 'gp3', 'io1', 'io2'] }),
    ]);
    expect(error.message).toContain('not available on db.r6g.large for postgres 16.4');
  });

  it('accepts that storage type with a class the catalogue lists it for', async () => {
    const result = await post({
      source: SOURCE_ID,
      overrides: { instanceClass: 'db.m5.large', storageType: 'standard' },
    });

    expect(result.statusCode).toBe(202);
  });

  it('refuses iops below 1000 in the body schema already', async () => {
    const error = await expectRefused({ source: SOURCE_ID, overrides: { storageType: 'io1', iops: 100 } });

    expect(error.details).toEqual([expect.objectContaining({ path: 'overrides.iops' })]);
    expect(h.mocks.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)).toEqual([]);
  });
});

describe('POST /v1/forks overrides.multiAz', () => {
  it.each([AURORA_ID, DOCDB_ID])(
    'refuses multiAz: true for the cluster %s, whose fork gets one writer',
    async (source) => {
      const error = await expectRefused({ source, overrides: { multiAz: true } });

      expect(error.details).toEqual([expect.objectContaining({ path: 'overrides.multiAz' })]);
    },
  );

  it('accepts multiAz: false on a cluster (what a fork gets anyway)', async () => {
    expect((await post({ source: AURORA_ID, overrides: { multiAz: false } })).statusCode).toBe(202);
  });

  it('accepts multiAz: true on an RDS instance whose class can run Multi-AZ', async () => {
    expect((await post({ source: SOURCE_ID, overrides: { multiAz: true } })).statusCode).toBe(202);
  });

  it('refuses multiAz: true on a class the catalogue says cannot run Multi-AZ', async () => {
    givenOrderable(
      h.mocks,
      orderableRows('postgres', '16.4', ['db.r6g.large'], [{ StorageType: 'gp3', MultiAZCapable: false }]),
    );

    const error = await expectRefused({ source: SOURCE_ID, overrides: { multiAz: true } });

    expect(error.message).toContain('db.r6g.large cannot run Multi-AZ');
  });
});
