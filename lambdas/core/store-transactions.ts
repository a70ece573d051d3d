import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalFailure } from './store-items.js';

/** The items of one TransactWriteItems call. */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const TRANSACTION_ATTEMPTS = 5;

/** Why each item of a cancelled transaction was refused (`ConditionalCheckFailed`, `None`, …), in order. */
export function cancellationCodes(error: unknown): (string | undefined)[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  if (reasons.length > 0) return reasons.map((r) => r.Code);
  // Some emulators only put the reasons in the message: "... [ConditionalCheckFailed, None]".
  const match = /\[([^\]]*)\]/.exec(error.message);
  return match?.[1]?.split(',').map((s) => s.trim()) ?? [];
}

/** A write, or an item of a transaction, refused by its condition. */
export function isRefusal(error: unknown): boolean {
  return isConditionalFailure(error) || cancellationCodes(error).includes('ConditionalCheckFailed');
}

/** Another transaction touched one of the items at the same time (real DynamoDB; retryable). */
function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  const codes = cancellationCodes(error);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One transaction, retried a few times when it only collided with a concurrent one (DynamoDB
 * cancels both sides' items with TransactionConflict; the quota counters are such hot items).
 */
export async function transactWrite(dynamo: DynamoDBDocumentClient, items: TransactItems): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      await pause(Math.random() * 25 * 2 ** attempt);
    }
  }
}
