import { describe, expect, it } from 'vitest';
import { forkPolicySchema } from '../../../lambdas/core/config.js';
import { ValidationError } from '../../../lambdas/core/errors.js';
import { isAdmin, principalMatches } from '../../../lambdas/core/principals.js';
import {
  checkExpiresAt,
  expiryAfter,
  expiryAfterMinutes,
  hoursUntil,
  minutesUntil,
  requestedTtl,
} from '../../../lambdas/core/ttl.js';

const ROLE = 'arn:aws:iam::123456789012:role/platform/dbfork-admin';

describe('principalMatches', () => {
  it.each([
    ['the same ARN', ROLE, ROLE, true],
    ['a session of the role', 'arn:aws:sts::123456789012:assumed-role/dbfork-admin/carol', ROLE, true],
    ['a session of another role', 'arn:aws:sts::123456789012:assumed-role/developer/carol', ROLE, false],
    [
      'a session in another account',
      'arn:aws:sts::210987654321:assumed-role/dbfork-admin/carol',
      ROLE,
      false,
    ],
    [
      'a session in another partition',
      'arn:aws-cn:sts::123456789012:assumed-role/dbfork-admin/carol',
      ROLE,
      false,
    ],
    ['a user', 'arn:aws:iam::123456789012:user/dbfork-admin', ROLE, false],
    [
      'another session when a session is configured',
      'arn:aws:sts::123456789012:assumed-role/dbfork-admin/dave',
      'arn:aws:sts::123456789012:assumed-role/dbfork-admin/carol',
      false,
    ],
  ])('is %s → %s', (_case, caller, configured, expected) => {
    expect(principalMatches(caller, configured)).toBe(expected);
  });

  it('finds no admin when none is configured', () => {
    expect(isAdmin(ROLE, [])).toBe(false);
  });
});

describe('checkExpiresAt', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const policy = forkPolicySchema.parse({ ttl: { defaultHours: 24, maxHours: 48 } });

  it('returns the time in UTC with the hours and minutes until it, rounded up', () => {
    expect(checkExpiresAt('2026-11-21T01:30:00+01:00', now, policy)).toEqual({
      expiresAt: '2026-11-21T00:30:00.000Z',
      ttlHours: 13,
      ttlMinutes: 750,
    });
  });

  it('accepts exactly now + max TTL and refuses a second more', () => {
    expect(checkExpiresAt('2026-11-22T12:00:00Z', now, policy).ttlHours).toBe(48);
    expect(() => checkExpiresAt('2026-11-22T12:00:01Z', now, policy)).toThrow(ValidationError);
  });

  it('computes expiry and hours consistently', () => {
    expect(hoursUntil(now, expiryAfter(now, 5))).toBe(5);
    expect(minutesUntil(now, expiryAfterMinutes(now, 90))).toBe(90);
  });

  it('needs 5 minutes of lead time by default, and only the minimum TTL when that is shorter', () => {
    expect(() => checkExpiresAt('2026-11-20T12:04:59Z', now, policy)).toThrow(/at least 5 minutes from now/);
    const offline = forkPolicySchema.parse({ ttl: { minMinutes: 1 } });
    expect(checkExpiresAt('2026-11-20T12:01:00Z', now, offline)).toMatchObject({
      ttlMinutes: 1,
      ttlHours: 1,
    });
    expect(() => checkExpiresAt('2026-11-20T12:00:59Z', now, offline)).toThrow(/at least 1 minute from now/);
  });
});

describe('requestedTtl', () => {
  const policy = forkPolicySchema.parse({ ttl: { defaultHours: 24, maxHours: 48, minMinutes: 30 } });

  it.each([
    ['the default', {}, { minutes: 1440, hours: 24 }],
    ['whole hours', { ttlHours: 2 }, { minutes: 120, hours: 2 }],
    ['minutes, rounded up to hours', { ttlMinutes: 61 }, { minutes: 61, hours: 2 }],
    ['exactly the minimum', { ttlMinutes: 30 }, { minutes: 30, hours: 1 }],
    ['exactly the maximum', { ttlMinutes: 2880 }, { minutes: 2880, hours: 48 }],
  ])('takes %s', (_case, request, expected) => {
    expect(requestedTtl(request, policy)).toEqual(expected);
  });

  it.each([
    [{ ttlMinutes: 29 }, 'ttlMinutes 29 is below the minimum TTL of 30 minutes'],
    [{ ttlMinutes: 2881 }, 'ttlMinutes 2881 exceeds the maximum TTL of 48 hours (2880 minutes)'],
    [{ ttlHours: 49 }, 'ttlHours 49 exceeds the maximum TTL of 48 hours'],
  ])('refuses %o naming the bound', (request, message) => {
    expect(() => requestedTtl(request, policy)).toThrow(message);
  });
});

describe('forkPolicySchema ttl', () => {
  it('defaults the minimum TTL to one hour', () => {
    expect(forkPolicySchema.parse({}).ttl).toEqual({ defaultHours: 24, maxHours: 720, minMinutes: 60 });
    expect(forkPolicySchema.parse({ ttl: { maxHours: 48 } }).ttl.minMinutes).toBe(60);
  });

  it('refuses a minimum TTL longer than the default TTL, naming ttl.minMinutes', () => {
    const parsed = forkPolicySchema.safeParse({ ttl: { defaultHours: 1, minMinutes: 61 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['ttl.minMinutes', 'ttl.minMinutes must not exceed ttl.defaultHours (in minutes)'],
    ]);
  });
});
