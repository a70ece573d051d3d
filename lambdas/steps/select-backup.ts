import type { Backup, EngineStrategy, SourceDatabase } from '../core/engines/engine.js';
import { BackupNotFoundError } from '../core/errors.js';
import type { ResolvedRestore } from '../core/fork.js';
import { forkSource } from '../core/fork-source.js';
import { freshSnapshotId } from '../core/ids.js';
import { checkRestoreWindow, snapshotIdOf } from '../core/restore-window.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { forkTags, TAG } from '../core/tags.js';
import { type DatabaseTarget, databaseTarget, recordProgress } from './database-target.js';
import { defineStep, waitStarts } from './step.js';

/** The newest usable backup of the source itself, never a snapshot another fork took (it goes with that fork). */
function newestAvailable(backups: Backup[]): Backup | undefined {
  return backups.find((b) => b.status === 'available' && b.tags?.[TAG.managed] !== 'true');
}

async function resolve(
  target: DatabaseTarget,
  engine: EngineStrategy,
  source: SourceDatabase,
  rt: RuntimeWith<'engines' | 'store'>,
): Promise<{ resolved: ResolvedRestore; ready: boolean }> {
  const requested = target.restore.requested;
  switch (requested.type) {
    case 'latest-backup': {
      const backup = newestAvailable(await engine.listBackups(source));
      if (!backup) {
        throw new BackupNotFoundError(
          `${source.id} has no available snapshot; fork it with restore type "point-in-time" or "fresh-snapshot"`,
        );
      }
      return { resolved: { snapshotId: backup.id }, ready: true };
    }
    case 'snapshot': {
      const snapshotId = snapshotIdOf(requested.snapshotId);
      const backup = await engine.describeSnapshot(snapshotId);
      if (!backup || (backup.sourceId && backup.sourceId !== source.id)) {
        throw new BackupNotFoundError(
          `no snapshot "${snapshotId}" of ${source.id}; see GET /v1/sources/${source.id}/backups`,
        );
      }
      if (backup.status !== 'available') {
        throw new BackupNotFoundError(`snapshot "${snapshotId}" is ${backup.status}, not available`);
      }
      return { resolved: { snapshotId }, ready: true };
    }
    case 'point-in-time': {
      if (requested.latest) return { resolved: { useLatestRestorableTime: true }, ready: true };
      const time = requested.time ?? '';
      checkRestoreWindow(source, time);
      return { resolved: { restoreTime: new Date(time).toISOString() }, ready: true };
    }
    case 'clone':
      return { resolved: { useLatestRestorableTime: true }, ready: true };
    case 'fresh-snapshot': {
      const snapshotId = freshSnapshotId(target.databaseId);
      await recordProgress(target, rt, 'snapshotting-source', `snapshotting ${source.id} as ${snapshotId}`);
      await engine.createSnapshot(source, snapshotId, forkTags(target.fork));
      return { resolved: { snapshotId }, ready: false };
    }
  }
}

/**
 * Turns the restore request (the fork's, or its refresh's) into exactly one snapshot or time, kept
 * in the record as lineage.
 */
export const step = defineStep('select-backup', [parts.store, parts.engines], async (state, rt) => {
  const target = await databaseTarget(state, rt);
  // A retry after a fresh snapshot was started finds it at snapshotting-source: never step back.
  if (target.step !== 'snapshotting-source') {
    await recordProgress(
      target,
      rt,
      'selecting-backup',
      `choosing a ${target.restore.requested.type} backup`,
    );
  }
  const { engine, source } = await forkSource(target.fork, rt);
  const { resolved, ready } = await resolve(target, engine, source, rt);
  const message = resolved.snapshotId
    ? `restoring from snapshot ${resolved.snapshotId}`
    : `restoring to ${resolved.restoreTime ?? 'the latest restorable time'}`;
  await recordProgress(target, rt, ready ? 'selecting-backup' : 'snapshotting-source', message, resolved);
  return waitStarts(ready);
});
export const handler = step.handler;
