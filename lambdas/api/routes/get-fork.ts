import { toPublicFork } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { type ApiRequest, parseParams } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { findFork, forkRefParamsSchema } from './shared.js';

/** GET /v1/forks/{id}: by id, or by the name of a live fork. */
export async function getForkRoute(request: ApiRequest, rt: RuntimeWith<'store'>): Promise<ApiResponse> {
  const { id } = parseParams(request, forkRefParamsSchema);
  return { statusCode: 200, body: toPublicFork(await findFork(rt, id)) };
}
