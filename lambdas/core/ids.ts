import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/**
 * Fork ids double as the fork's database identifier and the create execution name, so they obey
 * the RDS identifier rules: letter first, letters/digits/hyphens, no `--`, no trailing hyphen.
 */
export function newForkId(): string {
  return `fork-${randomString(12)}`;
}

export const FORK_ID_PATTERN = /^fork-[a-z0-9]{12}$/;

/** DNS-label safe, and a valid RDS identifier, so a name can never collide with AWS's rules. */
export const FORK_NAME_PATTERN = /^[a-z](?!.*--)[a-z0-9-]{0,38}[a-z0-9]$/;

/** Snapshot dbfork takes of the source for a `fresh-snapshot` restore. */
export function freshSnapshotId(forkId: string): string {
  return `${forkId}-source`;
}

/** The writer instance dbfork adds to a fork cluster (a restored cluster has no instances). */
export function writerInstanceId(forkId: string): string {
  return `${forkId}-1`;
}

export function secretName(forkId: string): string {
  return `dbfork/${forkId}`;
}

/** The one-time schedule that starts the fork's delete workflow at its expiry. */
export function scheduleName(forkId: string): string {
  return `dbfork-${forkId}`;
}

/** The one-time schedule that announces the fork's coming expiry (`Fork Expiring`). */
export function warningScheduleName(forkId: string): string {
  return `dbfork-warn-${forkId}`;
}

/** The fork a schedule of dbfork's group belongs to (its expiry or its warning), or undefined. */
export function forkIdOfScheduleName(name: string): string | undefined {
  const forkId = /^dbfork-(?:warn-)?(fork-[a-z0-9]{12})$/.exec(name)?.[1];
  return forkId !== undefined && FORK_ID_PATTERN.test(forkId) ? forkId : undefined;
}
