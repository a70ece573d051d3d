/**
 * Drives dbfork the way production does, with every AWS call recorded per function: the HTTP API
 * (createApi, every route), the synthesized create/delete state machines (each Task bound to its
 * real step handler), and the reconciler, all against moto. The API's and the reconciler's
 * workflow starts go through the real StepFunctionsStarter, whose StartExecution is recorded and
 * then handed to the in-process workflows instead of being sent.
 */
import { ListTagsForResourceCommand } from '@aws-sdk/client-rds';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { matchPattern } from '../../lambdas/api/router.js';
import { API_FUNCTIONS as API_ROUTE_GROUPS, createApi } from '../../lambdas/api/routes.js';
import { consumeCommands } from '../../lambdas/commands/consume.js';
import { clientConfig, lambdaClient } from '../../lambdas/core/clients.js';
import type { RuntimeEnv } from '../../lambdas/core/env.js';
import { type HookInvoker, LambdaHookInvoker } from '../../lambdas/core/hook-invoker.js';
import { createRuntime, type Runtime } from '../../lambdas/core/runtime.js';
import { StepFunctionsTaskCompletion } from '../../lambdas/core/task-completion.js';
import { StepFunctionsStarter } from '../../lambdas/core/workflows.js';
import { handleExpiryWarning } from '../../lambdas/events/expiry-warning.js';
import { createDatabaseSweep } from '../../lambdas/events/orphan-databases.js';
import { createLeftoverSweep } from '../../lambdas/events/orphan-leftovers.js';
import { createPoolKeeper, type PoolKeeping } from '../../lambdas/events/pool-keeper.js';
import { handleRdsEvent } from '../../lambdas/events/rds-event.js';
import { mergeSummaries } from '../../lambdas/events/reconcile-sweep.js';
import { createReconciler } from '../../lambdas/events/reconciler.js';
import type { StepHandlers } from '../../lambdas/steps/registry.js';
import type { StepName } from '../../lambdas/steps/step-names.js';
import {
  API_FUNCTIONS,
  type ApiFunctionName,
  COMMANDS_FUNCTION,
  EXPIRY_WARNING_FUNCTION,
  ORPHAN_DATABASES_FUNCTION,
  ORPHAN_LEFTOVERS_FUNCTION,
  POOL_KEEPER_FUNCTION,
  RDS_EVENT_FUNCTION,
  RECONCILER_FUNCTION,
} from '../../lib/permissions.js';
import type { LocalTaskTokens } from '../../local/local-task-tokens.js';
import type { LocalWorkflows } from '../../local/local-workflows.js';
import { type RdsEventDelivery, startRdsEventDelivery } from '../../local/rds-event-delivery.js';
import {
  AwsCallRecorder,
  type MiddlewareClient,
  outsideAnyFunction,
  runAs,
  type TagLookup,
} from './aws-call-recorder.js';
import { motoEndpoint } from './moto.js';
import { motoClients, TEST_ACCOUNT, TEST_REGION, testLogger } from './runtime.js';
import { type Fault, type Harness, injectFaults } from './workflow-harness.js';

