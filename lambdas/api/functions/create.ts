import * as parts from '../../core/runtime-parts.js';
import { lambdaApi } from '../api.js';
import type { Route } from '../router.js';
import { createForkRoute } from '../routes/create-fork.js';

/**
 * The function behind POST /v1/forks: validates against the source, its engine and what AWS orders,
 * writes the record and starts the CreateFork workflow (whose first step announces `Fork Requested`).
 */
export const CREATE_PARTS = [
  parts.store,
  parts.engines,
  parts.orderable,
  parts.workflows,
  parts.tasks,
] as const;
type Services = (typeof CREATE_PARTS)[number]['service'];

export const CREATE_ROUTES: readonly Route<Services>[] = [
  { method: 'POST', pattern: '/v1/forks', handle: createForkRoute },
];

export const handler = lambdaApi(CREATE_PARTS, CREATE_ROUTES);
