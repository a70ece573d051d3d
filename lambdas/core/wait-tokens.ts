import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FORK_TABLE_TTL_ATTRIBUTE } from './table-schema.js';
import * as z from './zod.js';

/**
 * The task token of the wait a fork's workflow is parked in, kept next to the fork record
 * (`FORK#<id>` / `WAIT`, and `WAIT#REFRESH` for its refresh workflow: a workflow waits for one
 * thing at once).
 *
 * Its own item, not an attribute of the record: `ForkStore.get` returns the record, which becomes
 * API answers and lifecycle events, and a token must never reach either (a token lets anyone with
 * states:SendTask* complete the wait). The item has no index attributes, so no list sees it, and it
 * expires on its own a day after its wait began (DynamoDB TTL) when nothing completes it.
 */
export interface ParkedWait {
  /** The Step Functions task token (`$$.Task.Token`) of the waiting Task. */
  token: string;
  /** The check step whose answer completes the wait (check-snapshot, check-database, check-gone). */
  step: string;
  /** The workflow state the wait began with: the check re-runs on it. */
  state: Record<string, unknown>;
  parkedAt: string;
}

const parkedWaitSchema = z.object({
  token: z.string().check(z.minLength(1)),
  step: z.string().check(z.minLength(1)),
  state: z.record(z.string(), z.unknown()),
  parkedAt: z.string(),
});

/**
 * A fork's create or delete workflow waits in slot `fork`; its refresh workflow, which may run at
 * the same time as a delete, in slot `refresh`: neither replaces the other's token.
 */
export const WAIT_SLOTS = ['fork', 'refresh'] as const;
export type WaitSlot = (typeof WAIT_SLOTS)[number];

const waitKey = (forkId: string, slot: WaitSlot) => ({
  pk: `FORK#${forkId}`,
  sk: slot === 'fork' ? 'WAIT' : 'WAIT#REFRESH',
});
const EXPIRES_AFTER_SECONDS = 24 * 3600;

export class WaitTokens {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Parks a wait: replaces any earlier (finished or abandoned) wait of the fork in the slot. */
  async park(forkId: string, wait: Omit<ParkedWait, 'parkedAt'>, slot: WaitSlot = 'fork'): Promise<void> {
    const now = this.now();
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...waitKey(forkId, slot),
          ...wait,
          parkedAt: now.toISOString(),
          [FORK_TABLE_TTL_ATTRIBUTE]: Math.ceil(now.getTime() / 1000) + EXPIRES_AFTER_SECONDS,
        },
      }),
    );
  }

  async get(forkId: string, slot: WaitSlot = 'fork'): Promise<ParkedWait | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: waitKey(forkId, slot), ConsistentRead: true }),
    );
    const parsed = parkedWaitSchema.safeParse(out.Item);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Takes the wait for completion: true for exactly one caller per token (the check that parked
   * it, or an RDS event), so a wait is completed once even when both see the database ready.
   */
  async release(forkId: string, token: string, slot: WaitSlot = 'fork'): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: waitKey(forkId, slot),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