export const CALLER = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/developer/alice`;

/** Live tags from moto, read on clients the recorder does not instrument. */
export function motoTagLookup(endpoint: string): TagLookup {
  const clients = motoClients(endpoint);
  return async (arn) => {
    try {
      if (arn.includes(':rds:')) {
        const out = await clients.rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
        return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      }
      // The call may have named the secret by its name (then the ARN here has no random suffix).
      const out = await clients.secrets
        .send(new DescribeSecretCommand({ SecretId: arn }))
        .catch(() => clients.secrets.send(new DescribeSecretCommand({ SecretId: arn.split(':secret:')[1] })));
      return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch {
      return undefined; // not there (yet): no resource tags in the context
    }
  };
}

export function newRecorder(endpoint: string): AwsCallRecorder {
  return new AwsCallRecorder({ region: TEST_REGION, account: TEST_ACCOUNT }, motoTagLookup(endpoint));
}

/** Every step handler runs as its own function. */
function attributeSteps(handlers: StepHandlers): StepHandlers {
  const wrapped = { ...handlers };
  for (const name of Object.keys(handlers) as StepName[]) {
    const real = handlers[name];
    wrapped[name] = (input: unknown) => runAs(name, () => real(input));
  }
  return wrapped;
}

/**
 * The production starter on an SFN client whose StartExecution is recorded, then run in-process
 * (outside the calling function, like a real execution) and answered as Step Functions would.
 */
function recordedStarter(
  local: LocalWorkflows,
  env: RuntimeEnv,
  recorder: AwsCallRecorder,
): StepFunctionsStarter {
  const sfn = new SFNClient(clientConfig({ endpoint: 'http://127.0.0.1:9', region: TEST_REGION }));
  recorder.attach(sfn as unknown as MiddlewareClient);
  const createArn = env.createStateMachineArn ?? '';
  const refreshArn = env.refreshStateMachineArn ?? '';
  sfn.middlewareStack.add(
    () => async (args) => {
      const input = args.input as { stateMachineArn: string; name: string; input: string };
      const { forkId, ...extra } = JSON.parse(input.input) as { forkId: string };
      const kind =
        input.stateMachineArn === createArn
          ? 'create'
          : input.stateMachineArn === refreshArn
            ? 'refresh'
            : 'delete';
      outsideAnyFunction(() => local.start(kind, input.name, forkId, extra));
      return {
        output: { $metadata: {}, executionArn: `${input.stateMachineArn}:${input.name}` },
        response: {},
      };
    },
    { step: 'initialize', name: 'dbforkLocalStartExecution', priority: 'low' },
  );
  return new StepFunctionsStarter(
    sfn,
    () => createArn,
    () => env.deleteStateMachineArn ?? '',
    () => refreshArn,
  );
}

/** The token stores of every simulated runner: a completion goes to whichever issued the token. */
const tokenStores: LocalTaskTokens[] = [];

/**
 * The production TaskCompletion on an SFN client whose SendTaskSuccess / SendTaskFailure are
 * recorded, then handed to the in-process runner that issued the token (answered as Step Functions
 * answers a closed token: TaskTimedOut).
 */
function recordedTaskCompletion(recorder: AwsCallRecorder): StepFunctionsTaskCompletion {
  const sfn = new SFNClient(clientConfig({ endpoint: 'http://127.0.0.1:9', region: TEST_REGION }));
  recorder.attach(sfn as unknown as MiddlewareClient);
  sfn.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as { taskToken: string; output?: string; error?: string; cause?: string };
      for (const store of tokenStores) {
        const outcome =
          context.commandName === 'SendTaskSuccessCommand'
            ? await store.succeed(input.taskToken, JSON.parse(input.output ?? 'null'))
            : await store.fail(input.taskToken, input.error ?? '', input.cause ?? '');
        if (outcome === 'completed') return { output: { $metadata: {} }, response: {} };
      }
      throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
    },
    { step: 'initialize', name: 'dbforkLocalSendTask', priority: 'low' },
  );
  return new StepFunctionsTaskCompletion(sfn);
}

/**
 * The production hook invoker (Lambda's Invoke) on a client whose Invoke is recorded, then answered
 * by the local hook modules (`local`) as Lambda answers a synchronous invoke.
 */
function recordedHooks(local: HookInvoker, recorder: AwsCallRecorder): LambdaHookInvoker {
  const lambda = lambdaClient(clientConfig({ endpoint: 'http://127.0.0.1:9', region: TEST_REGION }));
  recorder.attach(lambda as unknown as MiddlewareClient);
  lambda.middlewareStack.add(
    () => async (args) => {
      const input = args.input as { FunctionName: string; Payload?: Uint8Array };
      // A local hook is named like the function: `records`, or the name in `…:function:records[:qualifier]`.
      const name = input.FunctionName.split(':function:').pop()?.split(':')[0] ?? input.FunctionName;
      const answer = await local.invoke(name, new TextDecoder().decode(input.Payload), {
        signal: new AbortController().signal,
        timeoutMs: 60_000,
      });
      return {
        output: {
          $metadata: {},
          StatusCode: 200,
          ...(answer.functionError ? { FunctionError: answer.functionError } : {}),
          Payload: new TextEncoder().encode(answer.payload),
        },
        response: {},
      };
    },
    { step: 'initialize', name: 'dbforkLocalInvoke', priority: 'low' },
  );
  return new LambdaHookInvoker(lambda);
}

/** One delivery of the emulator's RDS events at a time, to the latest simulated rds-event function. */
let delivery: RdsEventDelivery | undefined;

async function deliverRdsEventsTo(rt: Runtime): Promise<void> {
  await delivery?.stop();
  delivery = await startRdsEventDelivery({
    endpoint: motoEndpoint(),
    deliver: async (event) => {
      await runAs(RDS_EVENT_FUNCTION, () => handleRdsEvent(event, rt));
    },
  });
}

/** Stops the RDS event delivery of the simulation (after its last scenario). */
export async function stopSimulatedRdsEvents(): Promise<void> {
  await delivery?.stop();
  delivery = undefined;
}

function apiEvent(method: string, path: string, body?: unknown): APIGatewayProxyEvent {
  return {
    body: body === undefined ? null : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    httpMethod: method,
    isBase64Encoded: false,
    path,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/{proxy+}',
    requestContext: {
      accountId: TEST_ACCOUNT,
      identity: { userArn: CALLER },
      requestId: 'iam-simulation',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** The API function that serves a request on AWS: the one whose routes match it. */
function apiFunctionOf(method: string, path: string): ApiFunctionName {
  for (const [group, { routes }] of Object.entries(API_ROUTE_GROUPS)) {
    if (routes.some((route) => route.method === method && matchPattern(route.pattern, path) !== undefined)) {
      return API_FUNCTIONS[group as keyof typeof API_FUNCTIONS];
    }
  }
  throw new Error(`no API function serves ${method} ${path}`);
}

export interface Simulated {
  /** Calls the API like a signed client; throws on a 5xx. */
  api(method: string, path: string, body?: unknown): Promise<APIGatewayProxyResult>;
  /** Hands an SQS batch of command events to the command consumer, as its event source would. */
  commands(event: SQSEvent): Promise<SQSBatchResponse>;
  reconcile(now?: Date): Promise<unknown>;
  /** Runs the pool keeper as its own function (`drain`: as if no pool were configured any more). */
  keepPools(options?: { now?: Date; drain?: boolean }): Promise<PoolKeeping>;
  /** Invokes the expiry-warning function as the fork's warning schedule does, for its current expiry. */
  warn(forkId: string): Promise<unknown>;
  idle(): Promise<void>;
}

/**
 * Wires one harness (its moto clients, table, zone, source) for recording. `faults` makes steps
 * fail as in the fault tests, to drive the cleanup path and mark-failed.
 */
export function simulate<S>(
  h: Harness<S>,
  recorder: AwsCallRecorder,
  faults: Partial<Record<StepName, Fault>> = {},
): Simulated {
  recorder.attach(...(Object.values(h.clients) as unknown as MiddlewareClient[]));
  const steps = h.withHandlers((handlers) => attributeSteps(injectFaults(faults)(handlers)));
  const { env } = steps.rt;
  // Waits are completed through the production SendTask* calls, recorded.
  tokenStores.push(steps.workflows.taskTokens);
  const tasks = recordedTaskCompletion(recorder);
  steps.rt.tasks = tasks;
  // Post-restore hooks go through the production Invoke, recorded.
  steps.rt.hooks = recordedHooks(steps.rt.hooks, recorder);
  const runtime = () =>
    createRuntime({
      env,
      aws: steps.clients,
      workflows: recordedStarter(steps.workflows, env, recorder),
      // A claim completes a pool member's token, a retirement fails it: recorded, then answered here.
      tasks,
      logger: testLogger(),
      now: steps.rt.now,
    });
  const api = createApi(runtime());
  const commandsRt = runtime();
  const reconcilerRt = runtime();
  const warningRt = runtime();
  const keeperRt = runtime();
  const events = deliverRdsEventsTo(
    createRuntime({ env, aws: steps.clients, workflows: steps.workflows, tasks, logger: testLogger() }),
  );
  return {
    async api(method, path, body) {
      await events;
      const result = await runAs(apiFunctionOf(method, path), () => api(apiEvent(method, path, body)));
      if (result.statusCode >= 500) throw new Error(`${method} ${path}: ${result.statusCode} ${result.body}`);
      return result;
    },
    async commands(event) {
      await events;
      return runAs(COMMANDS_FUNCTION, () => consumeCommands(event, commandsRt));
    },
    // Each sweep as its own function, with its own role, as the stack's rule runs them.
    reconcile: async (now) => {
      const clock = now ? { now: () => now } : {};
      return mergeSummaries([
        await runAs(RECONCILER_FUNCTION, () => createReconciler(reconcilerRt, clock)()),
        await runAs(ORPHAN_DATABASES_FUNCTION, () => createDatabaseSweep(reconcilerRt, clock)()),
        await runAs(ORPHAN_LEFTOVERS_FUNCTION, () => createLeftoverSweep(reconcilerRt, clock)()),
      ]);
    },
    keepPools: ({ now, drain } = {}) => {
      const rt = drain ? { ...keeperRt, env: { ...env, policy: { ...env.policy, pools: [] } } } : keeperRt;
      return runAs(POOL_KEEPER_FUNCTION, () => createPoolKeeper(rt, now ? { now: () => now } : {})());
    },
    async warn(forkId) {
      const { expiresAt } = await steps.rt.store.mustGet(forkId);
      return runAs(EXPIRY_WARNING_FUNCTION, () => handleExpiryWarning({ forkId, expiresAt }, warningRt));
    },
    idle: () => steps.workflows.idle(),
  };
}
