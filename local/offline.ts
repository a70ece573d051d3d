/**
 * dbfork offline: the real HTTP API (the api Lambda's handler) on a loopback port, the synthesized
 * CreateFork / DeleteFork state machines running in-process, every AWS call going to an emulator
 * (moto, started here unless `awsEndpoint` names a running one), and due expiry and warning
 * schedules fired by a timer since moto never fires them. `local/main.ts` is the command-line entry point.
 */
import { createApi } from '../lambdas/api/routes.js';
import { consumeCommands } from '../lambdas/commands/consume.js';
import { type AwsClients, createClients } from '../lambdas/core/clients.js';
import type { AutomationConfig } from '../lambdas/core/config.js';
import type { PoolConfig } from '../lambdas/core/pool-config.js';
import { createRuntime, type Runtime } from '../lambdas/core/runtime.js';
import { handleExpiryWarning } from '../lambdas/events/expiry-warning.js';
import { handleRdsEvent } from '../lambdas/events/rds-event.js';
import { PARK_MEMBER_STATE } from '../lib/workflow-states.js';
import { type CommandDelivery, startCommandDelivery } from './command-delivery.js';
import { type DemoSource, seedDemoSources } from './demo-sources.js';
import { queueEmulatorDynamoRequests } from './emulator-dynamo-queue.js';
import { type ExpiryTicker, startExpiryTicker } from './expiry-ticker.js';
import { type LocalHook, ModuleHookInvoker } from './hook-modules.js';
import { LocalWorkflows } from './local-workflows.js';
import { DEFAULT_LOCAL_LOG_LEVEL, type LocalLogLevel, localLogger } from './logger.js';
import { type MotoServer, startMoto } from './moto-server.js';
import {
  OFFLINE_DOMAIN,
  OFFLINE_EVENT_BUS,
  OFFLINE_REGION,
  OFFLINE_SCHEDULE_GROUP,
  OFFLINE_TABLE,
  type OfflineQuotas,
  offlineEnv,
  offlineHookConfig,
} from './offline-env.js';
import { type RdsEventDelivery, startRdsEventDelivery } from './rds-event-delivery.js';
import { type ReconcileTicker, startReconcileTicker } from './reconcile-ticker.js';
import { seedPlatform } from './seed.js';
import { LocalApiServer } from './server.js';
import { type CfnTemplate, exampleConfig, synthesizeTemplate } from './synth.js';
import { createForkTable } from './table.js';

/** The workflows' poll Wait on AWS; `waitMs` stands for it offline. */
const POLL_WAIT_SECONDS = 30;

export interface OfflineOptions {
  /** Port of the API. @default 3000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** A running emulator to use (no emulator is started and no demo source seeded). */
  awsEndpoint?: string;
  /** Sources allowed besides those tagged dbfork:allow-fork=true. */
  allowedSources?: readonly string[];
  /** Live-fork quotas per owner and per source. @default the stack's defaults */
  quotas?: OfflineQuotas;
  /** Commands in (README "Automation"): owner of commanded forks, admin, on/off. @default the stack's defaults */
  automation?: Partial<AutomationConfig>;
  /** Minutes before expiry that `Fork Expiring` is published. @default the stack's (60) */
  expiryWarningMinutes?: number;
  /** Warm pools (DBFORK_POOLS), kept by the reconciler's pool keeper. @default none */
  pools?: readonly PoolConfig[];
  /** @default 'WARN' */
  logLevel?: LocalLogLevel;
  /** Milliseconds each Wait state of the workflows waits (30 s and more on AWS). @default 1000 */
  waitMs?: number;
  /** Milliseconds between checks for due expiry schedules. @default 2000 */
  expiryCheckMs?: number;
  /** Milliseconds between reconciler runs (expired, orphaned, stuck forks); 0 = only on demand. @default 30000 */
  reconcileMs?: number;
  /** Milliseconds `stop()` waits for running workflows. @default 5000 */
  drainMs?: number;
  /**
   * Post-restore hooks: local ES modules (DBFORK_POST_RESTORE_HOOK) run as the Lambda functions of
   * `postRestoreHook` would be; the first is the default. @default none
   */
  postRestoreHooks?: readonly LocalHook[];
  /** Seconds a hook may run (`postRestoreHook.timeoutSeconds`). @default 300 */
  hookTimeoutSeconds?: number;
  /** The stack template whose state machines run. @default synthesized at start (with the hooks) */
  template?: CfnTemplate;
  /** Progress of the start, one short line at a time (the entry point prints them on stderr). */
  onProgress?: (line: string) => void;
}

