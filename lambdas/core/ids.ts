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

/**
 * The database a fork's refresh number `attempt` builds: `<fork id>-r<attempt>`, still `fork-…`
 * (IAM's `fork-*` ARNs, the RDS event rule's prefix) and tagged with the fork id like the first one.
 */
export function refreshDatabaseId(forkId: string, attempt: number): string {
  return `${forkId}-r${attempt}`;
}

/** Snapshot dbfork takes of the source for a `fresh-snapshot` restore of a fork database. */
export function freshSnapshotId(databaseId: string): string {
  return `${databaseId}-source`;
}

/** The writer instance dbfork adds to a fork cluster (a restored cluster has no instances). */
export function writerInstanceId(databaseId: string): string {
  return `${databaseId}-1`;
}

export function secretName(forkId: string): string {
  return `dbfork/${forkId}`;
}

/** The one-time schedule that starts the fork's delete workflow at its expiry. */
export function scheduleName(forkId: string): string {
  return `dbfork-${forkId}`;
}

/** The schedule of a fork's recurring refresh (same group as its expiry schedule). */
export function refreshScheduleName(forkId: string): string {
  return `dbfork-${forkId}-refresh`;
}

/** The one-time schedule that announces the fork's coming expiry (`Fork Expiring`). */
export function warningScheduleName(forkId: string): string {
  return `dbfork-warn-${forkId}`;
}

/**
 * The fork a schedule of dbfork's group belongs to (its expiry, its warning or its recurring
 * refresh), or undefined.
 */
export function forkIdOfScheduleName(name: string): string | undefined {
  const match = /^dbfork-(?:warn-)?(fork-[a-z0-9]{12})$|^dbfork-(fork-[a-z0-9]{12})-refresh$/.exec(name);
  const forkId = match?.[1] ?? match?.[2];
  return forkId !== undefined && FORK_ID_PATTERN.test(forkId) ? forkId : undefined;
}
