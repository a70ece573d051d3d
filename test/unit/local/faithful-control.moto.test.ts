import {
  CreateDBInstanceCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  getEmulatorConfig,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  setEmulatorConfig,
} from '../../support/moto.js';
import { testFaithful } from '../../support/moto-global-setup.js';

/** local/moto/faithful/control.py: POST/GET /dbfork-emulator/config and the reset hook. */
describe('faithful mode: control endpoint', () => {
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    rds = new RDSClient(motoClientConfig());
  });

  it('reads the launch defaults of this test run', async () => {
    const config = await getEmulatorConfig();

    expect(config.faithful).toBe(testFaithful());
    expect(Object.keys(config.delaysMs).sort()).toEqual([
      'create',
      'delete',
      'modify',
      'passwordReset',
      'restore',
      'snapshot',
    ]);
  });

  it('merges a partial change and goes back to the launch defaults on reset', async () => {
    const before = await getEmulatorConfig();

    const changed = await setEmulatorConfig({
      faithful: !before.faithful,
      delayMs: 10,
      delaysMs: { restore: 700 },
      failures: { nextRestore: 'storage-full' },
    });
    await resetMoto();

    expect(changed).toMatchObject({
      faithful: !before.faithful,
      delaysMs: { restore: 700, create: 10, delete: 10 },
      failures: { nextRestore: 'storage-full', restoreTargets: {} },
    });
    expect(await getEmulatorConfig()).toEqual(before);
  });

  it('answers 400 with the reason for an unknown setting or status', async () => {
    const post = (body: unknown) =>
      fetch(`${motoEndpoint()}/dbfork-emulator/config`, { method: 'POST', body: JSON.stringify(body) });

    const unknown = await post({ speed: 1 });
    const status = await post({ failures: { nextRestore: 'on-fire' } });

    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: "unknown setting 'speed'" });
    expect(status.status).toBe(400);
    expect(((await status.json()) as { error: string }).error).toContain('restore-error');
  });

  it('answers as stock moto while the faithful mode is off', async () => {
    await setEmulatorConfig({ faithful: false });

    const created = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'postgres',
        DBInstanceClass: 'db.t2.micro',
        MasterUsername: 'orders',
        MasterUserPassword: 'x',
      }),
    );
    const orderable = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: 'postgres' }));

    expect(created.DBInstance?.DBInstanceStatus).toBe('available');
    expect(orderable.OrderableDBInstanceOptions).toEqual([]);
  });
});
