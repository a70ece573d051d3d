import { describe, expect, it } from 'vitest';
import { expiryWarningInputSchema, expiryWarningTime } from '../../../lambdas/core/expiry-warning.js';
import {
  forkIdOfScheduleName,
  refreshScheduleName,
  scheduleName,
  warningScheduleName,
} from '../../../lambdas/core/ids.js';
import { FORK_ID } from './fixtures.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const inMinutes = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

describe('expiryWarningTime', () => {
  it('fires the configured lead time before the expiry when the fork has at least that left', () => {
    expect(expiryWarningTime(NOW, inMinutes(24 * 60), 60)).toBe(inMinutes(23 * 60));
    expect(expiryWarningTime(NOW, inMinutes(120), 60)).toBe(inMinutes(60));
    expect(expiryWarningTime(NOW, inMinutes(90), 60)).toBe(inMinutes(30));
    expect(expiryWarningTime(NOW, inMinutes(60), 60)).toBe(inMinutes(0));
    expect(expiryWarningTime(NOW, inMinutes(24 * 60), 15)).toBe(inMinutes(24 * 60 - 15));
  });

  it('fires halfway through the time left when that is less than the lead time', () => {
    expect(expiryWarningTime(NOW, inMinutes(59), 60)).toBe(inMinutes(29.5));
    expect(expiryWarningTime(NOW, inMinutes(45), 60)).toBe(inMinutes(22.5));
    expect(expiryWarningTime(NOW, inMinutes(1), 60)).toBe(inMinutes(0.5));
  });

  it('fires nothing for a fork already at or past its expiry', () => {
    expect(expiryWarningTime(NOW, NOW.toISOString(), 60)).toBeUndefined();
    expect(expiryWarningTime(NOW, inMinutes(-5), 60)).toBeUndefined();
  });
});

describe('expiry warning schedules', () => {
  it('names the warning schedule after the fork, next to its expiry schedule', () => {
    expect(warningScheduleName(FORK_ID)).toBe(`dbfork-warn-${FORK_ID}`);
  });

  it('finds the fork of each schedule of dbfork (expiry, warning, refresh), and of nothing else', () => {
    expect(forkIdOfScheduleName(scheduleName(FORK_ID))).toBe(FORK_ID);
    expect(forkIdOfScheduleName(warningScheduleName(FORK_ID))).toBe(FORK_ID);
    expect(forkIdOfScheduleName(refreshScheduleName(FORK_ID))).toBe(FORK_ID);
    for (const other of [
      'dbfork-warn-fork-ABCDEF123456',
      'dbfork-other-fork-abcdef123456',
      `x${scheduleName(FORK_ID)}`,
      `${warningScheduleName(FORK_ID)}-2`,
      `${warningScheduleName(FORK_ID)}-refresh`,
      `${refreshScheduleName(FORK_ID)}-2`,
      'dbfork-',
      FORK_ID,
    ]) {
      expect(forkIdOfScheduleName(other), other).toBeUndefined();
    }
  });

  it('accepts the input the schedule hands the function, and nothing else', () => {
    expect(expiryWarningInputSchema.parse({ forkId: FORK_ID, expiresAt: inMinutes(60) })).toEqual({
      forkId: FORK_ID,
      expiresAt: inMinutes(60),
    });
    for (const bad of [
      {},
      { forkId: 'pr-1234', expiresAt: inMinutes(60) },
      { forkId: FORK_ID, expiresAt: 'soon' },
      { forkId: FORK_ID, expiresAt: inMinutes(60), extra: true },
    ]) {
      expect(expiryWarningInputSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
