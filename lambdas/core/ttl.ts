import type { ForkPolicy } from './config.js';
import { ValidationError } from './errors.js';

/**
 * A fork's time to live: `ttlHours` counts from now and an explicit `expiresAt` must fall between a
 * short lead time from now and now + the configured maximum TTL.
 */
export const HOUR_MS = 3_600_000;

/** An expiry closer than this could pass before its one-time schedule exists; delete the fork instead. */
export const MIN_EXPIRY_LEAD_MINUTES = 5;

export function expiryAfter(now: Date, hours: number): string {
  return new Date(now.getTime() + hours * HOUR_MS).toISOString();
}

/** Hours from now to `expiresAt`, rounded up, at least 1 (the `ttlHours` kept with the record). */
export function hoursUntil(now: Date, expiresAt: string): number {
  return Math.max(1, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / HOUR_MS));
}

/** Refuses a TTL above the configured maximum, naming it. */
export function assertTtlAllowed(hours: number, policy: ForkPolicy, path = 'ttlHours'): void {
  const max = policy.ttl.maxHours;
  if (hours > max) {
    throw new ValidationError(`ttlHours ${hours} exceeds the maximum TTL of ${max} hours`, {
      details: [{ path, message: `must be at most ${max}`, maxHours: max }],
    });
  }
}

/** Checks an explicit expiry time; returns it normalised to UTC with its ttlHours. */
export function checkExpiresAt(
  expiresAt: string,
  now: Date,
  policy: ForkPolicy,
  path = 'expiresAt',
): { expiresAt: string; ttlHours: number } {
  const at = new Date(expiresAt);
  const earliest = new Date(now.getTime() + MIN_EXPIRY_LEAD_MINUTES * 60_000);
  const latest = new Date(now.getTime() + policy.ttl.maxHours * HOUR_MS);
  if (at.getTime() < earliest.getTime()) {
    throw new ValidationError(
      `expiresAt ${expiresAt} is ${at.getTime() <= now.getTime() ? 'in the past' : 'too soon'}: give a time at least ${MIN_EXPIRY_LEAD_MINUTES} minutes from now (to remove the fork now, DELETE it)`,
      {
        details: [
          { path, message: `must be after ${earliest.toISOString()}`, earliest: earliest.toISOString() },
        ],
      },
    );
  }
  if (at.getTime() > latest.getTime()) {
    throw new ValidationError(
      `expiresAt ${expiresAt} is beyond the maximum TTL of ${policy.ttl.maxHours} hours from now (${latest.toISOString()})`,
      {
        details: [
          {
            path,
            message: `must be at most ${policy.ttl.maxHours} hours from now`,
            maxHours: policy.ttl.maxHours,
            latest: latest.toISOString(),
          },
        ],
      },
    );
  }
  const normalised = at.toISOString();
  return { expiresAt: normalised, ttlHours: hoursUntil(now, normalised) };
}
