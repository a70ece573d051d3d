/** local/table.ts on moto: the table the store (and the stack) expects, created idempotently. */
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { clientConfig } from '../../../lambdas/core/clients.js';
import { createForkTable, FORK_TABLE_INDEXES, forkTableDefinition } from '../../../local/table.js';
import { motoEndpoint } from '../../support/moto.js';
import { motoClients, TEST_REGION, uniqueTableName } from '../../support/runtime.js';

const dynamo = () => new DynamoDBClient(clientConfig({ endpoint: motoEndpoint(), region: TEST_REGION }));

describe('createForkTable', () => {
  it('creates pk/sk (S), the five GSIs projecting ALL, on-demand billing and TTL on ttl', async () => {
    const client = dynamo();
    const tableName = uniqueTableName();

    await createForkTable(client, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const indexes = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [
        index.IndexName,
        [index.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`), index.Projection?.ProjectionType],
      ]),
    );
    expect(indexes).toEqual({
      bySource: [['sourceId:HASH', 'createdKey:RANGE'], 'ALL'],
      byOwner: [['owner:HASH', 'createdKey:RANGE'], 'ALL'],
      byStatus: [['status:HASH', 'createdKey:RANGE'], 'ALL'],
      byExpiry: [['liveKey:HASH', 'expiresAt:RANGE'], 'ALL'],
      byKind: [['sk:HASH', 'createdKey:RANGE'], 'ALL'],
    });
    expect(Object.keys(FORK_TABLE_INDEXES).sort()).toEqual(Object.keys(indexes).sort());
    expect(Table?.AttributeDefinitions?.every((a) => a.AttributeType === 'S')).toBe(true);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('is idempotent, and takes the DocumentClient too', async () => {
    const tableName = uniqueTableName();

    await createForkTable(dynamo(), tableName);
    await createForkTable(dynamo(), tableName);
    await createForkTable(motoClients(motoEndpoint()).dynamo, tableName);
    await createForkTable(motoClients(motoEndpoint()).dynamo, uniqueTableName());

    const { Table } = await dynamo().send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('declares every attribute a key uses, and no other', () => {
    const definition = forkTableDefinition('t');

    expect(definition.AttributeDefinitions?.map((a) => a.AttributeName).sort()).toEqual(
      ['createdKey', 'expiresAt', 'liveKey', 'owner', 'pk', 'sk', 'sourceId', 'status'].sort(),
    );
  });
});
