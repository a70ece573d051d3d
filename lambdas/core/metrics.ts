import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ForkRecord } from './fork.js';

/**
 * dbfork's business metrics (namespace `dbfork`): forks requested, ready, failed, refreshed and
 * deleted per engine kind and restore type, time to ready, cleanups started, failed refreshes, and
 * what each reconciler run found. On AWS they are Powertools Metrics in the embedded metric format (one log line each,
 * extracted by CloudWatch: no PutMetricData call, no permission); offline they go to the debug log.
 */
export const METRICS_NAMESPACE = 'dbfork';

export type Unit = 'Count' | 'Milliseconds';

export interface MetricSink {
  emit(name: string, unit: Unit, value: number, dimensions: Record<string, string>): void;
}

export interface ReconcileCounts {
  expired: number;
  orphans: number;
  stuck: number;
  errors: number;
}

export class ForkMetrics {
  constructor(private readonly sink: MetricSink) {}

  requested(fork: ForkRecord): void {
    this.sink.emit('ForksRequested', 'Count', 1, dimensionsOf(fork));
  }

  /** A fork became ready: counted, with the time from its request. */
  ready(fork: ForkRecord): void {
    const dimensions = dimensionsOf(fork);
    this.sink.emit('ForksReady', 'Count', 1, dimensions);
    if (fork.readyAt) {
      const ms = Date.parse(fork.readyAt) - Date.parse(fork.createdAt);
      if (Number.isFinite(ms) && ms >= 0) this.sink.emit('TimeToReady', 'Milliseconds', ms, dimensions);
    }
  }

  failed(fork: ForkRecord): void {
    this.sink.emit('ForksFailed', 'Count', 1, dimensionsOf(fork));
  }

  deleted(fork: ForkRecord): void {
    this.sink.emit('ForksDeleted', 'Count', 1, dimensionsOf(fork));
  }

  /** A failed create began removing what it made. */
  cleanupStarted(fork: ForkRecord): void {
    this.sink.emit('CleanupsStarted', 'Count', 1, dimensionsOf(fork));
  }

  /** A refresh's new database took over the fork. */
  refreshed(fork: ForkRecord): void {
    this.sink.emit('ForksRefreshed', 'Count', 1, refreshDimensionsOf(fork));
  }

  /** A refresh failed (its new database removed; the fork kept its database). */
  refreshFailed(fork: ForkRecord): void {
    this.sink.emit('RefreshesFailed', 'Count', 1, refreshDimensionsOf(fork));
  }

  /** A warm pool as its keeper left it: configured size, ready and warming members (dimension Pool). */
  pool(source: string, counts: { size: number; ready: number; warming: number }): void {
    const dimensions = { Pool: source };
    this.sink.emit('PoolSize', 'Count', counts.size, dimensions);
    this.sink.emit('PoolReady', 'Count', counts.ready, dimensions);
    this.sink.emit('PoolWarming', 'Count', counts.warming, dimensions);
  }

  reconciled(counts: ReconcileCounts): void {
    this.sink.emit('ReconcilerExpired', 'Count', counts.expired, {});
    this.sink.emit('ReconcilerOrphans', 'Count', counts.orphans, {});
    this.sink.emit('ReconcilerStuck', 'Count', counts.stuck, {});
    this.sink.emit('ReconcilerErrors', 'Count', counts.errors, {});
  }
}

/** `engine` (the kind: rds-instance, aurora-cluster, docdb-cluster) and `restoreType`. */
function dimensionsOf(fork: ForkRecord): Record<string, string> {
  return { engine: fork.source?.kind ?? 'unresolved', restoreType: fork.restore.requested.type };
}

/** `engine` and the refresh's `restoreType`. */
function refreshDimensionsOf(fork: ForkRecord): Record<string, string> {
  return {
    engine: fork.source?.kind ?? 'unresolved',
    restoreType: fork.refresh?.restore.requested.type ?? 'latest-backup',
  };
}

/** Powertools Metrics: each value its own EMF record (a single metric flushes at once). */
export function powertoolsSink(): MetricSink {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'dbfork' });
  return {
    emit(name, unit, value, dimensions) {
      const single = metrics.singleMetric();
      if (Object.keys(dimensions).length) single.addDimensions(dimensions);
      single.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
    },
  };
}

/** Offline and in tests: the metrics as debug log lines. */
export function loggerSink(logger: Logger): MetricSink {
  return {
    emit(name, unit, value, dimensions) {
      logger.debug('metric', { metric: name, unit, value, dimensions });
    },
  };
}
