import document from '../../../docs/openapi.json' with { type: 'json' };
import * as z from '../../core/zod.js';
import { type ApiRequest, parseQuery } from '../request.js';
import type { ApiResponse } from '../respond.js';

/** GET /v1/openapi.json: the committed document (`npm run openapi` regenerates it). */
export async function openApiRoute(request: ApiRequest): Promise<ApiResponse> {
  parseQuery(request, z.strictObject({}));
  return { statusCode: 200, body: document };
}
