import type { SourceDatabase } from './engines/engine.js';
import { RestoreWindowError } from './errors.js';

/**
 * The checks of a restore request that need only the request and the described source: shared by
 * the API (refused before anything is written) and the select-backup step (which restores).
 */

/** Snapshot ARNs become identifiers: restoring by an automated snapshot's ARN is not portable. */
export function snapshotIdOf(ref: string): string {
  const match = /:(?:cluster-)?snapshot:(.+)$/.exec(ref);
  return match?.[1] ?? ref;
}

/** Checks a requested time against the source's restorable window ourselves, answering with the window. */
export function checkRestoreWindow(source: SourceDatabase, time: string): void {
  const { earliest, latest } = source.restorableWindow;
  const at = new Date(time).getTime();
  const window = { earliestRestorableTime: earliest ?? null, latestRestorableTime: latest ?? null };
  if (!earliest || !latest) {
    throw new RestoreWindowError(
      `${source.id} has no point-in-time window (are automated backups enabled?)`,
      {
        details: [{ path: 'restore.time', message: 'no restorable window', ...window }],
      },
    );
  }
  if (at < new Date(earliest).getTime() || at > new Date(latest).getTime()) {
    throw new RestoreWindowError(
      `${time} is outside ${source.id}'s restorable window [${earliest}, ${latest}]`,
      {
        details: [{ path: 'restore.time', message: 'outside the restorable window', ...window }],
      },
    );
  }
}
