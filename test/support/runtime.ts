/**
 * Builds a `Runtime` (lambdas/core/runtime.ts) for tests, the same object the Lambdas and the offline
 * runtime use, with: a fixed env, a controllable clock, a recording workflow starter and either
 *  - (a) aws-sdk-client-mock'ed clients (`mockedRuntime`), optionally keeping a real DynamoDB, or
 *  - (b) every client pointed at a moto server (`motoRuntime(motoEndpoint())`, in `*.moto.test.ts`
 *    files, which run in the vitest `moto` project against the one shared server).
 *
 *   const { rt, mocks, clock } = mockedRuntime();
 *   mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [...] });
 *   await step.run({ forkId }, rt);
 *   expect(mocks.rds.commandCalls(ModifyDBInstanceCommand)[0]?.args[0].input).toEqual({...});
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { z } from 'zod';
import { type AwsClients, clientConfig, createClients } from '../../lambdas/core/clients.js';
import { forkPolicySchema } from '../../lambdas/core/config.js';
import type { RuntimeEnv } from '../../lambdas/core/env.js';
import { ForkMetrics } from '../../lambdas/core/metrics.js';
import { createRuntime, type Runtime } from '../../lambdas/core/runtime.js';
import type { CleanupCause, MemberInput, WorkflowStarter } from '../../lambdas/core/workflows.js';
import { queueEmulatorDynamoRequests } from '../../local/emulator-dynamo-queue.js';
import { createForkTable } from '../../local/table.js';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';
export const TEST_DOMAIN = 'forks.test.internal';
export const TEST_HOSTED_ZONE_ID = 'Z0TESTZONE0001';
export const TEST_CREATE_SM_ARN = `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:dbfork-create`;
export const TEST_DELETE_SM_ARN = `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:dbfork-delete`;
export const TEST_REFRESH_SM_ARN = `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:dbfork-refresh`;
export const TEST_SCHEDULER_ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT}:role/dbfork-scheduler`;
export const TEST_EXPIRY_WARNING_FN_ARN = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:dbfork-expiry-warning`;
export const TEST_SCHEDULER_GROUP = 'dbfork-test';
export const TEST_EVENT_BUS = 'dbfork-test-bus';
/** The clock's default start: every relative time in a test derives from it. */
export const TEST_NOW = '2026-11-20T12:00:00.000Z';

export type PolicyInput = z.input<typeof forkPolicySchema>;

/** A fork policy as the stack would pass it; `orders-prod` is allow-listed by default. */
export const TEST_POLICY: PolicyInput = { allowedSources: ['orders-prod'] };

export type TestEnvOverrides = Partial<Omit<RuntimeEnv, 'policy'>> & { policy?: PolicyInput };

/** The env every handler would load, fixed; the policy goes through the real schema (defaults applied). */
export function testEnv(overrides: TestEnvOverrides = {}): RuntimeEnv {
  const { policy, ...rest } = overrides;
  return {
    tableName: 'dbfork-test',
    eventBusName: TEST_EVENT_BUS,
    hostedZoneId: TEST_HOSTED_ZONE_ID,
    hostedZoneDomain: TEST_DOMAIN,
    createStateMachineArn: TEST_CREATE_SM_ARN,
    deleteStateMachineArn: TEST_DELETE_SM_ARN,
    refreshStateMachineArn: TEST_REFRESH_SM_ARN,
    schedulerGroupName: TEST_SCHEDULER_GROUP,
    schedulerRoleArn: TEST_SCHEDULER_ROLE_ARN,
    expiryWarningFunctionArn: TEST_EXPIRY_WARNING_FN_ARN,
    auditRetentionDays: 30,
    ...rest,
    policy: forkPolicySchema.parse(policy ?? TEST_POLICY),
  };
}

/** A clock tests move by hand; `now` is what the runtime (and the store) read. */
export class TestClock {
  private ms: number;

  constructor(start: string = TEST_NOW) {
    this.ms = Date.parse(start);
  }

  readonly now = (): Date => new Date(this.ms);

  iso(): string {
    return new Date(this.ms).toISOString();
  }

  set(iso: string): void {
    this.ms = Date.parse(iso);
  }

