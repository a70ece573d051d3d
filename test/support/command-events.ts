/** Command events as EventBridge puts them on the command queue, and the SQS batches Lambda makes of them. */
import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { TEST_ACCOUNT, TEST_REGION } from './runtime.js';

export interface CommandInput {
  detailType: string;
  detail: unknown;
  /** @default 'ci.pipeline' */
  source?: string;
  /** The EventBridge event id. @default a fresh UUID */
  id?: string;
}

/** The event as EventBridge puts it on the rule's SQS target (the message body). */
export function commandEvent(input: CommandInput): Record<string, unknown> {
  return {
    version: '0',
    id: input.id ?? randomUUID(),
    'detail-type': input.detailType,
    source: input.source ?? 'ci.pipeline',
    account: TEST_ACCOUNT,
    time: '2026-11-20T12:00:00Z',
    region: TEST_REGION,
    resources: [],
    detail: input.detail,
  };
}

/** One SQS record as Lambda's event source hands it over; `attempt` is its ApproximateReceiveCount. */
export function sqsRecord(body: string, attempt = 1, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(attempt),
      SentTimestamp: '1795003200000',
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: '1795003200000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:dbfork-commands`,
    awsRegion: TEST_REGION,
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A batch of these commands, each its own message (first delivery). */
export function commands(...inputs: CommandInput[]): SQSEvent {
  return sqsEvent(...inputs.map((input) => sqsRecord(JSON.stringify(commandEvent(input)))));
}
