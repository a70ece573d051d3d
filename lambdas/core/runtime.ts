import { assembleRuntime } from './runtime-assembly.js';
import * as parts from './runtime-parts.js';
import type { Runtime, RuntimeOverrides } from './runtime-types.js';

export type {
  Runtime,
  RuntimeBase,
  RuntimeOverrides,
  RuntimeServices,
  RuntimeWith,
  ServiceName,
} from './runtime-types.js';

/** Every part, in the order they are built. */
export const ALL_PARTS = [
  parts.aws,
  parts.store,
  parts.listing,
  parts.waits,
  parts.engines,
  parts.orderable,
  parts.events,
  parts.dns,
  parts.secrets,
  parts.schedules,
  parts.workflows,
  parts.tasks,
  parts.metrics,
  parts.managedDatabases,
  parts.managedLeftovers,
  parts.hooks,
] as const;

/**
 * Everything a handler could need, built once and injected: the offline runtime and tests call this
 * with their own env, clients and workflow starter, so the same handler code runs in Lambda and
 * in-process. Lambda entry points build only their own parts (`lazyRuntime` in runtime-assembly.ts),
 * never this: it would bundle every SDK client into every function.
 */
export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  return assembleRuntime(ALL_PARTS, overrides);
}
