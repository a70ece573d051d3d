import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startMotoRecording,
  stopMotoRecording,
  waitForAvailable,
} from '../../support/moto.js';

describe('moto test helpers', () => {
  beforeEach(resetMoto);

  it('points default SDK clients at the shared moto server', async () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(motoEndpoint());
    const rds = new RDSClient({});

    const described = await rds.send(new DescribeDBInstancesCommand({}));

    expect(described.DBInstances).toEqual([]);
  });

  it('records the calls moto received, including what no API shows back', async () => {
    const rds = new RDSClient(motoClientConfig());
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        MasterUsername: 'orders',
        MasterUserPassword: 'first-password',
      }),
    );
    // AWS refuses ModifyDBInstance while the instance is still `creating`.
    await waitForAvailable({ instance: 'orders' });

    await startMotoRecording();
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        MasterUserPassword: 'rotated-password',
        ApplyImmediately: true,
      }),
    );
    const calls = await stopMotoRecording();

    expect(calls).toEqual([
      {
        service: 'rds',
        action: 'ModifyDBInstance',
        params: expect.objectContaining({
          DBInstanceIdentifier: 'orders',
          MasterUserPassword: 'rotated-password',
        }),
      },
    ]);
  });
});
