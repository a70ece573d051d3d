import * as parts from '../../core/runtime-parts.js';
import { lambdaApi } from '../api.js';
import type { Route } from '../router.js';
import { deleteForkRoute } from '../routes/delete-fork.js';
import { getForkRoute } from '../routes/get-fork.js';
import { listForksRoute } from '../routes/list-forks.js';
import { patchForkRoute } from '../routes/patch-fork.js';
import { refreshForkRoute } from '../routes/refresh-fork.js';

/**
 * The function behind the fork records: list, show, extend (moves the expiry schedule, sets the
 * refresh schedule), delete (starts the DeleteFork workflow) and refresh (checks the backup asked
 * for against the source, then starts the RefreshFork workflow). It never changes a database.
 */
export const FORKS_PARTS = [
  parts.store,
  parts.listing,
  parts.workflows,
  parts.schedules,
  parts.engines,
] as const;
type Services = (typeof FORKS_PARTS)[number]['service'];

export const FORKS_ROUTES: readonly Route<Services>[] = [
  { method: 'GET', pattern: '/v1/forks', handle: listForksRoute },
  { method: 'GET', pattern: '/v1/forks/{id}', handle: getForkRoute },
  { method: 'PATCH', pattern: '/v1/forks/{id}', handle: patchForkRoute },
  { method: 'DELETE', pattern: '/v1/forks/{id}', handle: deleteForkRoute },
  { method: 'POST', pattern: '/v1/forks/{id}/refresh', handle: refreshForkRoute },
];

export const handler = lambdaApi(FORKS_PARTS, FORKS_ROUTES);
