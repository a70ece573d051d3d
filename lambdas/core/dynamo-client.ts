import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientConfig } from './clients.js';

/**
 * The DynamoDB document client, in a module of its own: `@aws-sdk/lib-dynamodb` does not declare
 * itself free of side effects, so any bundle that imports it keeps it (and the DynamoDB client)
 * whether used or not. Only the parts that use DynamoDB reach this module.
 */
export const dynamoClient = (config: ClientConfig): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
