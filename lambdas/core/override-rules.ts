import type { ForkOverrides } from './config.js';
import type { SourceDatabase } from './engines/engine.js';
import { type ErrorDetail, ValidationError } from './errors.js';
import type { EngineKind } from './fork.js';
import type { OrderableCatalog, OrderableOption } from './orderable.js';

/**
 * What a fork of this source can actually be given: a class AWS orders for the source's engine and
 * version, a storage type of the source's kind, IOPS where the storage takes them, Multi-AZ only on
 * an instance. Checked at POST /v1/forks, so a bad override is a 400 now rather than a fork that
 * fails minutes later in the restore.
 */

/**
 * Storage types per kind, from the SDK models' `StorageType` docs:
 * - RDS instance (RestoreDBInstanceFromDBSnapshot / ToPointInTime): "Valid Values: gp2 | gp3 | io1 |
 *   io2 | standard".
 * - Aurora (RestoreDBClusterFromSnapshot): "Valid Values: aurora, aurora-iopt1 (Aurora DB clusters)"
 *   (io1 is for Multi-AZ DB clusters, which dbfork does not fork).
 * - DocumentDB (@aws-sdk/client-docdb): "Valid values for storage type - standard | iopt1".
 */
export const STORAGE_TYPES: Record<EngineKind, readonly string[]> = {
  'rds-instance': ['standard', 'gp2', 'gp3', 'io1', 'io2'],
  'aurora-cluster': ['aurora', 'aurora-iopt1'],
  'docdb-cluster': ['standard', 'iopt1'],
};

/**
 * "If you specify io1, io2, or gp3, you must also include a value for the Iops parameter" — but on a
 * restore "If this parameter isn't specified, the IOPS value is taken from the backup" (SDK model,
 * RestoreDBInstanceFromDBSnapshotMessage). So io1/io2 need IOPS unless the source already runs on
 * that type; gp3 may take them (its baseline applies otherwise); gp2/standard have none.
 */
const NEEDS_IOPS = ['io1', 'io2'];
const TAKES_IOPS = ['io1', 'io2', 'gp3'];

const KIND_NAMES: Record<EngineKind, string> = {
  'rds-instance': 'an RDS instance',
  'aurora-cluster': 'an Aurora cluster',
  'docdb-cluster': 'a DocumentDB cluster',
};

/** How many valid classes a refusal lists. */
export const MAX_CLASS_CHOICES = 8;

const SIZE_ORDER = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'];

/** `db.r6g.4xlarge` → ['db.r6g', rank]: sizes in the order AWS prices them, not alphabetically. */
function familyAndSize(instanceClass: string): [string, number] {
  const cut = instanceClass.lastIndexOf('.');
  const family = instanceClass.slice(0, cut);
  const size = instanceClass.slice(cut + 1);
  const times = /^(\d+)xlarge$/.exec(size);
  const rank = times ? 5 + Number(times[1]) : SIZE_ORDER.indexOf(size);
  return [family, rank];
}

/** Up to MAX_CLASS_CHOICES classes, those of the requested family first, each family smallest first. */
export function classChoices(available: readonly string[], requested?: string): string[] {
  const [wanted] = requested ? familyAndSize(requested) : [''];
  return [...new Set(available)]
    .map((c) => ({ c, key: familyAndSize(c) }))
    .sort((a, b) => {
      const near = Number(b.key[0] === wanted) - Number(a.key[0] === wanted);
      return near || a.key[0].localeCompare(b.key[0]) || a.key[1] - b.key[1] || a.c.localeCompare(b.c);
    })
    .slice(0, MAX_CLASS_CHOICES)
    .map(({ c }) => c);
}

function engineLabel(source: SourceDatabase): string {
  return source.engineVersion ? `${source.engine} ${source.engineVersion}` : source.engine;
}

/** Checks that need no AWS call: storage type and IOPS per kind, Multi-AZ on clusters. */
function shapeIssues(source: SourceDatabase, overrides: ForkOverrides): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  const { kind } = source;
  const allowed = STORAGE_TYPES[kind];
  if (overrides.multiAz === true && kind !== 'rds-instance') {
    issues.push({
      path: 'overrides.multiAz',
      message: `multiAz applies to RDS instances; ${source.id} is ${KIND_NAMES[kind]}, whose fork gets one writer instance (add readers to it yourself if you need them)`,
    });
  }
  const storageType = overrides.storageType;
  if (storageType !== undefined && !allowed.includes(storageType)) {
    issues.push({
      path: 'overrides.storageType',
      message: `storage type ${storageType} does not apply to ${KIND_NAMES[kind]}; use one of ${allowed.join(', ')}`,
      allowed: [...allowed],
    });
  }
  if (overrides.iops !== undefined) {
    if (kind !== 'rds-instance') {
      issues.push({
        path: 'overrides.iops',
        message: `iops applies to RDS instance storage; ${KIND_NAMES[kind]} provisions its own I/O (use storageType ${allowed.at(-1)} for I/O-optimized storage)`,
      });
    } else if (storageType === undefined || !TAKES_IOPS.includes(storageType)) {
      issues.push({
        path: 'overrides.iops',
        message: `iops needs storageType ${TAKES_IOPS.join(', ')}${storageType ? `, not ${storageType}` : ''}`,
      });
    }
  }
  if (
    kind === 'rds-instance' &&
    storageType !== undefined &&
    NEEDS_IOPS.includes(storageType) &&
    overrides.iops === undefined &&
    source.storageType !== storageType
  ) {
    issues.push({
      path: 'overrides.iops',
      message: `storage type ${storageType} needs provisioned IOPS: set overrides.iops (${source.id} runs on ${source.storageType ?? 'another storage type'}, so its backup has none to carry over)`,
    });
  }
  return issues;
}

