import * as parts from '../../core/runtime-parts.js';
import { lambdaApi } from '../api.js';
import type { Route } from '../router.js';
import { listBackupsRoute } from '../routes/list-backups.js';
import { listPoolsRoute } from '../routes/list-pools.js';
import { listSourcesRoute } from '../routes/list-sources.js';
import { openApiRoute } from '../routes/openapi.js';

/**
 * The function behind what a caller can discover: the sources it may fork, their backups, the warm
 * pools (read from the fork table: what each pool holds), this API's OpenAPI document. Reads only.
 */
export const SOURCES_PARTS = [parts.engines, parts.store] as const;
type Services = (typeof SOURCES_PARTS)[number]['service'];

export const SOURCES_ROUTES: readonly Route<Services>[] = [
  { method: 'GET', pattern: '/v1/sources', handle: listSourcesRoute },
  { method: 'GET', pattern: '/v1/sources/{id}/backups', handle: listBackupsRoute },
  { method: 'GET', pattern: '/v1/pools', handle: listPoolsRoute },
  { method: 'GET', pattern: '/v1/openapi.json', handle: openApiRoute },
];

export const handler = lambdaApi(SOURCES_PARTS, SOURCES_ROUTES);
