import { ForkStateConflictError } from '../../core/errors.js';
import { armExpiry, scheduleTarget } from '../../core/expiry-arming.js';
import { type ForkRecord, type PatchForkBody, patchForkBodySchema, toPublicFork } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { checkExpiresAt, expiryAfterMinutes, requestedTtl, type Ttl } from '../../core/ttl.js';
import { ServiceUnavailableError } from '../errors.js';
import { type ApiRequest, parseBody, parseParams } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { assertCanManage, findFork, forkRefParamsSchema } from './shared.js';

/**
 * PATCH /v1/forks/{id}: extend or shorten a live fork's TTL (`ttlHours`, `ttlMinutes` or
 * `expiresAt`), bounded by the configured minimum and maximum TTL. The deletion and the
 * `Fork Expiring` warning move with it.
 */

function newExpiry(
  rt: RuntimeWith<'store' | 'schedules'>,
  body: PatchForkBody,
): { expiresAt: string; ttl: Ttl } {
  const now = rt.now();
  if (body.expiresAt !== undefined) {
    const checked = checkExpiresAt(body.expiresAt, now, rt.env.policy);
    return { expiresAt: checked.expiresAt, ttl: { hours: checked.ttlHours, minutes: checked.ttlMinutes } };
  }
  const ttl = requestedTtl(body, rt.env.policy);
  return { expiresAt: expiryAfterMinutes(now, ttl.minutes), ttl };
}

/** A live fork that is not being cleaned up after a failed create. */
function isExtendable(fork: ForkRecord): boolean {
  return fork.status === 'ready' || (fork.status === 'creating' && fork.step !== 'cleaning-up');
}

/**
 * The expiry schedules exist from the scheduling-expiry step on; before it, that step reads the new
 * expiry from the record. A fork being cleaned up or deleted must not get a schedule back.
 */
function hasSchedule(fork: ForkRecord): boolean {
  return fork.step === 'scheduling-expiry' || fork.step === 'ready';
}

export async function changeExpiry(
  rt: RuntimeWith<'store' | 'schedules'>,
  ref: string,
  caller: string,
  body: PatchForkBody,
): Promise<ForkRecord> {
  const fork = await findFork(rt, ref);
  assertCanManage(fork, caller, rt.env.policy, 'change the expiry of');
  if (!isExtendable(fork)) {
    throw new ForkStateConflictError(
      `fork ${fork.id} is ${fork.status} (${fork.step}); only a creating or ready fork's expiry can change`,
      { details: [{ message: 'fork not live', status: fork.status, step: fork.step }] },
    );
  }
  const { expiresAt, ttl } = newExpiry(rt, body);
  // Fail on missing configuration before anything is written.
  const target = scheduleTarget(rt.env);
  const updated = await rt.store.setExpiry(
    fork.id,
    expiresAt,
    ttl,
    `expiry set to ${expiresAt} by ${caller}`,
  );
  if (!hasSchedule(updated)) return updated;
  try {
    return await armExpiry(rt, updated, target);
  } catch (error) {
    if (error instanceof ForkStateConflictError) throw error;
    throw new ServiceUnavailableError(
      `fork ${updated.id} now expires at ${expiresAt} but its deletion and warning schedules could not be moved; repeat the request`,
      { cause: error, details: [{ message: 'schedule not updated', forkId: updated.id }] },
    );
  }
}

export async function patchForkRoute(
  request: ApiRequest,
  rt: RuntimeWith<'store' | 'schedules'>,
): Promise<ApiResponse> {
  const { id } = parseParams(request, forkRefParamsSchema);
  const body = parseBody(request, patchForkBodySchema);
  return { statusCode: 200, body: toPublicFork(await changeExpiry(rt, id, request.caller, body)) };
}
