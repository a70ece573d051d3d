import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../lambdas/api/routes.js';
import { resetMoto } from '../support/moto.js';
import {
  type Harness,
  NOTHING_LEFT,
  OWNER,
  secretValue,
  stackTemplate,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Safety invariant 4 (DESIGN §3): a fork's password lives in Secrets Manager only.
 * Through a full create + delete driven by the HTTP API, this captures every log line (DEBUG), every
 * lifecycle event exactly as sent to EventBridge (every PutEvents entry), every API response,
 * both state machines' execution outputs and event histories, the fork table's raw items and the
 * synthesized stack — and fails if the fork's password (or the source's) appears in any of them.
 * The waits' task tokens (RDS events delivered) must not appear in the logs, the lifecycle events,
 * the API responses or the fork records either: only in the wait item while a wait is parked.
 */

const SOURCE_PASSWORD = 'source-password-never-copied';

/** A Powertools Logger whose lines (its children's too) go to `lines` instead of stdout. */
class BufferLogger extends Logger {
  constructor(
    private readonly lines: string[],
    options: ConstructorParameters<typeof Logger>[0] = {},
  ) {
    super(options);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    Reflect.set(this, 'console', new Console({ stdout: sink, stderr: sink }));
  }

  protected override createLogger(options?: ConstructorParameters<typeof Logger>[0]): BufferLogger {
    return new BufferLogger(this.lines, options);
  }
}

function apiEvent(method: string, path: string, body?: unknown): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    body: body === undefined ? null : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/{proxy+}',
    requestContext: {
      requestId: `req-${method}-${path}`,
      identity: { userArn: OWNER, caller: OWNER },
    },
  } as unknown as APIGatewayProxyEvent;
}

describe('credentials never leak (moto)', () => {
  let h: Harness;
  const logs: string[] = [];
  const sentEvents: string[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    await resetMoto();
    const logger = new BufferLogger(logs, { serviceName: 'dbfork-leak-test', logLevel: 'DEBUG' });
    // Heartbeats as offline (seconds / 30): RDS events, not the safety net, complete the waits.
    h = await workflowHarness({
      logger,
      rdsEvents: true,
      taskTimerMs: (_state, seconds) => (seconds * 1000) / 30,
    });
    // Every task token the waits are given.
    const store = h.workflows.taskTokens;
    const issue = store.issue.bind(store);
    store.issue = (options) => {
      const issued = issue(options);
      tokens.push(issued.token);
      return issued;
    };
    // Every lifecycle event, as it leaves for the bus (the whole PutEvents request).
    h.clients.events.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') sentEvents.push(JSON.stringify(args.input));
        return next(args);
      },
      { step: 'initialize', name: 'leakTestEventTap' },
    );
  });

  afterAll(async () => {
    await h.close();
  });

  it('a full create + delete through the API: the password is in the secret and nowhere else', async () => {
    const api = createApi(h.rt);
    const responses: APIGatewayProxyResult[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await api(apiEvent(method, path, body));
      responses.push(response);
      return response;
    };

    const created = await call('POST', '/v1/forks', {
      source: 'orders-prod',
      name: 'leak-check',
      ttlHours: 2,
      restore: { type: 'fresh-snapshot' },
    });
    expect(created.statusCode).toBe(202);
    const forkId = (JSON.parse(created.body) as { id: string }).id;
    await h.workflows.idle();

    const got = await call('GET', `/v1/forks/${forkId}`);
    expect(got.statusCode).toBe(200);
    expect(JSON.parse(got.body)).toMatchObject({ id: forkId, status: 'ready' });
    await call('GET', '/v1/forks');
    await call('GET', '/v1/forks/leak-check');

    // The one place the password lives; read before the delete removes it.
    const fork = await h.rt.store.mustGet(forkId);
    const password = String((await secretValue(h.clients, fork.secretArn ?? '')).password);
    expect(password).toMatch(/^.{32}$/);
    const table = await h.clients.dynamo.send(new ScanCommand({ TableName: h.rt.env.tableName }));

    const deleted = await call('DELETE', `/v1/forks/${forkId}`);
    expect(deleted.statusCode).toBe(202);
    await h.workflows.idle();
    expect((await call('GET', `/v1/forks/${forkId}`)).statusCode).toBe(200);
    expect(await h.leftovers(forkId)).toEqual(NOTHING_LEFT);

    const events = sentEvents;
    const executions = h.workflows.list(forkId);
    const tableAfter = await h.clients.dynamo.send(new ScanCommand({ TableName: h.rt.env.tableName }));

    // What was captured is real: each channel saw the fork.
    expect(logs.length).toBeGreaterThan(20);
    expect(logs.join('\n')).toContain(forkId);
    const detailTypes = events.flatMap((body) =>
      (JSON.parse(body) as { Entries: { DetailType: string }[] }).Entries.map((e) => e.DetailType),
    );
    expect(detailTypes).toEqual(expect.arrayContaining(['Fork Ready', 'Fork Deleted']));
    expect(executions.map((e) => `${e.kind}:${e.status}`).sort()).toEqual([
      'create:SUCCEEDED',
      'delete:SUCCEEDED',
    ]);
    expect(executions.every((e) => e.events.length > 10)).toBe(true);

    const channels: Record<string, string> = {
      logs: logs.join('\n'),
      events: events.join('\n'),
      'api responses': JSON.stringify(responses),
      'execution outputs and histories': JSON.stringify(
        executions.map((e) => ({ output: e.output, error: e.error, events: e.events })),
      ),
      'fork table items': JSON.stringify([table.Items, tableAfter.Items]),
      'stack template (outputs included)': JSON.stringify(stackTemplate()),
    };
    expect(channels['stack template (outputs included)']).toContain('Outputs');
    for (const [channel, text] of Object.entries(channels)) {
      for (const secret of [password, SOURCE_PASSWORD]) {
        expect(text.includes(secret), `a password appears in ${channel}`).toBe(false);
      }
    }

    // Task tokens: the waits had them (and RDS events completed some), no channel of ours shows one.
    expect(tokens.length).toBeGreaterThan(2);
    expect(h.rdsEventOutcomes).toContain('completed');
    const forkRecords = [table.Items, tableAfter.Items].flatMap((items) =>
      (items ?? []).filter((item) => item.sk !== 'WAIT'),
    );
    const tokenChannels: Record<string, string> = {
      logs: channels.logs ?? '',
      events: channels.events ?? '',
      'api responses': channels['api responses'] ?? '',
      'fork records': JSON.stringify(forkRecords),
      'execution outputs': JSON.stringify(executions.map((e) => ({ output: e.output, error: e.error }))),
    };
    for (const [channel, text] of Object.entries(tokenChannels)) {
      for (const token of tokens) {
        expect(text.includes(token), `a task token appears in ${channel}`).toBe(false);
      }
    }
  });
});
