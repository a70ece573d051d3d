/**
 * Parsing of the CLI's own argument forms: durations (`90m`, `24h`, `7d`, `1d12h`), restore
 * sources (`--from`), tags (`--tag k=v`). Every problem is a UsageError saying what would work.
 */
import { UsageError } from './errors.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90m`, `24h`, `7d`, `1d12h`, `30s` (when seconds are allowed) → milliseconds. */
export function parseDuration(text: string, options: { allowSeconds?: boolean; what?: string } = {}): number {
  const what = options.what ?? 'duration';
  const trimmed = text.trim().toLowerCase();
  const match = DURATION.exec(trimmed);
  const example = options.allowSeconds ? '30s, 90m, 24h, 7d' : '90m, 24h, 7d, 1d12h';
  if (!match || trimmed === '') {
    throw new UsageError(`${what} "${text}" is not a duration like ${example}`);
  }
  const [, d, h, m, s] = match;
  if (s !== undefined && !options.allowSeconds) {
    throw new UsageError(`${what} "${text}" has seconds; give whole minutes, hours or days like ${example}`);
  }
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  if (ms <= 0) throw new UsageError(`${what} "${text}" must be longer than zero`);
  return ms;
}

/** The TTL body fields for a duration: whole hours as `ttlHours`, anything else as `ttlMinutes`. */
export type TtlFields = { ttlHours: number } | { ttlMinutes: number };

export function parseTtl(text: string): TtlFields {
  const minutes = parseDuration(text, { what: 'TTL' }) / UNIT_MS.m;
  return minutes % 60 === 0 ? { ttlHours: minutes / 60 } : { ttlMinutes: minutes };
}

/** The API's restore request (DESIGN.md §1). */
export type RestoreRequest =
  | { type: 'latest-backup' }
  | { type: 'snapshot'; snapshotId: string }
  | { type: 'point-in-time'; time: string }
  | { type: 'point-in-time'; latest: true }
  | { type: 'clone' }
  | { type: 'fresh-snapshot' };

export const FROM_FORMS = 'latest, snapshot:<id>, time:<iso>, latest-time, clone or fresh';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** `--iops`: a whole number; the API checks the range the class and storage type allow. */
export function parseIops(text: string): number {
  const value = text.trim();
  if (!/^\d+$/.test(value)) throw new UsageError(`--iops "${text}" is not a whole number like 3000`);
  return Number(value);
}

/** `--from`: latest | snapshot:<id> | time:<iso> | latest-time | clone | fresh. */
export function parseFrom(text: string): RestoreRequest {
  const value = text.trim();
  switch (value) {
    case 'latest':
    case 'latest-backup':
      return { type: 'latest-backup' };
    case 'latest-time':
      return { type: 'point-in-time', latest: true };
    case 'clone':
      return { type: 'clone' };
    case 'fresh':
    case 'fresh-snapshot':
      return { type: 'fresh-snapshot' };
  }
  if (value.startsWith('snapshot:')) {
    const snapshotId = value.slice('snapshot:'.length);
    if (!snapshotId)
      throw new UsageError('--from snapshot: needs a snapshot id, e.g. snapshot:orders-manual-1');
    return { type: 'snapshot', snapshotId };
  }
  if (value.startsWith('time:')) {
    const time = value.slice('time:'.length);
    if (!ISO_TIME.test(time) || Number.isNaN(Date.parse(time))) {
      throw new UsageError(
        `--from time:${time} is not an ISO-8601 time with a zone; give e.g. time:2026-11-20T10:00:00Z`,
      );
    }
    return { type: 'point-in-time', time };
  }
  throw new UsageError(`--from "${text}" is not one of ${FROM_FORMS}`);
}

/** A readable name of a restore request, for messages. */
export function describeRestore(restore: {
  type: string;
  snapshotId?: string;
  time?: string;
  latest?: boolean;
}): string {
  switch (restore.type) {
    case 'latest-backup':
      return 'the latest backup';
    case 'snapshot':
      return `snapshot ${restore.snapshotId ?? ''}`.trim();
    case 'point-in-time':
      return restore.latest ? 'the latest restorable time' : `the state at ${restore.time ?? '?'}`;
    case 'clone':
      return 'a copy-on-write clone';
    case 'fresh-snapshot':
      return 'a fresh snapshot';
    default:
      return restore.type;
  }
}

/** Commander collector for a repeatable `--tag k=v`. */
export function collectTag(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--tag "${text}" is not key=value, e.g. --tag team=payments`);
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 1);
  if (!key) throw new UsageError(`--tag "${text}" has no key`);
  if (Object.hasOwn(previous, key)) throw new UsageError(`--tag ${key} is given twice`);
  return { ...previous, [key]: value };
}

/** Positive whole number option (e.g. --limit). */
export function parsePositiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new UsageError(`${what} must be a whole number above 0`);
  return Number(text);
}
