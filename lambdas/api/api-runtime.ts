import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';

/** The services the HTTP API uses: records, sources and their limits, lifecycle events, workflows, expiry schedules. */
export const API_PARTS = [
  parts.store,
  parts.engines,
  parts.orderable,
  parts.events,
  parts.workflows,
  parts.schedules,
] as const;

export type ApiRuntime = RuntimeWith<(typeof API_PARTS)[number]['service']>;
