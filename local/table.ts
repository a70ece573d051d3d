/**
 * Creates dbfork's DynamoDB table exactly as the CDK stack declares it (keys, GSIs, billing, TTL), for
 * the offline runtime and for tests against moto. Idempotent: an existing table is left as it is.
 */

import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FORK_TABLE_INDEXES, FORK_TABLE_TTL_ATTRIBUTE } from '../lambdas/core/table-schema.js';

export { FORK_TABLE_INDEXES, FORK_TABLE_TTL_ATTRIBUTE } from '../lambdas/core/table-schema.js';

/** The CreateTable request of the fork table (also what the stack's tests compare against). */
export function forkTableDefinition(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>(['pk', 'sk']);
  for (const [partition, sort] of Object.values(FORK_TABLE_INDEXES)) {
    attributes.add(partition);
    attributes.add(sort);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    GlobalSecondaryIndexes: Object.entries(FORK_TABLE_INDEXES).map(([IndexName, [partition, sort]]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: partition, KeyType: 'HASH' },
        { AttributeName: sort, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

async function tableExists(dynamo: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (isNamed(error, 'ResourceNotFoundException')) return false;
    throw error;
  }
}

/**
 * Creates the fork table (with TTL on `ttl`) unless it exists, and waits until it is ACTIVE.
 * Takes the plain client or the DocumentClient built on it (which sends table commands as they are).
 */
export async function createForkTable(
  client: DynamoDBClient | DynamoDBDocumentClient,
  tableName: string,
): Promise<void> {
  const dynamo = client as DynamoDBClient;
  if (await tableExists(dynamo, tableName)) return;
  let created = true;
  try {
    await dynamo.send(new CreateTableCommand(forkTableDefinition(tableName)));
  } catch (error) {
    // Created concurrently (another test file, a second runtime): that creator sets the TTL.
    if (!isNamed(error, 'ResourceInUseException')) throw error;
    created = false;
  }
  await waitUntilTableExists(
    { client: dynamo, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
    { TableName: tableName },
  );
  if (!created) return;
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: FORK_TABLE_TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
