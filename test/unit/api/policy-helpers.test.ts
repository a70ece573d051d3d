import { describe, expect, it } from 'vitest';
import { forkPolicySchema } from '../../../lambdas/core/config.js';
import { ValidationError } from '../../../lambdas/core/errors.js';
import { isAdmin, principalMatches } from '../../../lambdas/core/principals.js';
import { checkExpiresAt, expiryAfter, hoursUntil } from '../../../lambdas/core/ttl.js';

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

  it('returns the time in UTC with the hours until it, rounded up', () => {
    expect(checkExpiresAt('2026-11-21T01:30:00+01:00', now, policy)).toEqual({
      expiresAt: '2026-11-21T00:30:00.000Z',
      ttlHours: 13,
    });
  });

  it('accepts exactly now + max TTL and refuses a second more', () => {
    expect(checkExpiresAt('2026-11-22T12:00:00Z', now, policy).ttlHours).toBe(48);
    expect(() => checkExpiresAt('2026-11-22T12:00:01Z', now, policy)).toThrow(ValidationError);
  });

  it('computes expiry and hours consistently', () => {
    expect(hoursUntil(now, expiryAfter(now, 5))).toBe(5);
  });
});
