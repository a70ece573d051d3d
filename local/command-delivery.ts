import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { COMMAND_EVENT_PATTERN } from '../lambdas/commands/command-event.js';
import { DEFAULT_COMMAND_MAX_RECEIVES } from '../lambdas/commands/consume.js';
import { OFFLINE_CREDENTIALS } from '../lambdas/core/clients.js';
import { COMMAND_DELIVERY } from '../lib/commands.construct.js';
import { OFFLINE_EVENT_BUS, OFFLINE_REGION } from './offline-env.js';

/**
 * Offline commands in, the way the stack delivers them (lib/commands.construct.ts): a rule on the
 * emulator's `dbfork` bus with the stack's pattern and an SQS queue target, the queue redriving to a
 * dead-letter queue after `maxReceiveCount` receives (also the rule target's dead-letter queue), and a
 * poller standing in for Lambda's SQS event source: it hands each received batch, as the SQS event
 * Lambda would, to `consume` (the command Lambda's own handler code), deletes what it acknowledges
 * and leaves the reported failures to come back after the visibility timeout, so moto counts their
 * receives and dead-letters them as SQS does (moto 5.2.1 `receive_message` moves a message whose
 * receive count reached maxReceiveCount). So `aws events put-events --endpoint-url <emulator>` with
 * a `Create Fork` on the `dbfork` bus makes a fork. A moto reset removes it all; it is made again.
 */
export interface CommandDeliveryOptions {
  /** The emulator, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** @default OFFLINE_REGION */
  readonly region?: string;
  /** @default OFFLINE_EVENT_BUS (`dbfork`) */
  readonly busName?: string;
  /** The consumer: lambdas/commands/consume.ts on the offline runtime. */
  readonly consume: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly logger?: CommandDeliveryLogger;
  /** @default the stack's (5) */
  readonly maxReceiveCount?: number;
  /** Seconds a failed command stays invisible before its next try (180 on AWS). @default 1 */
  readonly visibilityTimeoutSeconds?: number;
}

export interface CommandDeliveryLogger {
  warn(message: string, ...extra: unknown[]): void;
}

export interface CommandDelivery {
  /** The queues, for a look at what is waiting or dead-lettered. */
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Stops polling; resolves once the batch in progress has settled. */
  stop(): Promise<void>;
}

export const COMMAND_RULE_NAME = 'dbfork-commands';
export const COMMAND_QUEUE_NAME = 'dbfork-commands';
export const COMMAND_DEAD_LETTER_QUEUE_NAME = 'dbfork-commands-dead-letters';

/** A long poll ends as soon as a message arrives; this only bounds how long `stop()` waits. */
const WAIT_TIME_SECONDS = 1;
const ERROR_PAUSE_MS = 200;

interface Queues {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
}

export async function startCommandDelivery(options: CommandDeliveryOptions): Promise<CommandDelivery> {
  const clientOptions = {
    endpoint: options.endpoint,
    region: options.region ?? OFFLINE_REGION,
    credentials: OFFLINE_CREDENTIALS,
  };
  const sqs = new SQSClient(clientOptions);
  const events = new EventBridgeClient(clientOptions);
  const setup = () =>
    ensureRuleAndQueues(sqs, events, {
      busName: options.busName ?? OFFLINE_EVENT_BUS,
      maxReceiveCount: options.maxReceiveCount ?? DEFAULT_COMMAND_MAX_RECEIVES,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
    });
  let queues = await setup();
  const abort = new AbortController();

  const deliver = async (messages: Message[]): Promise<void> => {
    const records = messages.map((m) => sqsRecord(m, queues.queueArn, clientOptions.region));
    const { batchItemFailures } = await options.consume({ Records: records });
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length === 0) return;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  };

  const poll = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queues.queueUrl,
            MaxNumberOfMessages: COMMAND_DELIVERY.batchSize,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        // As Lambda does, a batch whose handler throws is retried whole (the consumer reports
        // failures per item and should not throw).
        if (received.Messages?.length) await deliver(received.Messages);
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof QueueDoesNotExist) {
          // The emulator was reset: make the queues and the rule again once its dbfork bus is back.
          const made = await setup().catch(() => undefined);
          if (made) queues = made;
          else await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
          continue;
        }
        options.logger?.warn('command delivery: polling failed', { error });
        await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
      }
    }
  };

  const polling = poll();
  return {
    queueUrl: queues.queueUrl,
    deadLetterQueueUrl: queues.deadLetterQueueUrl,
    async stop() {
      abort.abort();
      await polling;
      sqs.destroy();
      events.destroy();
    },
  };
}

/** The SQS event record Lambda's event source would build from this message. */
function sqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error('GetQueueAttributes returned no QueueArn');
  return Attributes.QueueArn;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return { url: QueueUrl, arn: await queueArnOf(sqs, QueueUrl) };
}

/** Idempotent: CreateQueue returns an existing queue with the same attributes, PutRule / PutTargets overwrite. */
async function ensureRuleAndQueues(
  sqs: SQSClient,
  events: EventBridgeClient,
  options: { busName: string; maxReceiveCount: number; visibilityTimeoutSeconds: number },
): Promise<Queues> {
  const deadLetters = await createQueue(sqs, COMMAND_DEAD_LETTER_QUEUE_NAME);
  const queue = await createQueue(sqs, COMMAND_QUEUE_NAME, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetters.arn,
      maxReceiveCount: options.maxReceiveCount,
    }),
  });
  await events.send(
    new PutRuleCommand({
      Name: COMMAND_RULE_NAME,
      EventBusName: options.busName,
      EventPattern: JSON.stringify(COMMAND_EVENT_PATTERN),
      State: 'ENABLED',
      Description: 'dbfork offline: commands in, to the command consumer',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: COMMAND_RULE_NAME,
      EventBusName: options.busName,
      Targets: [{ Id: 'command-queue', Arn: queue.arn, DeadLetterConfig: { Arn: deadLetters.arn } }],
    }),
  );
  return { queueUrl: queue.url, queueArn: queue.arn, deadLetterQueueUrl: deadLetters.url };
}
