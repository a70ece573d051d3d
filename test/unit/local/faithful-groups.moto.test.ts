import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterParameterGroupsCommand,
  DescribeDBParameterGroupsCommand,
  DescribeOptionGroupsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoClientConfig, resetMoto, setEmulatorConfig, waitForAvailable } from '../../support/moto.js';

/** local/moto/faithful/defaults.py and orderable.py. */
describe('faithful mode: default groups and orderable classes', () => {
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: 50 });
    rds = new RDSClient(motoClientConfig());
  });

  const createMysql = (id: string, instanceClass = 'db.t4g.micro') =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'mysql',
        EngineVersion: '8.0.39',
        DBInstanceClass: instanceClass,
        MasterUsername: 'shop',
        MasterUserPassword: 'shop-password',
      }),
    );

  it('gives an instance created without groups the default ones, and they exist', async () => {
    const created = (await createMysql('shop')).DBInstance;

    expect(created?.OptionGroupMemberships?.map((g) => g.OptionGroupName)).toEqual(['default:mysql-8-0']);
    expect(created?.DBParameterGroups?.map((g) => g.DBParameterGroupName)).toEqual(['default.mysql8.0']);
    const options = await rds.send(new DescribeOptionGroupsCommand({ OptionGroupName: 'default:mysql-8-0' }));
    expect(options.OptionGroupsList?.[0]).toMatchObject({ EngineName: 'mysql', MajorEngineVersion: '8.0' });
  });

  it('describes default groups of any engine by name, as every account has them', async () => {
    const parameters = await rds.send(
      new DescribeDBParameterGroupsCommand({ DBParameterGroupName: 'default.postgres16' }),
    );
    const clusterParameters = await rds.send(
      new DescribeDBClusterParameterGroupsCommand({
        DBClusterParameterGroupName: 'default.aurora-postgresql16',
      }),
    );
    const options = await rds.send(
      new DescribeOptionGroupsCommand({ OptionGroupName: 'default:postgres-16' }),
    );

    expect(parameters.DBParameterGroups?.[0]).toMatchObject({ DBParameterGroupFamily: 'postgres16' });
    expect(clusterParameters.DBClusterParameterGroups?.[0]).toMatchObject({
      DBParameterGroupFamily: 'aurora-postgresql16',
    });
    expect(options.OptionGroupsList?.[0]).toMatchObject({ EngineName: 'postgres', MajorEngineVersion: '16' });
  });

  it('accepts a restore that names the default option group (stock moto: OptionGroupNotFoundFault)', async () => {
    await createMysql('shop');
    await waitForAvailable({ instance: 'shop' });
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'shop', DBSnapshotIdentifier: 'snap' }),
    );
    await waitForAvailable({ dbSnapshot: 'snap' });

    const restored = await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'shop-fork',
        DBSnapshotIdentifier: 'snap',
        OptionGroupName: 'default:mysql-8-0',
        DBParameterGroupName: 'default.mysql8.0',
      }),
    );

    expect(restored.DBInstance?.OptionGroupMemberships?.[0]?.OptionGroupName).toBe('default:mysql-8-0');
  });

  it('lists orderable options for the engines dbfork forks, filtered and paged', async () => {
    const engines = ['postgres', 'mysql', 'mariadb', 'aurora-postgresql', 'aurora-mysql', 'docdb'];
    for (const engine of engines) {
      const out = await rds.send(
        new DescribeOrderableDBInstanceOptionsCommand({ Engine: engine, MaxRecords: 20 }),
      );
      expect(out.OrderableDBInstanceOptions?.length, engine).toBe(20);
      expect(out.Marker, engine).toBeDefined();
    }
    const serverless = await rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        DBInstanceClass: 'db.serverless',
      }),
    );
    expect(serverless.OrderableDBInstanceOptions?.map((o) => o.StorageType).sort()).toEqual([
      'aurora',
      'aurora-iopt1',
    ]);
    const gp3 = await rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres', DBInstanceClass: 'db.t4g.micro' }),
    );
    expect(new Set(gp3.OrderableDBInstanceOptions?.map((o) => o.StorageType))).toEqual(
      new Set(['gp2', 'gp3', 'io1', 'io2', 'standard']),
    );
  });

  it('answers an engine version the data file does not name with the engine classes (AWS lists every version)', async () => {
    const out = await rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'aurora-postgresql', EngineVersion: '15.4' }),
    );

    const classes = new Set(out.OrderableDBInstanceOptions?.map((o) => o.DBInstanceClass));
    expect(classes.has('db.r6g.large')).toBe(true);
    expect(classes.has('db.serverless')).toBe(true);
    expect(new Set(out.OrderableDBInstanceOptions?.map((o) => o.EngineVersion))).toEqual(new Set(['15.4']));
  });

  it('pages through every option with Marker', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const out = await rds.send(
        new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'docdb', MaxRecords: 20, Marker: marker }),
      );
      for (const o of out.OrderableDBInstanceOptions ?? [])
        seen.push(`${o.EngineVersion} ${o.DBInstanceClass} ${o.StorageType}`);
      marker = out.Marker;
    } while (marker);

    expect(seen).toHaveLength(2 * 7 * 2);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses an instance class AWS does not offer for the engine (InvalidParameterCombination)', async () => {
    await expect(createMysql('old', 'db.t2.micro')).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: expect.stringContaining(
        'RDS does not support creating a DB instance with the following combination',
      ),
    });
    await expect(createMysql('serverless', 'db.serverless')).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
  });
});
