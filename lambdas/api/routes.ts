import type { RuntimeWith } from '../core/runtime-types.js';
import { type Api, serveRoutes } from './api.js';
import { CREATE_PARTS, CREATE_ROUTES } from './functions/create.js';
import { FORKS_PARTS, FORKS_ROUTES } from './functions/forks.js';
import { SOURCES_PARTS, SOURCES_ROUTES } from './functions/sources.js';

/**
 * The HTTP API v1 (DESIGN.md §1), served on AWS by three functions — each with only the services,
 * and so the permissions, its routes need — and in one process by the offline runtime and tests.
 */
export const API_FUNCTIONS = {
  create: { parts: CREATE_PARTS, routes: CREATE_ROUTES },
  forks: { parts: FORKS_PARTS, routes: FORKS_ROUTES },
  sources: { parts: SOURCES_PARTS, routes: SOURCES_ROUTES },
} as const;
export type ApiFunctionName = keyof typeof API_FUNCTIONS;

type ApiServices = (typeof API_FUNCTIONS)[ApiFunctionName]['parts'][number]['service'];
export type ApiRuntime = RuntimeWith<ApiServices>;

export const ROUTES = [...CREATE_ROUTES, ...FORKS_ROUTES, ...SOURCES_ROUTES];

/** Every route in one process (the offline runtime, tests). */
export function createApi(rt: ApiRuntime): Api {
  return serveRoutes<ApiServices>(rt, ROUTES);
}
