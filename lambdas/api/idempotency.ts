import { ValidationError } from '../core/errors.js';
import * as z from '../core/zod.js';
import { type ApiRequest, header } from './request.js';

/**
 * The `Idempotency-Key` header of the requests that start something (a create, a refresh): the same
 * key sent again answers what the first request started instead of starting it twice.
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export const idempotencyKeySchema = z
  .string()
  .check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters (a UUID is a good choice)'));

/** The request's key, undefined without one; a malformed one is a 400 naming the header. */
export function idempotencyKeyOf(request: ApiRequest): string | undefined {
  const raw = header(request, IDEMPOTENCY_HEADER);
  if (raw === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is invalid';
  throw new ValidationError(`the ${IDEMPOTENCY_HEADER} header ${message}`, {
    details: [{ path: IDEMPOTENCY_HEADER, message }],
  });
}
