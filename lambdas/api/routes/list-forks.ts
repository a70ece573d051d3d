import { errorName, ValidationError } from '../../core/errors.js';
import { FORK_STATUSES, sourceRefSchema, toPublicFork } from '../../core/fork.js';
import type { ListPage, ListQuery } from '../../core/fork-listing.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import * as z from '../../core/zod.js';
import { type ApiRequest, parseQuery } from '../request.js';
import type { ApiResponse } from '../respond.js';

/** GET /v1/forks: newest first, filtered, cursor-paginated. */

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export const listForksQuerySchema = z.strictObject({
  source: z.optional(sourceRefSchema),
  status: z.optional(z.enum(FORK_STATUSES, { error: `must be one of ${FORK_STATUSES.join(', ')}` })),
  /** A principal ARN, or `me` for the caller. */
  owner: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  tag: z.optional(
    z.pipe(
      z.string().check(z.maxLength(400), z.regex(/^[^:]+:.*$/, 'must be key:value')),
      z.transform((raw: string) => {
        const at = raw.indexOf(':');
        return { key: raw.slice(0, at), value: raw.slice(at + 1) };
      }),
    ),
  ),
  limit: z.optional(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)),
        z.transform(Number),
      ),
      z
        .number()
        .check(
          z.minimum(1, `must be a whole number from 1 to ${MAX_LIMIT}`),
          z.maximum(MAX_LIMIT, `must be at most ${MAX_LIMIT}`),
        ),
    ),
  ),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});

/** A source ARN filters like its identifier (records are indexed by the resolved identifier). */
function sourceIdOf(ref: string): string {
  return ref.startsWith('arn:') ? (ref.split(':').at(-1) ?? ref) : ref;
}

export async function listForks(rt: RuntimeWith<'listing'>, query: ListQuery): Promise<ListPage> {
  try {
    return await rt.listing.list(query);
  } catch (error) {
    // A token that decodes but is not a key of this listing (forged, or from other filters): DynamoDB refuses it.
    if (query.nextToken && errorName(error) === 'ValidationException') {
      throw new ValidationError(
        'nextToken does not belong to this listing; repeat the same filters or start over',
        {
          cause: error,
          details: [{ path: 'nextToken', message: 'invalid pagination token' }],
        },
      );
    }
    throw error;
  }
}

export async function listForksRoute(request: ApiRequest, rt: RuntimeWith<'listing'>): Promise<ApiResponse> {
  const query = parseQuery(request, listForksQuerySchema);
  const page = await listForks(rt, {
    limit: query.limit ?? DEFAULT_LIMIT,
    ...(query.source ? { source: sourceIdOf(query.source) } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.owner ? { owner: query.owner === 'me' ? request.caller : query.owner } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
  });
  return {
    statusCode: 200,
    body: { forks: page.items.map(toPublicFork), ...(page.nextToken ? { nextToken: page.nextToken } : {}) },
  };
}
