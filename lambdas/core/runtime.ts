import { Logger } from '@aws-lambda-powertools/logger';
import { type AwsClients, createClients } from './clients.js';
import { ForkDns } from './dns.js';
import { EngineRegistry } from './engines/registry.js';
import { loadRuntimeEnv, type RuntimeEnv, required } from './env.js';
import { LifecycleEvents } from './events.js';
import { ExpirySchedules } from './expiry-schedule.js';
import { OrderableCatalog } from './orderable.js';
import { ForkSecrets } from './secrets.js';
import { ForkStore } from './store.js';
import { StepFunctionsTaskCompletion, type TaskCompletion } from './task-completion.js';
import { WaitTokens } from './wait-tokens.js';
import { StepFunctionsStarter, type WorkflowStarter } from './workflows.js';

/**
 * Everything a handler needs, built once per process and injected. Lambda entry points use
 * `defaultRuntime()`; the offline runtime and tests call `createRuntime` with their own env and
 * workflow starter, so the same handler code runs in Lambda and in-process.
 */
export interface Runtime {
  env: RuntimeEnv;
  aws: AwsClients;
  store: ForkStore;
  engines: EngineRegistry;
  /** What AWS orders per engine version, cached for the life of the process. */
  orderable: OrderableCatalog;
  events: LifecycleEvents;
  dns: ForkDns;
  secrets: ForkSecrets;
  schedules: ExpirySchedules;
  workflows: WorkflowStarter;
  /** Task tokens of the waits workflows are parked in (never part of the fork record). */
  waits: WaitTokens;
  /** Completes those waits: SendTaskSuccess/Failure in Lambda, the in-process runner offline. */
  tasks: TaskCompletion;
  logger: Logger;
  now: () => Date;
}

export interface RuntimeOverrides {
  env?: RuntimeEnv;
  aws?: AwsClients;
  workflows?: WorkflowStarter;
  tasks?: TaskCompletion;
  logger?: Logger;
  now?: () => Date;
}

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const env = overrides.env ?? loadRuntimeEnv();
  const aws = overrides.aws ?? createClients(env.awsEndpoint ? { endpoint: env.awsEndpoint } : {});
  const now = overrides.now ?? (() => new Date());
  return {
    env,
    aws,
    now,
    store: new ForkStore(aws.dynamo, {
      tableName: env.tableName,
      auditRetentionDays: env.auditRetentionDays,
      now,
    }),
    engines: EngineRegistry.create({ rds: aws.rds, docdb: aws.docdb }),
    orderable: new OrderableCatalog({ rds: aws.rds, docdb: aws.docdb }, now),
    events: new LifecycleEvents(aws.events, env.eventBusName),
    dns: new ForkDns(aws.route53, env.hostedZoneId),
    secrets: new ForkSecrets(aws.secrets),
    schedules: new ExpirySchedules(aws.scheduler),
    workflows:
      overrides.workflows ??
      new StepFunctionsStarter(
        aws.sfn,
        () => required(env.createStateMachineArn, 'createStateMachineArn'),
        () => required(env.deleteStateMachineArn, 'deleteStateMachineArn'),
      ),
    waits: new WaitTokens(aws.dynamo, env.tableName, now),
    tasks: overrides.tasks ?? new StepFunctionsTaskCompletion(aws.sfn),
    logger: overrides.logger ?? new Logger({ serviceName: 'dbfork' }),
  };
}

let cached: Runtime | undefined;

/** The Lambda's runtime, built on first use (not at import, so importing a handler reads no env). */
export function defaultRuntime(): Runtime {
  cached ??= createRuntime();
  return cached;
}
