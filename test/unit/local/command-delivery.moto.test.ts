import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandDelivery, startCommandDelivery } from '../../../local/command-delivery.js';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto.js';

/** Generous: delivery normally takes well under a second. */
const DEADLINE_MS = 10_000;
/** How long to keep listening before concluding that nothing (more) comes. */
const QUIET_MS = 1_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not delivered in time: ${what}`);
    await sleep(20);
  }
}

/**
 * local/command-delivery.ts: commands put on the emulator's dbfork bus reach the consumer as the
 * SQS batches Lambda's event source would hand it, and what it reports as failed is retried and
 * then dead-lettered by the queue.
 */
describe('startCommandDelivery', () => {
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let delivery: CommandDelivery | undefined;
  let batches: SQSEvent[];
  /** Commands (by detail.name) the consumer reports as failed. */
  let failing: Set<string>;

  const consume = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    batches.push(event);
    const failed = event.Records.filter((r) => failing.has(nameOf(r)));
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
  };
  const nameOf = (record: SQSRecord) =>
    String((JSON.parse(record.body) as { detail: { name?: string } }).detail.name);
  const records = () => batches.flatMap((b) => b.Records);

  beforeEach(async () => {
    await resetMoto();
    events = new EventBridgeClient(motoClientConfig());
    sqs = new SQSClient(motoClientConfig());
    await events.send(new CreateEventBusCommand({ Name: 'dbfork' }));
    batches = [];
    failing = new Set();
    delivery = await startCommandDelivery({ endpoint: motoEndpoint(), consume, maxReceiveCount: 2 });
  });

  afterEach(async () => {
    await delivery?.stop();
    delivery = undefined;
  });

  const put = async (source: string, detailType: string, name: string) => {
    const { Entries } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'dbfork',
            Source: source,
            DetailType: detailType,
            Detail: JSON.stringify({ name }),
          },
        ],
      }),
    );
    return Entries?.[0]?.EventId;
  };

  it('hands a command to the consumer as an SQS record whose body is the event, and deletes it once acknowledged', async () => {
    const id = await put('ci.pipeline', 'Create Fork', 'one');

    await until(() => records().length === 1, 'Create Fork');
    const [record] = records();
    expect(JSON.parse(record?.body ?? '')).toMatchObject({
      id,
      source: 'ci.pipeline',
      'detail-type': 'Create Fork',
      detail: { name: 'one' },
    });
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
      eventSourceARN: expect.stringMatching(/:dbfork-commands$/),
    });
    await sleep(QUIET_MS);
    expect(records()).toHaveLength(1);
  });

  it('takes the four commands from any source but aws.*, and nothing else', async () => {
    for (const detailType of ['Create Fork', 'Delete Fork', 'Extend Fork', 'Refresh Fork']) {
      await put('team.payments', detailType, detailType);
    }
    await put('dbfork', 'Delete Fork', 'from-dbfork');
    await put('aws.rds', 'Delete Fork', 'from-aws');
    await put('ci.pipeline', 'Fork Ready', 'not-a-command');

    await until(() => records().length >= 5, 'the commands');
    await sleep(QUIET_MS);
    // `dbfork` passes the rule (one anything-but per pattern): the consumer refuses it itself.
    expect(records().map(nameOf).sort()).toEqual(
      ['Create Fork', 'Delete Fork', 'Extend Fork', 'Refresh Fork', 'from-dbfork'].sort(),
    );
  });

  it('redelivers what the consumer reports as failed, counting receives, then dead-letters it', async () => {
    failing.add('flaky');
    await put('ci.pipeline', 'Create Fork', 'flaky');

    await until(() => records().length === 2, 'two tries');
    expect(records().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    await sleep(QUIET_MS + 1000);
    expect(records()).toHaveLength(2);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: delivery?.deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages?.map((m) => JSON.parse(m.Body ?? '').detail.name)).toEqual(['flaky']);
    const left = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: delivery?.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(left.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });
});
