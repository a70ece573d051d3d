import * as parts from '../../core/runtime-parts.js';
import { lambdaApi } from '../api.js';
import type { Route } from '../router.js';
import { listBackupsRoute } from '../routes/list-backups.js';
import { listSourcesRoute } from '../routes/list-sources.js';

/** The function behind the sources a caller may fork and their backups: RDS reads only. */
export const SOURCES_PARTS = [parts.engines] as const;
type Services = (typeof SOURCES_PARTS)[number]['service'];

export const SOURCES_ROUTES: readonly Route<Services>[] = [
  { method: 'GET', pattern: '/v1/sources', handle: listSourcesRoute },
  { method: 'GET', pattern: '/v1/sources/{id}/backups', handle: listBackupsRoute },
];

export const handler = lambdaApi(SOURCES_PARTS, SOURCES_ROUTES);
