import { ForkStateConflictError } from '../../core/errors.js';
import { armExpiry, scheduleTarget } from '../../core/expiry-arming.js';
import { type ForkRecord, type PatchForkBody, patchForkBodySchema, toPublicFork } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { checkExpiresAt, expiryAfterMinutes, requestedTtl, type Ttl } from '../../core/ttl.js';
import { ServiceUnavailableError } from '../errors.js';
import { type ApiRequest, parseBody, parseParams } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { changeRefreshSchedule } from './refresh-schedule.js';
import { assertCanManage, findFork, forkRefParamsSchema, hasSchedule, isExtendable } from './shared.js';

/**
 * PATCH /v1/forks/{id}: extend or shorten a live fork's TTL (`ttlHours`, `ttlMinutes` or
 * `expiresAt`), bounded by the configured minimum and maximum TTL (the deletion and the
 * `Fork Expiring` warning move with it); and/or set or remove (`null`) its recurring refresh
 * (`refreshSchedule`, lambdas/api/routes/refresh-schedule.ts).
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

/** PATCH: the TTL change, then the refresh schedule change, whichever the body gives. */
export async function patchFork(
  rt: RuntimeWith<'store' | 'schedules'>,
  ref: string,
  caller: string,
  body: PatchForkBody,
): Promise<ForkRecord> {
  const changesTtl = [body.ttlHours, body.ttlMinutes, body.expiresAt].some((v) => v !== undefined);
  const extended = changesTtl ? await changeExpiry(rt, ref, caller, body) : undefined;
  if (body.refreshSchedule === undefined && extended) return extended;
  return changeRefreshSchedule(rt, extended?.id ?? ref, caller, body.refreshSchedule ?? null);
}

export async function patchForkRoute(
  request: ApiRequest,
  rt: RuntimeWith<'store' | 'schedules'>,
): Promise<ApiResponse> {
  const { id } = parseParams(request, forkRefParamsSchema);
  const body = parseBody(request, patchForkBodySchema);
  return { statusCode: 200, body: toPublicFork(await patchFork(rt, id, request.caller, body)) };
}
