/**
 * Subscribing to dbfork's lifecycle events the way a user does, in the emulator: a rule on the
 * `dbfork` bus matching `source: dbfork`, with an SQS queue target (and the queue policy AWS
 * requires for it: EventBridge may send from that rule only). A FIFO queue with one message group
 * keeps the events in the order they were delivered. moto 5.2.1 delivers a custom bus's events to
 * an SQS target in-process (moto/events/models.py `Rule.send_to_targets` → `_send_to_sqs_queue`),
 * FIFO with the target's MessageGroupId when the queue has content-based deduplication.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { OFFLINE_CREDENTIALS } from '../../lambdas/core/clients.js';
import { OFFLINE_EVENT_BUS, OFFLINE_REGION } from '../../local/offline-env.js';

/** An EventBridge event as a target receives it; `raw` is the message exactly as delivered. */
export interface DeliveredEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  resources: string[];
  detail: { id: string; name: string; status: string; expiresAt: string; expiryWarningAt?: string };
  raw: string;
}

export interface Subscription {
  /** Everything delivered so far, in order, after reading what the queue holds now. */
  read(): Promise<DeliveredEvent[]>;
  /** Reads until `done` holds for what was delivered (or the time is up), and returns it all. */
  readUntil(done: (events: DeliveredEvent[]) => boolean, timeoutMs: number): Promise<DeliveredEvent[]>;
  close(): Promise<void>;
}

const RULE = 'e2e-lifecycle-events';
const QUEUE = 'e2e-lifecycle-events.fifo';

export async function subscribe(endpoint: string): Promise<Subscription> {
  const config = { endpoint, region: OFFLINE_REGION, credentials: OFFLINE_CREDENTIALS };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: QUEUE,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
    }),
  );
  if (!QueueUrl) throw new Error('the emulator created no queue');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn ?? '';
  const { RuleArn } = await events.send(
    new PutRuleCommand({
      Name: RULE,
      EventBusName: OFFLINE_EVENT_BUS,
      EventPattern: JSON.stringify({ source: ['dbfork'] }),
    }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': RuleArn } },
            },
          ],
        }),
      },
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: RULE,
      EventBusName: OFFLINE_EVENT_BUS,
      Targets: [{ Id: 'queue', Arn: queueArn, SqsParameters: { MessageGroupId: 'dbfork' } }],
    }),
  );

  const delivered: DeliveredEvent[] = [];
  const read = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return [...delivered];
      for (const message of Messages) {
        const raw = message.Body ?? '';
        delivered.push({ ...(JSON.parse(raw) as Omit<DeliveredEvent, 'raw'>), raw });
      }
      // A FIFO group hands out no more until what it handed out is deleted.
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };
  return {
    read,
    async readUntil(done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let seen = await read();
      while (!done(seen) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        seen = await read();
      }
      return seen;
    },
    async close() {
      await events
        .send(new RemoveTargetsCommand({ Rule: RULE, EventBusName: OFFLINE_EVENT_BUS, Ids: ['queue'] }))
        .catch(() => undefined);
      await events
        .send(new DeleteRuleCommand({ Name: RULE, EventBusName: OFFLINE_EVENT_BUS }))
        .catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
      events.destroy();
      sqs.destroy();
    },
  };
}
