/** The people's view of `bench/results.json`: one row per figure, measured vs its baseline. */
import type { BenchResults } from './results.js';
import { ratio, round } from './stats.js';

export interface Row {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
}

const PENDING = 'pending';

function msText(value: number | null | undefined): string {
  return value === null || value === undefined ? PENDING : `${round(value)} ms`;
}

function bytesText(value: number): string {
  return `${round(value / 1024, 1)} KiB`;
}

function ratioText(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${round(value, 2)}×`;
}

function numberText(value: number | null | undefined): string {
  return value === null || value === undefined ? PENDING : String(round(value, 1));
}

/** Rows in the order of DESIGN.md §8; a figure that failed or is pending says so. */
export function tableRows(results: BenchResults): Row[] {
  const rows: Row[] = [];
  const { overheadMs: o, concurrentCreates: c, bundles: b, detectionLagMs: d } = results;
  if (o) {
    rows.push({
      figure: `overhead POST → ready, p50 / p95 (${o.n} forks)`,
      measured: `${msText(o.p50)} / ${msText(o.p95)}`,
      baseline: `budget p95 ${msText(o.budgetP95)}`,
      ratio: ratioText(o.p95VsBudget),
      target: '≤ 1.00×',
    });
  } else rows.push(missing('overhead POST → ready', results.pending.overheadMs));
  if (c) {
    rows.push({
      figure: `${c.n} concurrent creates, quota ${c.quota}`,
      measured: `${c.accepted} accepted, ${c.status429} × 429, ${c.status5xx} × 5xx, ${c.lost} lost, ${c.duplicated} duplicated`,
      baseline: `${c.quota} accepted`,
      ratio: ratioText(c.quota > 0 ? c.accepted / c.quota : null),
      target: '= 1.00×, 0 5xx/lost/dup',
    });
    rows.push({
      figure: `  p99 API latency under ${c.n} concurrent`,
      measured: msText(c.p99Ms),
      baseline: `lone create p50 ${msText(c.singleCreateP50Ms)}`,
      ratio: ratioText(c.p99VsSingleCreate),
      target: '–',
    });
  } else rows.push(missing('concurrent creates', results.pending.concurrentCreates));
  if (b) {
    rows.push({
      figure: `largest handler bundle (${Object.keys(b.perHandler).length} handlers)`,
      measured: bytesText(b.maxBytes),
      baseline: `naive ${bytesText(b.naiveBytes)}`,
      ratio: ratioText(b.maxBytesVsNaive),
      target: '≤ 0.50×',
    });
    rows.push({
      figure: '  Powertools, from its AWS layer',
      measured: bytesText(b.powertoolsLayerBytes),
      baseline: '–',
      ratio: '–',
      target: '–',
    });
    rows.push({
      figure: '  slowest handler import (cold, with the layer)',
      measured: msText(b.maxImportMs),
      baseline: `naive ${msText(b.naiveImportMs)}`,
      ratio: ratioText(b.maxImportVsNaive),
      target: '–',
    });
  } else rows.push(missing('bundles', results.pending.bundles));
  if (d) {
    rows.push({
      figure: `detection lag p50 / p95 (AWS ms, ${d.samples} restores)`,
      measured: `${msText(d.p50)} / ${msText(d.p95)}`,
      baseline: `poll ${msText(d.pollBaselineP50)} / ${msText(d.pollBaselineP95)}`,
      ratio: ratioText(d.p95VsPollBaseline),
      target: 'p95 ≤ 2000 ms',
    });
    rows.push({
      figure: '  … with half the RDS events dropped',
      measured: `${msText(d.halfEventsDroppedP50)} / ${msText(d.halfEventsDroppedP95)}`,
      baseline: `poll ${msText(d.pollBaselineP50)} / ${msText(d.pollBaselineP95)}`,
      ratio: ratioText(ratio(d.halfEventsDroppedP95, d.pollBaselineP95)),
      target: '–',
    });
  } else rows.push(missing('detection lag', results.pending.detectionLagMs));
  for (const [key, label] of [
    ['transitionsPerFork', 'state transitions per fork'],
    ['lambdaInvocationsPerFork', 'Lambda invocations per fork'],
  ] as const) {
    const figure = results[key];
    rows.push(
      figure
        ? {
            figure: label,
            measured: numberText(figure.eventDriven),
            baseline: `poll ${numberText(figure.pollBaseline)}`,
            ratio: ratioText(figure.eventDrivenVsPollBaseline),
            target: key === 'transitionsPerFork' ? '≤ 30' : '–',
          }
        : missing(label, results.pending[key]),
    );
  }
  const { pool: p } = results;
  rows.push(
    p
      ? {
          figure: `warm pool claim → ready, p50 / p95 (${p.n} forks each)`,
          measured: `${msText(p.claimMs.p50)} / ${msText(p.claimMs.p95)}`,
          baseline: `cold ${msText(p.coldMs.p50)} / ${msText(p.coldMs.p95)}`,
          ratio: ratioText(p.ratio),
          target: '–',
        }
      : missing('warm pool claim', results.pending.pool),
  );
  return rows;
}

function missing(figure: string, why: string | undefined): Row {
  return {
    figure,
    measured: why?.startsWith(PENDING) ? PENDING : 'failed',
    baseline: '–',
    ratio: '–',
    target: '–',
  };
}

const HEADERS: Row = {
  figure: 'figure',
  measured: 'measured',
  baseline: 'baseline (same run)',
  ratio: 'ratio',
  target: 'target',
};

/** A plain-text table, columns padded to their widest cell. */
export function renderTable(rows: readonly Row[]): string {
  const columns = Object.keys(HEADERS) as (keyof Row)[];
  const all = [HEADERS, ...rows];
  const widths = columns.map((column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row: Row) =>
    columns
      .map((column, i) => row[column].padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

/** The pending and failed figures with their reasons, one per line. */
export function renderPending(results: BenchResults): string {
  return Object.entries(results.pending)
    .map(([path, why]) => `  ${path}: ${why}`)
    .join('\n');
}
