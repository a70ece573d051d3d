import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { queueEmulatorDynamoRequests, RequestQueue } from '../../../local/emulator-dynamo-queue.js';

type RequestHandler = NonNullable<DynamoDBClientConfig['requestHandler']>;

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** A DynamoDB endpoint stand-in that records the targets it serves and how many were in flight at once. */
function fakeEndpoint() {
  let inFlight = 0;
  const seen = { maxInFlight: 0, targets: [] as string[] };
  const handler = {
    async handle(request: { headers: Record<string, string> }) {
      inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
      seen.targets.push(String(request.headers['x-amz-target']).split('.').pop() ?? '');
      await tick();
      await tick();
      inFlight -= 1;
      // What HttpResponse.isInstance accepts: a status code and headers.
      const response = {
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: Buffer.from('{}'),
      };
      return { response };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  } as unknown as RequestHandler;
  return { handler, seen };
}

function client(requestHandler: RequestHandler): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler,
  });
}

const key = { pk: { S: 'a' }, sk: { S: 'FORK' } };

describe('RequestQueue', () => {
  it('runs tasks one at a time in the order they were queued', async () => {
    const queue = new RequestQueue();
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      order.push(`start ${name}`);
      await tick();
      order.push(`end ${name}`);
      running -= 1;
      return name;
    };

    const results = await Promise.all([queue.run(task('a')), queue.run(task('b')), queue.run(task('c'))]);

    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.depth).toBe(0);
  });

  it('goes on with the next task when one fails, and hands the failure to its caller', async () => {
    const queue = new RequestQueue();
    const failed = queue.run(async () => {
      throw new Error('emulator answered 500');
    });
    const next = queue.run(async () => 'next');

    await expect(failed).rejects.toThrow('emulator answered 500');
    await expect(next).resolves.toBe('next');
  });
});

describe('queueEmulatorDynamoRequests', () => {
  it('sends the concurrent requests of a client and of its DocumentClient to the endpoint one at a time', async () => {
    const { handler, seen } = fakeEndpoint();
    const dynamo = client(handler);
    const documents = DynamoDBDocumentClient.from(dynamo);
    queueEmulatorDynamoRequests(documents, new RequestQueue());

    await Promise.all([
      dynamo.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 't', Item: key } }] })),
      documents.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'FORK' } })),
      dynamo.send(new GetItemCommand({ TableName: 't', Key: key })),
      dynamo.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: 't', Key: key } }] }),
      ),
    ]);

    expect(seen.targets).toEqual(['TransactWriteItems', 'GetItem', 'GetItem', 'TransactWriteItems']);
    expect(seen.maxInFlight).toBe(1);
  });

  it('leaves a client it was not installed on concurrent, as real DynamoDB needs', async () => {
    const { handler, seen } = fakeEndpoint();
    const dynamo = client(handler);

    await Promise.all([1, 2, 3].map(() => dynamo.send(new GetItemCommand({ TableName: 't', Key: key }))));

    expect(seen.maxInFlight).toBe(3);
  });

  it('installs once when called twice on the same client', async () => {
    const { handler, seen } = fakeEndpoint();
    const dynamo = client(handler);
    queueEmulatorDynamoRequests(dynamo, new RequestQueue());
    queueEmulatorDynamoRequests(dynamo, new RequestQueue());

    await Promise.all([1, 2].map(() => dynamo.send(new GetItemCommand({ TableName: 't', Key: key }))));

    expect(
      dynamo.middlewareStack.identify().filter((m) => m.startsWith('dbforkEmulatorDynamoQueue')),
    ).toEqual(['dbforkEmulatorDynamoQueue - finalizeRequest']);
    expect(seen.maxInFlight).toBe(1);
  });
});
