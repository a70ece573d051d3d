import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ForkRecord } from './fork.js';
import { forkKey, isConditionalFailure, stripIndex } from './store-items.js';

/**
 * The fork record's side of `Fork Expiring` (lambdas/core/expiry-warning.ts): when the warning of
 * the current expiry fires (`expiryWarningAt`), and whether it went out (`expiryWarningSentAt`).
 * Every write is conditional on the fork still expiring at the time the caller knows of and still
 * being live (creating or ready, not being cleaned up): a fork that is deleting or deleted, or
 * whose expiry moved, is never announced, so no warning can follow its `Fork Deleted`.
 */

/** Why a warning was not claimed: no such fork, no longer live, expiry moved, or already announced. */
export type ExpiryWarningRefusal = 'gone' | 'not-live' | 'moved' | 'sent';

export type ExpiryWarningClaim =
  | { claimed: true; fork: ForkRecord; sentAt: string }
  | { claimed: false; reason: ExpiryWarningRefusal; fork?: ForkRecord };

const STILL_EXPIRING =
  'attribute_exists(pk) AND #status IN (:creating, :ready) AND #step <> :cleaningUp AND #expiresAt = :expiresAt';
const STILL_EXPIRING_NAMES = { '#status': 'status', '#step': 'step', '#expiresAt': 'expiresAt' };
const stillExpiringValues = (expiresAt: string) => ({
  ':creating': 'creating',
  ':ready': 'ready',
  ':cleaningUp': 'cleaning-up',
  ':expiresAt': expiresAt,
});

export class ExpiryWarningRecords {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date,
  ) {}

  private async read(id: string): Promise<ForkRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: forkKey(id), ConsistentRead: true }),
    );
    return Item ? stripIndex(Item) : undefined;
  }

  /**
   * Records when the warning of `expiresAt` fires (`warningAt`; undefined: none will, no time was
   * left), after its schedule was put. Undefined when the fork no longer expires then or is no
   * longer live: the caller re-reads it and schedules again, or removes what it scheduled.
   */
  async arm(id: string, expiresAt: string, warningAt: string | undefined): Promise<ForkRecord | undefined> {
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(id),
          UpdateExpression:
            warningAt === undefined
              ? 'REMOVE #warningAt, #sentAt'
              : 'SET #warningAt = :warningAt REMOVE #sentAt',
          ConditionExpression: STILL_EXPIRING,
          ExpressionAttributeNames: {
            ...STILL_EXPIRING_NAMES,
            '#warningAt': 'expiryWarningAt',
            '#sentAt': 'expiryWarningSentAt',
          },
          ExpressionAttributeValues: {
            ...stillExpiringValues(expiresAt),
            ...(warningAt === undefined ? {} : { ':warningAt': warningAt }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? stripIndex(Attributes) : undefined;
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Takes the one right to announce that the fork expires at `expiresAt` (Scheduler delivers at
   * least once; Lambda retries a failed invocation): marks it sent, conditionally on it not being
   * sent yet and on the fork still expiring then and live.
   */
  async claim(id: string, expiresAt: string): Promise<ExpiryWarningClaim> {
    const sentAt = this.now().toISOString();
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(id),
          UpdateExpression: 'SET #sentAt = :sentAt',
          ConditionExpression: `${STILL_EXPIRING} AND attribute_not_exists(#sentAt)`,
          ExpressionAttributeNames: { ...STILL_EXPIRING_NAMES, '#sentAt': 'expiryWarningSentAt' },
          ExpressionAttributeValues: { ...stillExpiringValues(expiresAt), ':sentAt': sentAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new Error(`the fork table returned no item for ${id}`);
      return { claimed: true, fork: stripIndex(Attributes), sentAt };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
    const fork = await this.read(id);
    if (!fork) return { claimed: false, reason: 'gone' };
    const live = (fork.status === 'creating' || fork.status === 'ready') && fork.step !== 'cleaning-up';
    const reason: ExpiryWarningRefusal = !live ? 'not-live' : fork.expiresAt !== expiresAt ? 'moved' : 'sent';
    return { claimed: false, reason, fork };
  }

  /** Gives a claim back when the event could not be published, so a retried invocation publishes it. */
  async release(id: string, sentAt: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: forkKey(id),
          UpdateExpression: 'REMOVE #sentAt',
          ConditionExpression: '#sentAt = :sentAt',
          ExpressionAttributeNames: { '#sentAt': 'expiryWarningSentAt' },
          ExpressionAttributeValues: { ':sentAt': sentAt },
        }),
      );
    } catch (error) {
      // Someone moved the expiry meanwhile (which clears the mark): nothing of ours to give back.
      if (!isConditionalFailure(error)) throw error;
    }
  }
}
