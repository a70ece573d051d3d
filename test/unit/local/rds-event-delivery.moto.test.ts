import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateDBSnapshotCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RDS_EVENT_RULE_NAME,
  type RdsEventDelivery,
  startRdsEventDelivery,
} from '../../../local/rds-event-delivery.js';
import {
  createAvailableInstance,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  setEmulatorConfig,
  waitForAvailable,
  waitForEmulatorEvents,
} from '../../support/moto.js';

const DELAY_MS = 100;
/** Generous: delivery normally takes well under a second. */
const DEADLINE_MS = 10_000;
/** How long to keep listening before concluding that nothing (more) comes. */
const QUIET_MS = 1_500;

interface DeliveredEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: { readonly SourceIdentifier: string; readonly EventID: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not delivered in time: ${what}`);
    await sleep(20);
  }
}

/** local/rds-event-delivery.ts: the emulator's RDS events reach a handler as AWS would deliver them. */
describe('startRdsEventDelivery', () => {
  let rds: RDSClient;
  let delivery: RdsEventDelivery | undefined;
  let delivered: DeliveredEvent[];

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: DELAY_MS });
    rds = new RDSClient(motoClientConfig());
    delivered = [];
  });

  afterEach(async () => {
    await delivery?.stop();
    delivery = undefined;
  });

  const collect = async (event: unknown): Promise<void> => {
    delivered.push(event as DeliveredEvent);
  };
  const deliveredIds = (identifier: string) =>
    delivered.filter((e) => e.detail.SourceIdentifier === identifier).map((e) => e.detail.EventID);

  async function seedSnapshot(): Promise<void> {
    await createAvailableInstance(rds, 'orders');
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-snap' }),
    );
    await waitForAvailable({ dbSnapshot: 'orders-snap' });
  }

  const restoreFork = (id: string) =>
    rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: id,
        DBSnapshotIdentifier: 'orders-snap',
      }),
    );

  it("delivers a restored fork's documented event, and none of resources dbfork did not create", async () => {
    await seedSnapshot();
    delivery = await startRdsEventDelivery({ endpoint: motoEndpoint(), deliver: collect });

    await restoreFork('fork-restored');

    await until(() => deliveredIds('fork-restored').includes('RDS-EVENT-0043'), 'RDS-EVENT-0043');
    expect(delivered).toEqual([
      expect.objectContaining({
        source: 'aws.rds',
        'detail-type': 'RDS DB Instance Event',
        detail: expect.objectContaining({ SourceIdentifier: 'fork-restored', EventID: 'RDS-EVENT-0043' }),
      }),
    ]);
  });

  it('delivers nothing when the emulator drops every event', async () => {
    await seedSnapshot();
    await setEmulatorConfig({ events: { dropFraction: 1 } });
    delivery = await startRdsEventDelivery({ endpoint: motoEndpoint(), deliver: collect });

    await restoreFork('fork-lost');
    const log = await waitForEmulatorEvents((l) =>
      l.some((r) => r.event.detail.SourceIdentifier === 'fork-lost'),
    );
    await sleep(QUIET_MS);

    expect(log.filter((r) => r.event.detail.SourceIdentifier === 'fork-lost').map((r) => r.dropped)).toEqual([
      true,
    ]);
    expect(delivered).toEqual([]);
  });

  it('delivers an event again when the handler throws, a bounded number of times', async () => {
    await seedSnapshot();
    let calls = 0;
    const errors: string[] = [];
    delivery = await startRdsEventDelivery({
      endpoint: motoEndpoint(),
      maxAttempts: 2,
      retryDelaySeconds: 0,
      deliver: async () => {
        calls += 1;
        throw new Error('handler failed');
      },
      logger: { warn: () => undefined, error: (message) => errors.push(message) },
    });

    await restoreFork('fork-retried');
    await until(() => errors.length === 1, 'the give-up after two attempts');
    await sleep(QUIET_MS);

    expect(calls).toBe(2);
    expect(errors).toEqual(['RDS event dropped after 2 failed deliveries']);
  });

  it('stops delivering once stopped', async () => {
    await seedSnapshot();
    const running = await startRdsEventDelivery({ endpoint: motoEndpoint(), deliver: collect });
    await restoreFork('fork-before');
    await until(() => deliveredIds('fork-before').length === 1, 'the event before stop');

    await running.stop();
    await restoreFork('fork-after');
    await waitForEmulatorEvents((l) => l.some((r) => r.event.detail.SourceIdentifier === 'fork-after'));
    await sleep(QUIET_MS);

    expect(deliveredIds('fork-after')).toEqual([]);
    expect(deliveredIds('fork-before')).toEqual(['RDS-EVENT-0043']);
  });

  it('makes its rule and queue again after a moto reset, and goes on delivering', async () => {
    delivery = await startRdsEventDelivery({ endpoint: motoEndpoint(), deliver: collect });
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: DELAY_MS });
    const events = new EventBridgeClient(motoClientConfig());
    const ruleExists = async () =>
      ((await events.send(new ListRulesCommand({ NamePrefix: RDS_EVENT_RULE_NAME }))).Rules ?? []).length ===
      1;
    const deadline = Date.now() + DEADLINE_MS;
    while (!(await ruleExists())) {
      if (Date.now() > deadline) throw new Error('the rule was not made again');
      await sleep(50);
    }

    await seedSnapshot();
    await restoreFork('fork-after-reset');

    await until(
      () => deliveredIds('fork-after-reset').includes('RDS-EVENT-0043'),
      'RDS-EVENT-0043 after a reset',
    );
  });
});
