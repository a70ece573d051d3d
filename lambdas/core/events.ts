import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type ForkRecord, toPublicFork } from './fork.js';

/** Lifecycle events out (DESIGN.md §5): source `dbfork`, detail = the public fork object, no secrets. */
export const EVENT_SOURCE = 'dbfork';
export type LifecycleEvent =
  | 'Fork Requested'
  | 'Fork Ready'
  | 'Fork Failed'
  | 'Fork Expiring'
  | 'Fork Refreshed'
  | 'Fork Refresh Failed'
  | 'Fork Deleted';
/** What dbfork says about a command it did not carry out (lambdas/commands/): never a secret. */
export type CommandOutcomeEvent = 'Fork Command Rejected';

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

export class LifecycleEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(detailType: LifecycleEvent, fork: ForkRecord): Promise<void> {
    await this.send(detailType, toPublicFork(fork), fork.source?.arn ? [fork.source.arn] : []);
  }

  /** One event of source `dbfork` with this detail (already free of secrets) on the dbfork bus. */
  async send(
    detailType: LifecycleEvent | CommandOutcomeEvent,
    detail: object,
    resources: readonly string[] = [],
  ): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: detailType,
            EventBusName: this.busName,
            Resources: [...resources],
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.find((e) => e.ErrorCode);
      throw new EventPublishError(
        `could not publish "${detailType}": ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
      );
    }
  }
}
