import type { EngineStrategy, SourceDatabase } from '../../core/engines/engine.js';
import { BackupNotFoundError, UnsupportedRestoreError } from '../../core/errors.js';
import type { EngineKind, RestoreRequest } from '../../core/fork.js';
import { checkRestoreWindow, snapshotIdOf } from '../../core/restore-window.js';
import type { RuntimeWith } from '../../core/runtime-types.js';

/** The checks of a restore request against its source, shared by POST /v1/forks and …/refresh. */

const KIND_LABELS: Record<EngineKind, string> = {
  'rds-instance': 'RDS instances',
  'aurora-cluster': 'Aurora clusters',
  'docdb-cluster': 'DocumentDB clusters',
};

/** The source's engine must restore this way (a clone is for clusters only), else 400 naming who can. */
export function assertRestoreSupported(
  rt: RuntimeWith<'engines'>,
  engine: EngineStrategy,
  source: SourceDatabase,
  type: RestoreRequest['type'],
) {
  if (engine.supportedRestores.includes(type)) return;
  const kinds = rt.engines
    .all()
    .filter((e) => e.supportedRestores.includes(type))
    .map((e) => e.kind);
  const by = kinds.length
    ? `it is for ${kinds.map((k) => KIND_LABELS[k]).join(' and ')}`
    : 'no engine here supports it';
  throw new UnsupportedRestoreError(
    `restore type "${type}" is not available for ${source.id} (${source.kind}, ${source.engine}): ${by}; ${source.id} supports ${engine.supportedRestores.join(', ')}`,
    {
      details: [
        {
          path: 'restore.type',
          message: `unsupported for ${source.kind}`,
          supportedBy: kinds,
          supported: [...engine.supportedRestores],
        },
      ],
    },
  );
}

/**
 * A point in time inside the source's restorable window; a snapshot that exists, is the source's
 * and is available: checked before anything is written (400 with what would work).
 */
export async function assertRestoreTarget(
  engine: EngineStrategy,
  source: SourceDatabase,
  restore: RestoreRequest,
) {
  if (restore.type === 'point-in-time' && restore.time !== undefined) {
    checkRestoreWindow(source, restore.time);
  }
  if (restore.type === 'snapshot') {
    const snapshotId = snapshotIdOf(restore.snapshotId);
    const backup = await engine.describeSnapshot(snapshotId);
    const hint = `see GET /v1/sources/${source.id}/backups`;
    if (!backup) {
      throw new BackupNotFoundError(`no snapshot "${snapshotId}" of ${source.id}; ${hint}`, {
        details: [{ path: 'restore.snapshotId', message: 'snapshot not found' }],
      });
    }
    if (backup.sourceId && backup.sourceId !== source.id) {
      throw new BackupNotFoundError(
        `snapshot "${snapshotId}" is of ${backup.sourceId}, not ${source.id}; ${hint}`,
        {
          details: [
            {
              path: 'restore.snapshotId',
              message: 'snapshot belongs to another database',
              sourceId: backup.sourceId,
            },
          ],
        },
      );
    }
    if (backup.status !== 'available') {
      throw new BackupNotFoundError(
        `snapshot "${snapshotId}" is ${backup.status}; it can be used once it is available`,
        {
          details: [{ path: 'restore.snapshotId', message: 'snapshot not available', status: backup.status }],
        },
      );
    }
  }
}
