import { describe, expect, it } from 'vitest';
import { cronMatches, cronProblem } from '../../../lambdas/core/cron.js';

describe('cronProblem (EventBridge Scheduler cron expressions)', () => {
  it.each([
    'cron(0 3 * * ? *)',
    'cron(15 10 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(0 18 ? * 6L 2027)',
    'cron(0 9 ? * 3#2 *)',
    'cron(0 8 L * ? *)',
    'cron(0 8 15W JAN,JUL ? *)',
    'cron(5,35 1-5 1 */2 ? 2026-2030)',
  ])('accepts %s', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(1 day)', /must look like cron/],
    ['cron(0 3 * *)', /has 4 fields/],
    ['cron(0 3 * * ? * *)', /has 7 fields/],
    ['cron(60 3 * * ? *)', /minutes "60"/],
    ['cron(0 3 32 * ? *)', /day-of-month "32"/],
    ['cron(0 3 * 13 ? *)', /month "13"/],
    ['cron(0 3 ? * 8 *)', /day-of-week "8"/],
    ['cron(0 3 * * * *)', /"\?" in the other/],
    ['cron(0 3 ? * ? *)', /"\?" in the other/],
    ['cron(? 3 * * ? *)', /minutes cannot be "\?"/],
    ['cron(0 3 ? * 3#1,6#3 *)', /single expression/],
    ['cron(0 3 * * ? 1969)', /year "1969"/],
    ['cron(0 5-3 * * ? *)', /hours "5-3"/],
  ])('refuses %s', (expression, problem) => {
    expect(cronProblem(expression)).toMatch(problem);
  });
});

describe('cronMatches (the offline scheduler)', () => {
  const at = (iso: string) => new Date(iso);

  it('matches the minutes an expression names, in UTC, day-of-week 1 = Sunday', () => {
    expect(cronMatches('cron(0 3 * * ? *)', at('2026-11-20T03:00:59Z'))).toBe(true);
    expect(cronMatches('cron(0 3 * * ? *)', at('2026-11-20T03:01:00Z'))).toBe(false);
    // 2026-11-22 is a Sunday.
    expect(cronMatches('cron(30 12 ? * SUN *)', at('2026-11-22T12:30:00Z'))).toBe(true);
    expect(cronMatches('cron(30 12 ? * 1 *)', at('2026-11-22T12:30:00Z'))).toBe(true);
    expect(cronMatches('cron(30 12 ? * MON-FRI *)', at('2026-11-22T12:30:00Z'))).toBe(false);
    expect(cronMatches('cron(0/20 * * * ? *)', at('2026-11-22T07:40:00Z'))).toBe(true);
    expect(cronMatches('cron(0/20 * * * ? *)', at('2026-11-22T07:41:00Z'))).toBe(false);
    expect(cronMatches('cron(0 0 1 JAN ? 2027)', at('2027-01-01T00:00:00Z'))).toBe(true);
  });

  it('does not evaluate L, W and # (undefined), nor an invalid expression', () => {
    expect(cronMatches('cron(0 8 L * ? *)', at('2026-11-30T08:00:00Z'))).toBeUndefined();
    expect(cronMatches('cron(0 9 ? * 3#2 *)', at('2026-11-10T09:00:00Z'))).toBeUndefined();
    expect(cronMatches('cron(0 3 * * * *)', at('2026-11-20T03:00:00Z'))).toBeUndefined();
  });
});
