/**
 * The shape of `bench/results.json` (DESIGN.md §8), checked before it is written. A figure that
 * cannot be measured yet is `null`, with a note in `pending` under the figure's path
 * (e.g. `"transitionsPerFork.eventDriven"`); no number here is ever estimated.
 */
import { z } from 'zod';

const ms = z.number().nonnegative();
const maybeMs = ms.nullable();
const count = z.number().int().nonnegative();

export const overheadSchema = z.object({
  p50: maybeMs,
  p95: maybeMs,
  n: count,
  /** The budget (DESIGN.md §8): p95 ≤ 1 s offline. */
  budgetP95: ms,
  p95VsBudget: z.number().nullable(),
  /** Wait states entered over all forks (0 expected: the emulator answers at once). */
  waitStatesEntered: count,
});

export const concurrentCreatesSchema = z.object({
  n: count,
  /** The quota that should let exactly this many through. */
  quota: count,
  accepted: count,
  status429: count,
  status5xx: count,
  /** Accepted forks without a record or without a create workflow. */
  lost: count,
  /** Records or create workflows beyond one per accepted response (a refused create that left a fork counts here). */
  duplicated: count,
  /** Accepted forks that reached `ready`. */
  ready: count,
  p99Ms: maybeMs,
  /** Baseline: a lone create's POST latency (p50), measured in the same run. */
  singleCreateP50Ms: maybeMs,
  p99VsSingleCreate: z.number().nullable(),
});

const bundleFigure = z.object({ bytes: count, importMs: maybeMs });

export const bundlesSchema = z.object({
  maxBytes: count,
  naiveBytes: count,
  maxImportMs: maybeMs,
  naiveImportMs: maybeMs,
  maxBytesVsNaive: z.number().nullable(),
  maxImportVsNaive: z.number().nullable(),
  /** What the naive bundle imports (every SDK package the handlers use, whole). */
  naiveImports: z.array(z.string()),
  /**
   * Powertools (Logger, Metrics, Tracer with the X-Ray SDK) bundled alone with the same settings:
   * what every function loads from AWS's Powertools layer instead of its own bundle. Imports are
   * timed with it resolved (as the layer provides it), so import times include it.
   */
  powertoolsLayerBytes: count,
  perHandler: z.record(z.string(), bundleFigure),
});

export const detectionLagSchema = z.object({
  p50: maybeMs,
  p95: maybeMs,
  pollBaselineP50: maybeMs,
  pollBaselineP95: maybeMs,
  /** Restores measured for the baseline. */
  samples: count,
  p95VsPollBaseline: z.number().nullable(),
  /** Event-driven with half the RDS events dropped: those waits end through the safety net. */
  halfEventsDroppedP50: maybeMs,
  halfEventsDroppedP95: maybeMs,
});

const perForkSchema = z.object({
  eventDriven: z.number().nonnegative().nullable(),
  pollBaseline: z.number().nonnegative().nullable(),
  eventDrivenVsPollBaseline: z.number().nullable(),
});

const percentiles = z.object({ p50: maybeMs, p95: maybeMs });

export const poolSchema = z.object({
  /** POST /v1/forks → readyAt of a fork that took a parked warm-pool member. */
  claimMs: percentiles,
  /** The same, for the same request restored cold (no pool): the baseline. */
  coldMs: percentiles,
  /** Timed creates of each kind. */
  n: count,
  /** claimMs.p95 / coldMs.p95. */
  ratio: z.number().nullable(),
});

export const benchResultsSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.iso.datetime(),
  durationMs: ms,
  environment: z.object({
    node: z.string(),
    platform: z.string(),
    cpus: count,
    emulator: z.string(),
  }),
  overheadMs: overheadSchema.nullable(),
  concurrentCreates: concurrentCreatesSchema.nullable(),
  bundles: bundlesSchema.nullable(),
  detectionLagMs: detectionLagSchema.nullable(),
  transitionsPerFork: perForkSchema.nullable(),
  lambdaInvocationsPerFork: perForkSchema.nullable(),
  pool: poolSchema.nullable(),
  /** How each figure was measured, by figure. */
  method: z.record(z.string(), z.string()),
  /** Why a figure (by its path) is null: "pending: …" or the error that stopped its measurement. */
  pending: z.record(z.string(), z.string()),
});

export type BenchResults = z.infer<typeof benchResultsSchema>;
export type OverheadFigure = z.infer<typeof overheadSchema>;
export type ConcurrentCreatesFigure = z.infer<typeof concurrentCreatesSchema>;
export type BundlesFigure = z.infer<typeof bundlesSchema>;
export type DetectionLagFigure = z.infer<typeof detectionLagSchema>;
export type PerForkFigure = z.infer<typeof perForkSchema>;
export type PoolFigure = z.infer<typeof poolSchema>;
