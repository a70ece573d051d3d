import {
  type AwsClients,
  type ClientFactory,
  dynamoClient,
  eventsClient,
  lambdaClient,
  rdsClient,
  route53Client,
  schedulerClient,
  secretsClient,
  sfnClient,
} from './clients.js';
import { ForkDns } from './dns.js';
import { EngineRegistry } from './engines/registry.js';
import { required } from './env.js';
import { LifecycleEvents } from './events.js';
import { ExpirySchedules } from './expiry-schedule.js';
import { ForkListing } from './fork-listing.js';
import { LambdaHookInvoker } from './hook-invoker.js';
import { ManagedDatabases, ManagedLeftovers } from './managed-resources.js';
import { ForkMetrics, loggerSink, powertoolsSink } from './metrics.js';
import { OrderableCatalog } from './orderable.js';
import type { RuntimeBase, RuntimeServices, ServiceName } from './runtime-types.js';
import { ForkSecrets } from './secrets.js';
import { ForkStore } from './store.js';
import { StepFunctionsTaskCompletion } from './task-completion.js';
import { WaitTokens } from './wait-tokens.js';
import { StepFunctionsStarter } from './workflows.js';

/**
 * How each runtime service is built. Every part is its own export referring only to its own
 * clients, so a handler that declares `[parts.store, parts.events]` bundles the DynamoDB and
 * EventBridge clients and nothing else: esbuild drops the parts, and with them the SDK packages,
 * nobody refers to. Parts are plain object literals on purpose: a top-level call (`part(...)`)
 * would count as a side effect and keep every part, and every client, in every bundle.
 * `npm run bench` (`bundles`) measures what this saves.
 */
export interface PartContext extends RuntimeBase {
  /** The runtime's one client of a service, built on first use. */
  client<K extends keyof AwsClients>(key: K, factory: ClientFactory<K>): AwsClients[K];
}

export interface RuntimePart<S extends ServiceName> {
  readonly service: S;
  build(ctx: PartContext): RuntimeServices[S];
}

export const store: RuntimePart<'store'> = {
  service: 'store',
  build: (ctx) =>
    new ForkStore(ctx.client('dynamo', dynamoClient), {
      tableName: ctx.env.tableName,
      auditRetentionDays: ctx.env.auditRetentionDays,
      now: ctx.now,
    }),
};

export const listing: RuntimePart<'listing'> = {
  service: 'listing',
  build: (ctx) => new ForkListing(ctx.client('dynamo', dynamoClient), ctx.env.tableName),
};

export const waits: RuntimePart<'waits'> = {
  service: 'waits',
  build: (ctx) => new WaitTokens(ctx.client('dynamo', dynamoClient), ctx.env.tableName, ctx.now),
};

export const engines: RuntimePart<'engines'> = {
  service: 'engines',
  build: (ctx) => EngineRegistry.create({ rds: ctx.client('rds', rdsClient) }),
};

export const orderable: RuntimePart<'orderable'> = {
  service: 'orderable',
  build: (ctx) => new OrderableCatalog({ rds: ctx.client('rds', rdsClient) }, ctx.now),
};

export const events: RuntimePart<'events'> = {
  service: 'events',
  build: (ctx) => new LifecycleEvents(ctx.client('events', eventsClient), ctx.env.eventBusName),
};

export const dns: RuntimePart<'dns'> = {
  service: 'dns',
  build: (ctx) => new ForkDns(ctx.client('route53', route53Client), ctx.env.hostedZoneId),
};

export const secrets: RuntimePart<'secrets'> = {
  service: 'secrets',
  build: (ctx) => new ForkSecrets(ctx.client('secrets', secretsClient)),
};

export const schedules: RuntimePart<'schedules'> = {
  service: 'schedules',
  build: (ctx) => new ExpirySchedules(ctx.client('scheduler', schedulerClient)),
};

export const workflows: RuntimePart<'workflows'> = {
  service: 'workflows',
  build: (ctx) =>
    new StepFunctionsStarter(
      ctx.client('sfn', sfnClient),
      () => required(ctx.env.createStateMachineArn, 'createStateMachineArn'),
      () => required(ctx.env.deleteStateMachineArn, 'deleteStateMachineArn'),
      () => required(ctx.env.refreshStateMachineArn, 'refreshStateMachineArn'),
    ),
};

export const tasks: RuntimePart<'tasks'> = {
  service: 'tasks',
  build: (ctx) => new StepFunctionsTaskCompletion(ctx.client('sfn', sfnClient)),
};
/** Offline (an emulator endpoint) the metrics go to the debug log instead of EMF on stdout. */
export const metrics: RuntimePart<'metrics'> = {
  service: 'metrics',
  build: (ctx) => new ForkMetrics(ctx.env.awsEndpoint ? loggerSink(ctx.logger) : powertoolsSink()),
};

/** Post-restore hooks, invoked through Lambda (the offline runtime passes its own invoker). */
export const hooks: RuntimePart<'hooks'> = {
  service: 'hooks',
  build: (ctx) => new LambdaHookInvoker(ctx.client('lambda', lambdaClient)),
};

export const managedDatabases: RuntimePart<'managedDatabases'> = {
  service: 'managedDatabases',
  build: (ctx) => new ManagedDatabases(ctx.client('rds', rdsClient)),
};

export const managedLeftovers: RuntimePart<'managedLeftovers'> = {
  service: 'managedLeftovers',
  build: (ctx) =>
    new ManagedLeftovers(
      { secrets: ctx.client('secrets', secretsClient), scheduler: ctx.client('scheduler', schedulerClient) },
      ctx.env.schedulerGroupName,
    ),
};

/** Every client, raw: for the offline runtime and tests (no Lambda declares it: it bundles every client). */
export const aws: RuntimePart<'aws'> = {
  service: 'aws',
  build: (ctx) => ({
    rds: ctx.client('rds', rdsClient),
    dynamo: ctx.client('dynamo', dynamoClient),
    secrets: ctx.client('secrets', secretsClient),
    route53: ctx.client('route53', route53Client),
    scheduler: ctx.client('scheduler', schedulerClient),
    sfn: ctx.client('sfn', sfnClient),
    events: ctx.client('events', eventsClient),
  }),
};
