import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from './clients.js';
import type { ForkDns } from './dns.js';
import type { EngineRegistry } from './engines/registry.js';
import type { RuntimeEnv } from './env.js';
import type { LifecycleEvents } from './events.js';
import type { ExpirySchedules } from './expiry-schedule.js';
import type { ForkListing } from './fork-listing.js';
import type { HookInvoker } from './hook-invoker.js';
import type { ManagedDatabases, ManagedLeftovers } from './managed-resources.js';
import type { ForkMetrics } from './metrics.js';
import type { OrderableCatalog } from './orderable.js';
import type { ForkSecrets } from './secrets.js';
import type { ForkStore } from './store.js';
import type { TaskCompletion } from './task-completion.js';
import type { WaitTokens } from './wait-tokens.js';
import type { WorkflowStarter } from './workflows.js';

/** What every handler has: its env, a logger and a clock. */
export interface RuntimeBase {
  env: RuntimeEnv;
  logger: Logger;
  now: () => Date;
}

/** The services a handler may use; each Lambda builds only those it declares (runtime-parts.ts). */
export interface RuntimeServices {
  /** Every SDK client, raw (the offline runtime and tests). */
  aws: Omit<AwsClients, 'lambda'>;
  /** Finds the databases and snapshots dbfork made, by their tags (the orphan sweep of databases). */
  managedDatabases: ManagedDatabases;
  /** Finds dbfork's secrets and schedules (the orphan sweep of what a fork has besides its database). */
  managedLeftovers: ManagedLeftovers;
  store: ForkStore;
  /** Fork records by index, newest first (GET /v1/forks, the reconciler). */
  listing: ForkListing;
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
  /** Business metrics (EMF on AWS, debug log lines offline). */
  metrics: ForkMetrics;
  /** Invokes post-restore hooks: Lambda on AWS, local ES modules offline (local/hook-modules.ts). */
  hooks: HookInvoker;
}

export type ServiceName = keyof RuntimeServices;

/** Everything: what the offline runtime and tests build, and what a handler's needs are checked against. */
export interface Runtime extends RuntimeBase, RuntimeServices {}

/** A runtime with only some services: the type a handler's code sees, so using an undeclared one fails to compile. */
export type RuntimeWith<S extends ServiceName> = RuntimeBase & Pick<RuntimeServices, S>;

/** Prebuilt parts (the offline runtime's workflow starter and task completion, tests' mocked clients). */
export type RuntimeOverrides = Partial<RuntimeBase> & Partial<RuntimeServices>;
