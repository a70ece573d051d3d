import { describe, expect, it } from 'vitest';
import type { WorkflowSample } from '../../../bench/control-plane.js';
import { controlPlaneFigures } from '../../../bench/control-plane-figures.js';
import { renderTable, tableRows } from '../../../bench/report-table.js';
import { type BenchResults, benchResultsSchema } from '../../../bench/results.js';

const sample = (awsMs: number, transitions: number): WorkflowSample => ({
  forkId: `fork-${awsMs}`,
  transitions,
  lambdaInvocations: transitions / 3,
  lag: { nextStep: 'CreateInstances', realMs: awsMs / 60, waitMs: awsMs / 60, awsMs },
});

const POLL = { samples: [sample(10_000, 120), sample(20_000, 150)] };
const NOT_YET = { pending: 'pending: event-driven waits have not landed' };

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  const controlPlane = controlPlaneFigures(POLL, NOT_YET);
  return {
    schemaVersion: 1,
    generatedAt: '2026-11-30T12:00:00.000Z',
    durationMs: 90_000,
    environment: { node: 'v20', platform: 'linux-x64', cpus: 2, emulator: 'moto' },
    overheadMs: { p50: 500, p95: 800, n: 20, budgetP95: 1000, p95VsBudget: 0.8, waitStatesEntered: 0 },
    concurrentCreates: {
      n: 200,
      quota: 20,
      accepted: 20,
      status429: 180,
      status5xx: 0,
      lost: 0,
      duplicated: 0,
      ready: 20,
      p99Ms: 4000,
      singleCreateP50Ms: 80,
      p99VsSingleCreate: 50,
    },
    bundles: {
      maxBytes: 512 * 1024,
      naiveBytes: 1024 * 1024,
      maxImportMs: 100,
      naiveImportMs: 200,
      maxBytesVsNaive: 0.5,
      maxImportVsNaive: 0.5,
      naiveImports: ['@aws-sdk/client-rds'],
      powertoolsLayerBytes: 150 * 1024,
      perHandler: { 'steps/restore': { bytes: 512 * 1024, importMs: 100 } },
    },
    detectionLagMs: controlPlane.detectionLagMs,
    transitionsPerFork: controlPlane.transitionsPerFork,
    lambdaInvocationsPerFork: controlPlane.lambdaInvocationsPerFork,
    pool: {
      claimMs: { p50: 3500, p95: 3700 },
      coldMs: { p50: 7300, p95: 7400 },
      n: 5,
      ratio: 0.5,
    },
    method: { overheadMs: 'POST → ready' },
    pending: { ...controlPlane.pending },
    ...overrides,
  };
}

describe('controlPlaneFigures', () => {
  it('fills the poll baseline and leaves every event-driven figure null with its pending note', () => {
    const figures = controlPlaneFigures(POLL, NOT_YET, NOT_YET);

    expect(figures.detectionLagMs).toEqual({
      p50: null,
      p95: null,
      pollBaselineP50: 15_000,
      pollBaselineP95: 19_500,
      samples: 2,
      p95VsPollBaseline: null,
      halfEventsDroppedP50: null,
      halfEventsDroppedP95: null,
    });
    expect(figures.transitionsPerFork).toEqual({
      eventDriven: null,
      pollBaseline: 135,
      eventDrivenVsPollBaseline: null,
    });
    expect(figures.lambdaInvocationsPerFork.pollBaseline).toBe(45);
    expect(Object.keys(figures.pending).sort()).toEqual([
      'detectionLagMs.halfEventsDroppedP50',
      'detectionLagMs.halfEventsDroppedP95',
      'detectionLagMs.p50',
      'detectionLagMs.p95',
      'lambdaInvocationsPerFork.eventDriven',
      'transitionsPerFork.eventDriven',
    ]);
    expect(figures.pending['detectionLagMs.p95']).toBe(NOT_YET.pending);
  });

  it('gives the event-driven figures as ratios of the poll baseline once both are measured', () => {
    const figures = controlPlaneFigures(
      POLL,
      { samples: [sample(1_000, 15), sample(2_000, 15)] },
      { samples: [sample(1_000, 17), sample(40_000, 21)] },
    );

    expect(figures.detectionLagMs.p95VsPollBaseline).toBeCloseTo(1_950 / 19_500, 10);
    expect(figures.detectionLagMs.halfEventsDroppedP95).toBeCloseTo(38_050, 5);
    expect(figures.transitionsPerFork).toEqual({
      eventDriven: 15,
      pollBaseline: 135,
      eventDrivenVsPollBaseline: 15 / 135,
    });
    expect(figures.pending).toEqual({});
  });
});

describe('benchResultsSchema', () => {
  it('accepts a complete run with pending figures as null', () => {
    expect(benchResultsSchema.parse(results())).toEqual(results());
    expect(benchResultsSchema.parse(results({ pool: null }))).toEqual(results({ pool: null }));
  });

  it('refuses an estimated figure written as text and a missing key', () => {
    expect(() =>
      benchResultsSchema.parse({ ...results(), overheadMs: { ...results().overheadMs, p95: '~800' } }),
    ).toThrow();
    const { bundles: _bundles, ...withoutBundles } = results();
    expect(() => benchResultsSchema.parse(withoutBundles)).toThrow();
    const pool = results().pool;
    expect(() =>
      benchResultsSchema.parse({ ...results(), pool: { ...pool, claimMs: { p50: 3500 } } }),
    ).toThrow();
  });
});

describe('tableRows and renderTable', () => {
  it('puts each figure beside its same-run baseline and ratio, and says pending for what is not measured', () => {
    const rows = tableRows(results());

    expect(rows.find((r) => r.figure.startsWith('overhead'))).toEqual({
      figure: 'overhead POST → ready, p50 / p95 (20 forks)',
      measured: '500 ms / 800 ms',
      baseline: 'budget p95 1000 ms',
      ratio: '0.8×',
      target: '≤ 1.00×',
    });
    expect(rows.find((r) => r.figure.startsWith('largest handler bundle'))).toMatchObject({
      measured: '512 KiB',
      baseline: 'naive 1024 KiB',
      ratio: '0.5×',
    });
    expect(rows.find((r) => r.figure === 'state transitions per fork')).toMatchObject({
      measured: 'pending',
      baseline: 'poll 135',
    });
    expect(rows.at(-1)).toEqual({
      figure: 'warm pool claim → ready, p50 / p95 (5 forks each)',
      measured: '3500 ms / 3700 ms',
      baseline: 'cold 7300 ms / 7400 ms',
      ratio: '0.5×',
      target: '–',
    });
  });

  it('says pending for a pool figure not measured', () => {
    const rows = tableRows(results({ pool: null, pending: { pool: 'pending: no pool' } }));

    expect(rows.at(-1)).toMatchObject({ figure: 'warm pool claim', measured: 'pending' });
  });

  it('says failed for a figure whose measurement failed', () => {
    const rows = tableRows(results({ bundles: null, pending: { bundles: 'failed: esbuild crashed' } }));

    expect(rows.find((r) => r.figure === 'bundles')?.measured).toBe('failed');
  });

  it('pads every column to its widest cell', () => {
    const lines = renderTable(tableRows(results())).split('\n');

    expect(lines[0]?.startsWith('figure ')).toBe(true);
    const ratioColumn = lines[0]?.indexOf('ratio') ?? -1;
    expect(lines[2]?.slice(ratioColumn).startsWith('0.8×')).toBe(true);
  });
});