  advance(by: { hours?: number; minutes?: number; seconds?: number; ms?: number }): void {
    this.ms +=
      (by.hours ?? 0) * 3_600_000 + (by.minutes ?? 0) * 60_000 + (by.seconds ?? 0) * 1000 + (by.ms ?? 0);
  }
}

export type StartedWorkflow =
  | { kind: 'create'; forkId: string; member?: MemberInput }
  | { kind: 'delete'; forkId: string; reason: string }
  | { kind: 'cleanup'; forkId: string; reason: string; error: CleanupCause }
  | { kind: 'refresh'; forkId: string; attempt: number }
  | { kind: 'refresh-cleanup'; forkId: string; attempt: number; reason: string; error: CleanupCause };

/** Records which workflows a handler started instead of starting them. */
export class RecordingWorkflowStarter implements WorkflowStarter {
  readonly started: StartedWorkflow[] = [];
  private failure: Error | undefined;

  /** The next start fails with `error` (once). */
  failNext(error: Error): void {
    this.failure = error;
  }

  private take(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  async startCreate(forkId: string, member?: MemberInput): Promise<void> {
    this.take();
    this.started.push({ kind: 'create', forkId, ...(member ? { member } : {}) });
  }

  async startDelete(forkId: string, reason: string): Promise<void> {
    this.take();
    this.started.push({ kind: 'delete', forkId, reason });
  }

  async startCleanup(forkId: string, reason: string, error: CleanupCause): Promise<void> {
    this.take();
    this.started.push({ kind: 'cleanup', forkId, reason, error });
  }

  async startRefresh(forkId: string, attempt: number): Promise<void> {
    this.take();
    this.started.push({ kind: 'refresh', forkId, attempt });
  }

  async startRefreshCleanup(
    forkId: string,
    attempt: number,
    reason: string,
    error: CleanupCause,
  ): Promise<void> {
    this.take();
    this.started.push({ kind: 'refresh-cleanup', forkId, attempt, reason, error });
  }
}

/** Quiet unless DBFORK_TEST_LOG_LEVEL says otherwise. */
export function testLogger(logLevel = process.env.DBFORK_TEST_LOG_LEVEL ?? 'SILENT'): Logger {
  return new Logger({ serviceName: 'dbfork-test', logLevel: logLevel as 'SILENT' });
}

export interface ClientMocks {
  rds: AwsClientStub<RDSClient>;
  secrets: AwsClientStub<SecretsManagerClient>;
  route53: AwsClientStub<Route53Client>;
  scheduler: AwsClientStub<SchedulerClient>;
  sfn: AwsClientStub<SFNClient>;
  events: AwsClientStub<EventBridgeClient>;
  /** Post-restore hooks' Invoke. */
  lambda: AwsClientStub<LambdaClient>;
  /** Undefined when the runtime keeps a real DynamoDB (`mockedRuntime({ dynamo })`). */
  dynamo: AwsClientStub<DynamoDBDocumentClient> | undefined;
}

export class UnmockedCommandError extends Error {
  override readonly name = 'UnmockedCommandError';
}

interface SendStub {
  send: { callsFake(fake: (command: { input?: unknown }) => Promise<never>): unknown };
}

/**
 * Every mocked client rejects a command the test did not mock (naming it), instead of answering
 * `undefined`. This is the stub's default: any `.on(Command)` a test adds takes precedence.
 */
function strict<T extends SendStub>(stub: T, client: string): T {
  stub.send.callsFake((command) =>
    Promise.reject(
      new UnmockedCommandError(
        `${client} received ${command.constructor.name} ${JSON.stringify(command.input)}, which this test did not mock`,
      ),
    ),
  );
  return stub;
}

export interface TestRuntimeOptions {
  env?: TestEnvOverrides;
  clock?: TestClock;
  workflows?: RecordingWorkflowStarter;
  logger?: Logger;
}

/** A metric a handler emitted (what the EMF record would carry). */
export interface EmittedMetric {
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

export interface TestRuntime {
  rt: Runtime;
  clock: TestClock;
  workflows: RecordingWorkflowStarter;
  env: RuntimeEnv;
  /** Every metric emitted through `rt.metrics`, in order. */
  metrics: EmittedMetric[];
}

export interface MockedRuntime extends TestRuntime {
  mocks: ClientMocks;
}

/**
 * (a) A runtime whose AWS clients are aws-sdk-client-mock'ed (each test gets its own client instances,
 * so mocks never leak between tests). Pass `dynamo` (e.g. `motoClients(endpoint).dynamo`) to keep the
 * fork store on a real DynamoDB while every other service is mocked.
 */
export function mockedRuntime(
  options: TestRuntimeOptions & { dynamo?: DynamoDBDocumentClient } = {},
): MockedRuntime {
  // The endpoint is never reached: every client's `send` is stubbed (or is the given real DynamoDB).
  const aws: AwsClients = createClients({ endpoint: 'http://127.0.0.1:9', region: TEST_REGION });
  if (options.dynamo) aws.dynamo = options.dynamo;
  const mocks: ClientMocks = {
    rds: strict(mockClient(aws.rds), 'RDSClient'),
    secrets: strict(mockClient(aws.secrets), 'SecretsManagerClient'),
    route53: strict(mockClient(aws.route53), 'Route53Client'),
    scheduler: strict(mockClient(aws.scheduler), 'SchedulerClient'),
    sfn: strict(mockClient(aws.sfn), 'SFNClient'),
    events: strict(mockClient(aws.events), 'EventBridgeClient'),
    lambda: strict(mockClient(aws.lambda), 'LambdaClient'),
    dynamo: options.dynamo ? undefined : strict(mockClient(aws.dynamo), 'DynamoDBDocumentClient'),
  };
  return { ...build(aws, options), mocks };
}

/**
 * (a) with the fork store on moto's real DynamoDB (a fresh table) and every other service mocked: for
 * steps, whose conditional transitions are worth running for real while their AWS calls are asserted.
 */
export async function mockedRuntimeWithMotoStore(
  endpoint: string,
  options: TestRuntimeOptions = {},
): Promise<MockedRuntime> {
  const tableName = options.env?.tableName ?? uniqueTableName();
  await createMotoForkTable(endpoint, tableName);
  return mockedRuntime({
    ...options,
    env: { ...options.env, tableName },
    dynamo: motoClients(endpoint).dynamo,
  });
}

/** SDK clients pointed at a moto server (static dummy credentials, one region). */
export function motoClients(endpoint: string): AwsClients {
  const clients = createClients({ endpoint, region: TEST_REGION });
  // moto does not isolate concurrent DynamoDB requests (two conditional updates can both pass);
  // AWS does. Sent one at a time, as the offline runtime sends them (local/emulator-dynamo-queue.ts).
  queueEmulatorDynamoRequests(clients.dynamo);
  return clients;
}

/** A fresh table name per test, so tests sharing one moto server never see each other's items. */
export function uniqueTableName(prefix = 'dbfork-test'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates the fork table on a moto server exactly as the stack does (idempotent). */
export async function createMotoForkTable(endpoint: string, tableName: string): Promise<void> {
  const dynamo = new DynamoDBClient(clientConfig({ endpoint, region: TEST_REGION }));
  try {
    await createForkTable(dynamo, tableName);
  } finally {
    dynamo.destroy();
  }
}

/**
 * (b) A runtime whose clients all talk to the moto server at `endpoint`, with the fork table created
 * (a fresh one unless `env.tableName` is given).
 */
export async function motoRuntime(endpoint: string, options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const tableName = options.env?.tableName ?? uniqueTableName();
  await createMotoForkTable(endpoint, tableName);
  return build(motoClients(endpoint), {
    ...options,
    env: { ...options.env, tableName, awsEndpoint: endpoint },
  });
}

function build(aws: AwsClients, options: TestRuntimeOptions): TestRuntime {
  const env = testEnv(options.env);
  const clock = options.clock ?? new TestClock();
  const workflows = options.workflows ?? new RecordingWorkflowStarter();
  const metrics: EmittedMetric[] = [];
  const rt = createRuntime({
    env,
    aws,
    workflows,
    now: clock.now,
    logger: options.logger ?? testLogger(),
    metrics: new ForkMetrics({
      emit: (name, unit, value, dimensions) => metrics.push({ name, unit, value, dimensions }),
    }),
  });
  return { rt, clock, workflows, env, metrics };
}
