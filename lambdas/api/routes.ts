import type { Route } from './router.js';
import { createForkRoute } from './routes/create-fork.js';
import { deleteForkRoute } from './routes/delete-fork.js';
import { getForkRoute } from './routes/get-fork.js';
import { listBackupsRoute } from './routes/list-backups.js';
import { listForksRoute } from './routes/list-forks.js';
import { listSourcesRoute } from './routes/list-sources.js';
import { patchForkRoute } from './routes/patch-fork.js';

/** The HTTP API v1 (DESIGN.md §1). */
export const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: '/v1/forks', handle: createForkRoute },
  { method: 'GET', pattern: '/v1/forks', handle: listForksRoute },
  { method: 'GET', pattern: '/v1/forks/{id}', handle: getForkRoute },
  { method: 'PATCH', pattern: '/v1/forks/{id}', handle: patchForkRoute },
  { method: 'DELETE', pattern: '/v1/forks/{id}', handle: deleteForkRoute },
  { method: 'GET', pattern: '/v1/sources', handle: listSourcesRoute },
  { method: 'GET', pattern: '/v1/sources/{id}/backups', handle: listBackupsRoute },
];