export interface OfflineMode {
  apiUrl: string;
  /** The post-restore hooks offline (the first is the default). */
  hooks: readonly LocalHook[];
  /** The warm pools kept offline. */
  pools: readonly PoolConfig[];
  port: number;
  /** The emulator every AWS call goes to. */
  endpoint: string;
  /** true when this process started the emulator (and stops it). */
  startedEmulator: boolean;
  sources: DemoSource[];
  runtime: Runtime;
  workflows: LocalWorkflows;
  /** Runs the reconciler now (it also runs every `reconcileMs`). */
  reconcile: ReconcileTicker['tick'];
  /** Stops serving, waits briefly for running workflows, stops the emulator it started. Idempotent. */
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export async function startOffline(options: OfflineOptions = {}): Promise<OfflineMode> {
  const progress = options.onProgress ?? (() => {});
  const logger = localLogger(options.logLevel ?? DEFAULT_LOCAL_LOG_LEVEL);
  const server = new LocalApiServer({
    port: options.port ?? 3000,
    ...(options.host ? { host: options.host } : {}),
    onError: (error) => logger.error('request failed in the local server', { error: String(error) }),
  });
  // Listen first: a taken port fails at once, and /v1/health answers 503 while the rest starts.
  const { url: apiUrl, port } = await server.listen();

  let moto: MotoServer | undefined;
  let aws: AwsClients | undefined;
  let ticker: ExpiryTicker | undefined;
  let reconciler: ReconcileTicker | undefined;
  let rdsEvents: RdsEventDelivery | undefined;
  let commands: CommandDelivery | undefined;
  const cleanup = async () => {
    ticker?.stop();
    reconciler?.stop();
    await rdsEvents?.stop();
    await commands?.stop();
    await server.close();
    if (aws) destroyClients(aws);
    await moto?.stop();
  };

  try {
    let endpoint = options.awsEndpoint?.replace(/\/$/, '');
    const motoStarting = endpoint
      ? undefined
      : startMoto({
          onLog: (line) => logger.debug('moto', { line }),
        });
    if (motoStarting) progress('starting the AWS emulator (moto)…');
    // The hooks are the stack's: their step is in the synthesized workflow only when configured.
    const hooks = options.postRestoreHooks ?? [];
    const postRestoreHook = offlineHookConfig(
      hooks.map((hook) => hook.name),
      options.hookTimeoutSeconds,
    );
    // Synthesizing (about a second of CPU) overlaps with moto's start (about four seconds of imports).
    const template =
      options.template ??
      synthesizeTemplate(postRestoreHook ? { ...exampleConfig(), postRestoreHook } : undefined);
    if (motoStarting) {
      moto = await motoStarting;
      endpoint = moto.endpoint;
    }
    if (!endpoint) throw new Error('no emulator endpoint');
    if (!moto) await assertAnswers(endpoint);
    progress(`emulator at ${endpoint}; creating the fork table, event bus, schedule group and hosted zone…`);

    aws = createClients({ endpoint, region: OFFLINE_REGION });
    // moto does not isolate concurrent DynamoDB transactions; AWS does (see the module).
    queueEmulatorDynamoRequests(aws.dynamo);
    await createForkTable(aws.dynamo, OFFLINE_TABLE);
    const { hostedZoneId } = await seedPlatform(aws, {
      domain: OFFLINE_DOMAIN,
      eventBusName: OFFLINE_EVENT_BUS,
      scheduleGroupName: OFFLINE_SCHEDULE_GROUP,
    });
    let sources: DemoSource[] = [];
    if (moto) {
      progress('seeding demo sources…');
      sources = await seedDemoSources(endpoint, aws);
    }

    const env = offlineEnv({
      endpoint,
      hostedZoneId,
      ...(options.allowedSources ? { allowedSources: options.allowedSources } : {}),
      ...(options.quotas ? { quotas: options.quotas } : {}),
      ...(options.automation ? { automation: options.automation } : {}),
      ...(postRestoreHook ? { postRestoreHook } : {}),
      ...(options.expiryWarningMinutes ? { expiryWarningMinutes: options.expiryWarningMinutes } : {}),
      ...(options.pools ? { pools: options.pools } : {}),
    });
    const waitMs = options.waitMs ?? 1000;
    const workflows = new LocalWorkflows(template, {
      waitMs,
      // A token wait's safety-net heartbeat scales like the 30 s poll Waits (AWS seconds × waitMs / 30);
      // its budget (timeout) never shrinks below the default offline scale, so waitMs 0 cannot time it out.
      taskTimerMs: (state, seconds, timer) => {
        // A pool member's deadline is wall-clock time, as the keeper's maxAgeHours is: not scaled.
        if (state === PARK_MEMBER_STATE) return seconds * 1000;
        return timer === 'heartbeat'
          ? Math.max(1, (seconds * waitMs) / POLL_WAIT_SECONDS)
          : (seconds * Math.max(waitMs, 1000)) / POLL_WAIT_SECONDS;
      },
      onSettled: (execution) => {
        const info = { forkId: execution.forkId, workflow: execution.kind, status: execution.status };
        if (execution.status === 'SUCCEEDED') logger.info('workflow finished', info);
        else logger.warn('workflow failed', { ...info, error: execution.error });
      },
    });
    const runtime = createRuntime({
      env,
      aws,
      workflows,
      tasks: workflows.taskTokens,
      logger,
      hooks: new ModuleHookInvoker(hooks),
    });
    workflows.attach(runtime);
    const clients = aws;
    ticker = startExpiryTicker({
      scheduler: clients.scheduler,
      groupName: env.schedulerGroupName,
      deleteStateMachineArn: env.deleteStateMachineArn ?? '',
      refreshStateMachineArn: env.refreshStateMachineArn ?? '',
      workflows,
      // The warning schedules invoke the expiry-warning function's own handler, as Scheduler would.
      expiryWarning: {
        functionArn: env.expiryWarningFunctionArn ?? '',
        invoke: (input) => handleExpiryWarning(input, runtime),
      },
      ...(options.expiryCheckMs ? { intervalMs: options.expiryCheckMs } : {}),
      onFired: (fired) => logger.info('schedule fired', { ...fired }),
      onTargetError: (fired, error) =>
        logger.warn('schedule target failed', { ...fired, error: String(error) }),
      onError: (error) => logger.warn('could not check expiry schedules', { error: String(error) }),
    });
    reconciler = startReconcileTicker({
      runtime,
      ...(options.reconcileMs !== undefined ? { intervalMs: options.reconcileMs } : {}),
      onRun: (summary) => {
        // (The pool keeper's routine work is not reported here; what it could not do is an error.)
        if (
          summary.expired.length + summary.orphans.length + summary.stuck.length + summary.errors.length >
          0
        )
          logger.info('reconciler acted', { ...summary });
      },
      onError: (error) => logger.warn('reconciler run failed', { error: String(error) }),
    });
    const reconcile = reconciler.tick;
    // RDS events complete the workflows' waits, as the rds-event function does in AWS; without
    // them (an emulator that cannot deliver) the waits' safety-net checks still complete them.
    rdsEvents = await startRdsEventDelivery({
      endpoint,
      deliver: async (event) => {
        await handleRdsEvent(event, runtime);
      },
      logger: {
        warn: (message, ...extra) => logger.warn(message, { details: extra.map(describe) }),
        error: (message, ...extra) => logger.error(message, { details: extra.map(describe) }),
      },
    }).catch((error: unknown) => {
      logger.warn('RDS event delivery unavailable: waits complete by their safety-net checks', {
        error: String(error),
      });
      return undefined;
    });
    const events = rdsEvents;
    // Commands in: a rule on the emulator's dbfork bus → SQS → the command Lambda's own code.
    if (env.policy.automation.enabled) {
      commands = await startCommandDelivery({
        endpoint,
        consume: (event) => consumeCommands(event, runtime),
        logger: { warn: (message, ...extra) => logger.warn(message, { details: extra.map(describe) }) },
      });
    }
    const commandDelivery = commands;
    server.ready(createApi(runtime), { awsEndpoint: endpoint });
    // Warm pools fill at once rather than at the reconciler's first tick.
    if (env.policy.pools.length > 0) void reconcile();

    let stopping: Promise<void> | undefined;
    const drainMs = options.drainMs ?? 5000;
    return {
      apiUrl,
      hooks,
      pools: env.policy.pools,
      port,
      endpoint,
      startedEmulator: moto !== undefined,
      sources,
      runtime,
      workflows,
      reconcile,
      stop: () => {
        stopping ??= (async () => {
          ticker?.stop();
          reconciler?.stop();
          await server.close();
          await commandDelivery?.stop();
          await Promise.race([workflows.idle(), sleep(drainMs)]);
          await events?.stop();
          destroyClients(clients);
          await moto?.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function destroyClients(aws: AwsClients): void {
  for (const client of Object.values(aws) as { destroy?: () => void }[]) client.destroy?.();
}

/** A given emulator (DBFORK_AWS_ENDPOINT) must answer before anything is created in it. */
async function assertAnswers(endpoint: string): Promise<void> {
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
  } catch (error) {
    const inner = (error as { cause?: { code?: string; message?: string } }).cause;
    const cause = inner?.code ?? inner?.message ?? (error as Error).message;
    throw new Error(
      `nothing answers at DBFORK_AWS_ENDPOINT=${endpoint} (${cause}); start the emulator first`,
      {
        cause: error,
      },
    );
  }
}

/** A log detail of the event delivery (`{ error }`, the event body) as text. */
function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      inner instanceof Error ? `${inner.name}: ${inner.message}` : inner,
    );
  } catch {
    return String(value);
  }
}
