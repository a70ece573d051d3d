/**
 * Offline only: every DynamoDB request of this process goes to the emulator one at a time.
 *
 * Why: moto serves requests on threads and its DynamoDB model takes no lock. A TransactWriteItems
 * deep-copies the tables it touches and restores that copy when a condition fails — undoing any
 * write that landed in between (a refused create left its fork record behind) — and a scan or a
 * copy that meets a concurrent write fails with an HTML 500. Real DynamoDB isolates every
 * transaction and every conditional write itself (serializable against single-item writes), so the
 * Lambdas install none of this. Offline, one process owns the emulator (`npm run local`, the
 * bench), so one queue here gives back the per-request atomicity the store relies on; the API
 * calls and workflows still interleave freely between their requests, which is the race the
 * quotas must survive. Reads queue too: they would otherwise see a transaction half applied.
 * moto computes under one interpreter lock anyway, so the queue costs little throughput.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Runs tasks strictly one after another, in the order they were queued; a failure does not stop the queue. */
export class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Tasks queued or running now. */
  get depth(): number {
    return this.waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const result = this.tail.then(task).finally(() => {
      this.waiting -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The one queue of this process: every client it is installed on shares it. */
export const emulatorDynamoQueue = new RequestQueue();

const MIDDLEWARE_NAME = 'dbforkEmulatorDynamoQueue';

/**
 * Queues each request of `client` (and of the DocumentClient built on it: they share one
 * middleware stack) on `queue`. Placed after the retry and signing middleware, so each attempt
 * queues on its own and a retry's back-off never holds the queue. Installing twice is harmless.
 */
export function queueEmulatorDynamoRequests(
  client: DynamoDBClient | DynamoDBDocumentClient,
  queue: RequestQueue = emulatorDynamoQueue,
): void {
  (client as DynamoDBClient).middlewareStack.add((next) => (args) => queue.run(() => next(args)), {
    step: 'finalizeRequest',
    priority: 'low',
    name: MIDDLEWARE_NAME,
    override: true,
  });
}
