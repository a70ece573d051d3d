import { describe, expect, it } from 'vitest';
import { collectTag, parseDuration, parseFrom, parseTtl } from '../../../cli/args.js';
import { UsageError } from '../../../cli/errors.js';

describe('parseDuration', () => {
  it.each([
    ['90m', 90 * 60_000],
    ['24h', 24 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['2h30m', 150 * 60_000],
    [' 1H ', 3_600_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads seconds only where they are allowed (timeouts, not TTLs)', () => {
    expect(parseDuration('30s', { allowSeconds: true })).toBe(30_000);
    expect(() => parseDuration('30s', { what: 'TTL' })).toThrow('TTL "30s" has seconds');
  });

  it.each(['', '5', 'm', '5x', '1.5h', '-1h', '1h 30m', 'h1', '30m2h'])(
    'refuses "%s" with a usage error',
    (text) => {
      expect(() => parseDuration(text)).toThrow(UsageError);
    },
  );

  it('refuses a zero duration', () => {
    expect(() => parseDuration('0m', { what: 'TTL' })).toThrow('TTL "0m" must be longer than zero');
  });
});

describe('parseTtl', () => {
  it.each([
    ['24h', { ttlHours: 24 }],
    ['7d', { ttlHours: 168 }],
    ['120m', { ttlHours: 2 }],
    ['90m', { ttlMinutes: 90 }],
    ['1m', { ttlMinutes: 1 }],
    ['1d30m', { ttlMinutes: 1470 }],
  ])('sends %s as %o (whole hours stay hours, for APIs older than minute TTLs)', (text, body) => {
    expect(parseTtl(text)).toEqual(body);
  });

  it('exits with the usage code for a bad TTL', () => {
    expect(() => parseTtl('soon')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('parseFrom', () => {
  it.each([
    ['latest', { type: 'latest-backup' }],
    ['latest-backup', { type: 'latest-backup' }],
    ['snapshot:orders-manual-1', { type: 'snapshot', snapshotId: 'orders-manual-1' }],
    ['snapshot:rds:orders-2026-11-20-10-00', { type: 'snapshot', snapshotId: 'rds:orders-2026-11-20-10-00' }],
    ['time:2026-11-20T10:00:00Z', { type: 'point-in-time', time: '2026-11-20T10:00:00Z' }],
    ['time:2026-11-20T10:00:00.250+02:00', { type: 'point-in-time', time: '2026-11-20T10:00:00.250+02:00' }],
    ['latest-time', { type: 'point-in-time', latest: true }],
    ['clone', { type: 'clone' }],
    ['fresh', { type: 'fresh-snapshot' }],
  ])('reads %s', (text, restore) => {
    expect(parseFrom(text)).toEqual(restore);
  });

  it.each([
    ['yesterday', 'is not one of latest, snapshot:<id>'],
    ['snapshot:', 'needs a snapshot id'],
    ['time:2026-11-20T10:00:00', 'with a zone'],
    ['time:2026-13-45T10:00:00Z', 'is not an ISO-8601 time'],
    ['time:tomorrow', 'is not an ISO-8601 time'],
  ])('refuses %s', (text, message) => {
    expect(() => parseFrom(text)).toThrow(message);
  });
});

describe('collectTag', () => {
  it('collects repeated --tag k=v into one object, keeping = and spaces in values', () => {
    const tags = ['team=payments', 'pr=1234', 'query=a=b', 'note=two words', 'empty='].reduce<
      Record<string, string>
    >((acc, t) => collectTag(t, acc), {});
    expect(tags).toEqual({ team: 'payments', pr: '1234', query: 'a=b', note: 'two words', empty: '' });
  });

  it.each([
    ['team', 'is not key=value'],
    ['=payments', 'is not key=value'],
  ])('refuses %s', (text, message) => {
    expect(() => collectTag(text)).toThrow(message);
  });

  it('refuses a key given twice', () => {
    expect(() => collectTag('team=b', { team: 'a' })).toThrow('--tag team is given twice');
  });
});
