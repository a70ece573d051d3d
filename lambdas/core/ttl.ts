import type { ForkPolicy } from './config.js';
import { ValidationError } from './errors.js';

/**
 * A fork's time to live. A request gives `ttlHours` or `ttlMinutes` (counted from now), which must
 * fall between the policy's `ttl.minMinutes` and `ttl.maxHours`, or, on PATCH, an explicit
 * `expiresAt` (see {@link checkExpiresAt}). The record keeps both units: `ttlMinutes` as asked, and `ttlHours` (that
 * rounded up to whole hours, at least 1) for readers written before minute TTLs.
 */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** An expiry closer than this could pass before its one-time schedule exists; delete the fork instead. */
export const MIN_EXPIRY_LEAD_MINUTES = 5;

/** A TTL in both units the record keeps. */
export interface Ttl {
  minutes: number;
  /** `minutes` rounded up to whole hours, at least 1. */
  hours: number;
}

/** What a create or PATCH body may say about the TTL. */
export interface TtlRequest {
  ttlHours?: number | undefined;
  ttlMinutes?: number | undefined;
}

export function ttlOfMinutes(minutes: number): Ttl {
  return { minutes, hours: Math.max(1, Math.ceil(minutes / 60)) };
}

export function expiryAfter(now: Date, hours: number): string {
  return new Date(now.getTime() + hours * HOUR_MS).toISOString();
}

export function expiryAfterMinutes(now: Date, minutes: number): string {
  return new Date(now.getTime() + minutes * MINUTE_MS).toISOString();
}

/** Hours from now to `expiresAt`, rounded up, at least 1 (the `ttlHours` kept with the record). */
export function hoursUntil(now: Date, expiresAt: string): number {
  return Math.max(1, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / HOUR_MS));
}

/** Minutes from now to `expiresAt`, rounded up, at least 1. */
export function minutesUntil(now: Date, expiresAt: string): number {
  return Math.max(1, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / MINUTE_MS));
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "1 minute", "90 minutes", "2 hours (120 minutes)". */
function describeMinutes(minutes: number): string {
  return minutes % 60 === 0 && minutes >= 120
    ? `${plural(minutes / 60, 'hour')} (${minutes} minutes)`
    : plural(minutes, 'minute');
}

/** Refuses a TTL above `ttl.maxHours` or below `ttl.minMinutes`, naming the bound. */
export function assertTtlAllowed(hours: number, policy: ForkPolicy, path = 'ttlHours'): void {
  const max = policy.ttl.maxHours;
  if (hours > max) {
    throw new ValidationError(`ttlHours ${hours} exceeds the maximum TTL of ${max} hours`, {
      details: [{ path, message: `must be at most ${max}`, maxHours: max }],
    });
  }
  const min = policy.ttl.minMinutes;
  if (hours * 60 < min) {
    const minHours = Math.ceil(min / 60);
    throw new ValidationError(
      `ttlHours ${hours} is below the minimum TTL of ${describeMinutes(min)}; give at least ${minHours}`,
      { details: [{ path, message: `must be at least ${minHours}`, minMinutes: min }] },
    );
  }
}

/** Refuses a minute TTL below `ttl.minMinutes` or above `ttl.maxHours`, naming the bound. */
export function assertTtlMinutesAllowed(minutes: number, policy: ForkPolicy, path = 'ttlMinutes'): void {
  const min = policy.ttl.minMinutes;
  if (minutes < min) {
    throw new ValidationError(`ttlMinutes ${minutes} is below the minimum TTL of ${describeMinutes(min)}`, {
      details: [{ path, message: `must be at least ${min}`, minMinutes: min }],
    });
  }
  const maxHours = policy.ttl.maxHours;
  const max = maxHours * 60;
  if (minutes > max) {
    throw new ValidationError(
      `ttlMinutes ${minutes} exceeds the maximum TTL of ${maxHours} hours (${max} minutes)`,
      { details: [{ path, message: `must be at most ${max}`, maxHours, maxMinutes: max }] },
    );
  }
}

/**
 * The TTL a request asks for (`ttlMinutes` or `ttlHours`, the schemas allow one), or the policy's
 * default when it names none; checked against the policy's bounds.
 */
export function requestedTtl(request: TtlRequest, policy: ForkPolicy): Ttl {
  if (request.ttlMinutes !== undefined) {
    assertTtlMinutesAllowed(request.ttlMinutes, policy);
    return ttlOfMinutes(request.ttlMinutes);
  }
  const hours = request.ttlHours ?? policy.ttl.defaultHours;
  assertTtlAllowed(hours, policy);
  return { minutes: hours * 60, hours };
}

/**
 * Checks an explicit expiry time; returns it normalised to UTC with its TTL from now (rounded up).
 * It may shorten a fork's life below `ttl.minMinutes` (a caller done early), but must be at least
 * {@link MIN_EXPIRY_LEAD_MINUTES} from now, or `ttl.minMinutes` when the policy allows shorter TTLs
 * (the offline mode, whose runtime fires due schedules itself), and at most `ttl.maxHours`.
 */
export function checkExpiresAt(
  expiresAt: string,
  now: Date,
  policy: ForkPolicy,
  path = 'expiresAt',
): { expiresAt: string; ttlHours: number; ttlMinutes: number } {
  const at = new Date(expiresAt);
  const leadMinutes = Math.min(MIN_EXPIRY_LEAD_MINUTES, policy.ttl.minMinutes);
  const earliest = new Date(now.getTime() + leadMinutes * MINUTE_MS);
  const latest = new Date(now.getTime() + policy.ttl.maxHours * HOUR_MS);
  if (at.getTime() < earliest.getTime()) {
    throw new ValidationError(
      `expiresAt ${expiresAt} is ${at.getTime() <= now.getTime() ? 'in the past' : 'too soon'}: give a time at least ${plural(leadMinutes, 'minute')} from now (to remove the fork now, DELETE it)`,
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
  return {
    expiresAt: normalised,
    ttlHours: hoursUntil(now, normalised),
    ttlMinutes: minutesUntil(now, normalised),
  };
}