/** Checks against the orderable catalogue of the source's engine and version. */
function catalogueIssues(
  source: SourceDatabase,
  overrides: ForkOverrides,
  effectiveClass: string | undefined,
  options: readonly OrderableOption[],
): ErrorDetail[] {
  const requested = overrides.instanceClass;
  const classes = options.map((o) => o.instanceClass);
  if (requested !== undefined && !classes.includes(requested)) {
    const choices = classChoices(classes, requested);
    return [
      {
        path: 'overrides.instanceClass',
        message: choices.length
          ? `instance class ${requested} is not available for ${engineLabel(source)}; choose one of ${choices.join(', ')}${classes.length > choices.length ? ', …' : ''}`
          : `AWS lists no orderable instance class for ${engineLabel(source)}, so ${requested} cannot be used`,
        engine: source.engine,
        ...(source.engineVersion ? { engineVersion: source.engineVersion } : {}),
        choices,
      },
    ];
  }
  if (source.kind !== 'rds-instance' || effectiveClass === undefined) return [];
  const rows = options.filter((o) => o.instanceClass === effectiveClass);
  if (rows.length === 0) return [];
  const issues: ErrorDetail[] = [];
  const { storageType, iops } = overrides;
  // Only where the catalogue says which storage a class takes (it does on AWS, row by row).
  const storageTypes = [...new Set(rows.flatMap((r) => (r.storageType ? [r.storageType] : [])))];
  const sameStorage = storageType ? rows.filter((r) => r.storageType === storageType) : [];
  if (storageType !== undefined && storageTypes.length > 0 && sameStorage.length === 0) {
    issues.push({
      path: 'overrides.storageType',
      message: `storage type ${storageType} is not available on ${effectiveClass} for ${engineLabel(source)}; use one of ${storageTypes.sort().join(', ')}`,
      allowed: storageTypes,
    });
  }
  const bounds = sameStorage.find((r) => r.minIops !== undefined || r.maxIops !== undefined);
  if (iops !== undefined && bounds) {
    const min = bounds.minIops ?? 0;
    const max = bounds.maxIops ?? Number.POSITIVE_INFINITY;
    if (iops < min || iops > max) {
      issues.push({
        path: 'overrides.iops',
        message: `iops ${iops} is outside ${min}-${max}, the range of ${storageType} on ${effectiveClass}`,
        min,
        max,
      });
    }
  }
  if (overrides.multiAz === true && rows.every((r) => r.multiAzCapable === false)) {
    issues.push({
      path: 'overrides.multiAz',
      message: `${effectiveClass} cannot run Multi-AZ for ${engineLabel(source)}`,
    });
  }
  return issues;
}

/** Whether any override needs the catalogue (none does → no AWS call at all). */
function needsCatalogue(source: SourceDatabase, overrides: ForkOverrides): boolean {
  if (overrides.instanceClass !== undefined) return true;
  if (source.kind !== 'rds-instance') return false;
  return overrides.storageType !== undefined || overrides.iops !== undefined || overrides.multiAz === true;
}

function refuse(issues: ErrorDetail[]): never {
  throw new ValidationError(issues.map((i) => i.message).join('; '), { details: issues });
}

/**
 * Refuses (400, nothing written) overrides this source's fork could not get.
 * @param defaults the policy's default overrides, which fill in the class a storage type is checked on
 */
export async function assertOverridesFit(
  catalog: OrderableCatalog,
  source: SourceDatabase,
  overrides: ForkOverrides | undefined,
  defaults: ForkOverrides = {},
): Promise<void> {
  if (!overrides) return;
  const shape = shapeIssues(source, overrides);
  if (shape.length) refuse(shape);
  if (!needsCatalogue(source, overrides)) return;
  const options = await catalog.options(source.kind, source.engine, source.engineVersion);
  const effectiveClass = overrides.instanceClass ?? defaults.instanceClass ?? source.instanceClass;
  const issues = catalogueIssues(source, overrides, effectiveClass, options);
  if (issues.length) refuse(issues);
}
