import * as parts from '../../core/runtime-parts.js';
import { lambdaApi } from '../api.js';
import type { Route } from '../router.js';
import { deleteForkRoute } from '../routes/delete-fork.js';
import { getForkRoute } from '../routes/get-fork.js';
import { listForksRoute } from '../routes/list-forks.js';
import { patchForkRoute } from '../routes/patch-fork.js';

/**
 * The function behind the fork records: list, show, extend (moves the expiry schedule) and delete
 * (starts the DeleteFork workflow). It never touches a database.
 */
export const FORKS_PARTS = [parts.store, parts.workflows, parts.schedules] as const;
type Services = (typeof FORKS_PARTS)[number]['service'];

export const FORKS_ROUTES: readonly Route<Services>[] = [
  { method: 'GET', pattern: '/v1/forks', handle: listForksRoute },
  { method: 'GET', pattern: '/v1/forks/{id}', handle: getForkRoute },
  { method: 'PATCH', pattern: '/v1/forks/{id}', handle: patchForkRoute },
  { method: 'DELETE', pattern: '/v1/forks/{id}', handle: deleteForkRoute },
];

export const handler = lambdaApi(FORKS_PARTS, FORKS_ROUTES);
