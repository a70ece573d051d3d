import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import { ForkMetrics, METRICS_NAMESPACE, powertoolsSink } from '../../../lambdas/core/metrics.js';

const fork = {
  id: 'fork-abcdef123456',
  source: {
    id: 'analytics',
    arn: 'arn:aws:rds:us-east-1:123456789012:cluster:analytics',
    engine: 'aurora-postgresql',
    kind: 'aurora-cluster',
  },
  restore: { requested: { type: 'clone' } },
  createdAt: '2026-11-20T12:00:00.000Z',
  readyAt: '2026-11-20T12:04:30.000Z',
} as unknown as ForkRecord;

afterEach(() => vi.restoreAllMocks());

/** The EMF records Powertools wrote to stdout while `run` ran. */
function emf(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('ForkMetrics through Powertools (the embedded metric format)', () => {
  it('writes one EMF record per value, in the dbfork namespace, with engine and restore type', () => {
    const metrics = new ForkMetrics(powertoolsSink());

    const records = emf(() => metrics.ready(fork));

    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      ForksReady: 1,
      engine: 'aurora-cluster',
      restoreType: 'clone',
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [expect.arrayContaining(['engine', 'restoreType'])],
            Metrics: [{ Name: 'ForksReady', Unit: 'Count' }],
          },
        ],
      },
    });
    expect(records[1]).toMatchObject({
      TimeToReady: 270_000,
      _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'TimeToReady', Unit: 'Milliseconds' }] }] },
    });
  });

  it("writes the reconciler's findings without dimensions", () => {
    const records = emf(() =>
      new ForkMetrics(powertoolsSink()).reconciled({ expired: 1, orphans: 2, stuck: 0, errors: 0 }),
    );

    expect(records.map((r) => [Object.keys(r).find((k) => k.startsWith('Reconciler')), r])).toEqual([
      ['ReconcilerExpired', expect.objectContaining({ ReconcilerExpired: 1 })],
      ['ReconcilerOrphans', expect.objectContaining({ ReconcilerOrphans: 2 })],
      ['ReconcilerStuck', expect.objectContaining({ ReconcilerStuck: 0 })],
      ['ReconcilerErrors', expect.objectContaining({ ReconcilerErrors: 0 })],
    ]);
  });
});
