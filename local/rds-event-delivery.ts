import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { OFFLINE_CREDENTIALS } from '../lambdas/core/clients.js';
import { FORK_RESOURCE_PREFIX } from '../lib/names.js';
import { OFFLINE_REGION } from './offline-env.js';

/**
 * Offline delivery of the emulator's RDS events (local/moto/faithful/events.py), the way AWS
 * delivers them: a rule on the emulator's **default** bus matching `source: aws.rds` for dbfork's
 * resources, with an SQS queue target in the emulator; the queue is long-polled and each event is
 * handed to `deliver`. moto 5.2.1 sends default-bus events to SQS targets in-process
 * (moto/events/models.py `Rule.send_to_targets` → `_send_to_sqs_queue`) and matches `prefix`
 * patterns (`_does_item_match_named_filter`), so the identifier filter is the rule's, as on AWS.
 *
 * A message is deleted once `deliver` resolves; when it throws, the message comes back after
 * `retryDelaySeconds`, at most `maxAttempts` deliveries in all (Lambda's asynchronous invocations
 * retry twice), then it is logged and dropped. RDS events are best effort anyway: consumers keep a
 * safety net. A moto reset removes the rule and queue; they are made again on the next poll.
 */
export interface RdsEventDeliveryOptions {
  /** The emulator, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** @default OFFLINE_REGION (`us-east-1`): the region whose default bus carries the events */
  readonly region?: string;
  /** Called with each event (the parsed EventBridge event: source, detail-type, resources, detail, …). */
  readonly deliver: (event: unknown) => Promise<void>;
  readonly logger?: RdsEventDeliveryLogger;
  /** @default 3 (the first delivery and Lambda's two asynchronous retries) */
  readonly maxAttempts?: number;
  /** @default 1: how long a failed event stays invisible before it is delivered again */
  readonly retryDelaySeconds?: number;
}

export interface RdsEventDeliveryLogger {
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface RdsEventDelivery {
  /** Stops polling; resolves once the deliveries in progress have settled. */
  stop(): Promise<void>;
}

export const RDS_EVENT_RULE_NAME = 'dbfork-offline-rds-events';
export const RDS_EVENT_QUEUE_NAME = 'dbfork-offline-rds-events';

/** The rule's pattern: RDS events of resources dbfork created. AWS's samples page writes the
 * identifier `rds:<name>`, its tutorial and real events the bare name: both are matched. */
export const RDS_EVENT_PATTERN = {
  source: ['aws.rds'],
  detail: {
    SourceIdentifier: [{ prefix: FORK_RESOURCE_PREFIX }, { prefix: `rds:${FORK_RESOURCE_PREFIX}` }],
  },
} as const;

/** Seconds per long poll: a message that arrives ends the poll at once (moto waits on a condition),
 * so this only bounds how long `stop()` waits. */
const WAIT_TIME_SECONDS = 1;
const ERROR_PAUSE_MS = 200;

export async function startRdsEventDelivery(options: RdsEventDeliveryOptions): Promise<RdsEventDelivery> {
  const clientOptions = {
    endpoint: options.endpoint,
    region: options.region ?? OFFLINE_REGION,
    credentials: OFFLINE_CREDENTIALS,
  };
  const sqs = new SQSClient(clientOptions);
  const events = new EventBridgeClient(clientOptions);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelaySeconds = Math.max(0, options.retryDelaySeconds ?? 1);
  const attempts = new Map<string, number>();
  const abort = new AbortController();
  let queueUrl = await ensureRuleAndQueue(sqs, events);

  const handle = async (message: Message): Promise<void> => {
    const id = message.MessageId ?? '';
    try {
      await options.deliver(JSON.parse(message.Body ?? 'null') as unknown);
      attempts.delete(id);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      if (attempt < maxAttempts) {
        options.logger?.warn(`RDS event delivery failed (attempt ${attempt}); retrying`, { error });
        return; // visible again after retryDelaySeconds
      }
      attempts.delete(id);
      options.logger?.error(`RDS event dropped after ${attempt} failed deliveries`, {
        error,
        body: message.Body,
      });
      await sqs
        .send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }))
        .catch(() => undefined);
    }
  };

  const poll = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
            VisibilityTimeout: retryDelaySeconds,
          }),
          { abortSignal: abort.signal },
        );
        await Promise.all((received.Messages ?? []).map(handle));
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof QueueDoesNotExist) {
          queueUrl = await ensureRuleAndQueue(sqs, events).catch(() => queueUrl);
          continue;
        }
        options.logger?.warn('RDS event delivery: polling failed', { error });
        await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
      }
    }
  };

  const polling = poll();
  return {
    async stop() {
      abort.abort();
      await polling;
      sqs.destroy();
      events.destroy();
    },
  };
}

/** Idempotent: CreateQueue returns the existing queue, PutRule / PutTargets overwrite. */
async function ensureRuleAndQueue(sqs: SQSClient, events: EventBridgeClient): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: RDS_EVENT_QUEUE_NAME }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error('GetQueueAttributes returned no QueueArn');
  await events.send(
    new PutRuleCommand({
      Name: RDS_EVENT_RULE_NAME,
      EventPattern: JSON.stringify(RDS_EVENT_PATTERN),
      State: 'ENABLED',
      Description: 'dbfork offline: RDS events of fork-* resources to the event handler',
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: RDS_EVENT_RULE_NAME, Targets: [{ Id: 'rds-event-queue', Arn: queueArn }] }),
  );
  return QueueUrl;
}
