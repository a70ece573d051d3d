import { NotManagedResourceError } from './errors.js';
import type { ForkRecord } from './fork.js';

/** The tags that mark what dbfork created, and the guard every destructive call passes first. */
export const TAG = {
  managed: 'dbfork:managed',
  forkId: 'dbfork:fork-id',
  expiresAt: 'dbfork:expires-at',
  owner: 'dbfork:owner',
  allowFork: 'dbfork:allow-fork',
  /** On a warm-pool member's database: the source whose pool it is in (lambdas/core/pool-records.ts). */
  pool: 'dbfork:pool',
} as const;

export interface AwsTag {
  Key: string;
  Value: string;
}

/** RDS tag values allow letters, digits, spaces and _.:/=+-@ only; STS session names may hold ','. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

export function forkTags(fork: Pick<ForkRecord, 'id' | 'expiresAt' | 'owner' | 'tags'>): AwsTag[] {
  return [
    { Key: TAG.managed, Value: 'true' },
    { Key: TAG.forkId, Value: fork.id },
    { Key: TAG.expiresAt, Value: fork.expiresAt },
    { Key: TAG.owner, Value: tagValue(fork.owner) },
    ...Object.entries(fork.tags).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** The fork id a set of fork tags names ('' when none). */
export function forkIdOf(tags: readonly AwsTag[]): string {
  return tags.find((t) => t.Key === TAG.forkId)?.Value ?? '';
}

export function tagMap(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
) {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) out[tag.Key] = tag.Value ?? '';
  return out;
}

export function isManagedBy(tags: Record<string, string>, forkId: string): boolean {
  return tags[TAG.managed] === 'true' && tags[TAG.forkId] === forkId;
}

/** Safety invariant 1: refuse to modify or delete anything not tagged as this fork's. */
export function assertManagedBy(tags: Record<string, string>, forkId: string, resource: string): void {
  if (!isManagedBy(tags, forkId)) {
    throw new NotManagedResourceError(
      `refusing to modify ${resource}: it is not tagged ${TAG.managed}=true and ${TAG.forkId}=${forkId}`,
    );
  }
}
