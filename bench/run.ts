/**
 * `npm run bench`: every figure of DESIGN.md §8 in one run, each against a baseline measured in
 * the same run. Starts its own emulator (faithful mode, every delay 0 unless a figure sets one)
 * and its own offline runtimes on free ports, stops them, prints a table and writes
 * bench/results.json. A figure that cannot be measured yet is null with a "pending" note; a
 * figure whose measurement failed is null with the error, and the run exits 1.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMoto } from '../local/moto-server.js';
import { measureBundles } from './bundles.js';
import { measureConcurrentCreates } from './concurrent-creates.js';
import { type ModeMeasurement, measureEventDriven, measurePollBaseline } from './control-plane.js';
import { controlPlaneFigures } from './control-plane-figures.js';
import { measureOverhead, type OverheadRun } from './overhead.js';
import { EMULATOR_DEFAULT_DELAY_MS, measurePool } from './pool.js';
import { renderPending, renderTable, tableRows } from './report-table.js';
import { type BenchResults, benchResultsSchema } from './results.js';

// The SDK's once-per-process notice about Node 20 is not a figure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SETTINGS = {
  overheadForks: 20,
  concurrentCreates: 200,
  concurrentQuota: 20,
  lagForks: 12,
  /** 20 emulated minutes of restore take this long; Waits scale alike (30 s → 500 ms). */
  restoreRealMs: 20_000,
  importRuns: 3,
  pool: { forks: 5, poolSize: 2, reconcileMs: 1000, refillTimeoutMs: 120_000 },
} as const;

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

const METHOD: Record<string, string> = {
  overheadMs: `POST /v1/forks → readyAt of the fork, ${SETTINGS.overheadForks} forks one after another through the offline API (after one warm-up fork), emulator delays 0, Wait states 0 ms; baseline: the 1 s budget`,
  concurrentCreates: `${SETTINGS.concurrentCreates} POST /v1/forks at once, each caller different, maxLiveForksPerSource ${SETTINGS.concurrentQuota}; after the workflows finish, answers vs fork records vs create workflows; baseline: a lone create's POST latency (p50 of the overhead run)`,
  bundles: `each handler built with DBFORK_BUNDLING (esbuild ESM, minified, SDK bundled, Powertools external: AWS's layer), .mjs bytes and import() time in a fresh node with the layer's packages resolvable (median of ${SETTINGS.importRuns}); baseline: one bundle re-exporting every @aws-sdk package the handlers import, same settings`,
  detectionLagMs: `${SETTINGS.lagForks} RDS forks through the offline API, restore = 20 emulated min (${SETTINGS.restoreRealMs} ms real, + an even spread over one poll interval), password reset 1 emulated min, Wait states scaled alike; lag = the emulator's restored event → the next step entered, Wait time scaled back to AWS ms`,
  transitionsPerFork: 'states entered per create execution (same runs as detectionLagMs), mean',
  lambdaInvocationsPerFork:
    'Task states entered + retried per create execution (same runs as detectionLagMs), mean',
  pool: `POST /v1/forks → readyAt of the fork through the offline API, ${SETTINGS.pool.forks} forks one after another each way (after one warm-up each), the same request (latest backup, default overrides) for the same RDS source, emulator at its default ${EMULATOR_DEFAULT_DELAY_MS} ms per transition and Wait states at the offline mode's default, reconciler every ${SETTINGS.pool.reconcileMs} ms; claim: a pool of ${SETTINGS.pool.poolSize} for the source, full and every member parked before each create, each fork's restore.pool checked set; baseline cold: the same without a pool, restore.pool checked absent; ratio = claim p95 / cold p95`,
};

/** Measured milliseconds and ratios carry no meaning past two decimals. */
function twoDecimals(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const pending: Record<string, string> = {};
  let failures = 0;
  async function figure<T>(name: string, measure: () => Promise<T>): Promise<T | null> {
    const t = Date.now();
    log(`${name}…`);
    try {
      const value = await measure();
      log(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return value;
    } catch (error) {
      failures += 1;
      pending[name] = `failed: ${error instanceof Error ? error.message : String(error)}`;
      log(pending[name]);
      return null;
    }
  }

  // The emulator starts (a few seconds of Python imports) while the bundles are built and timed.
  const motoStarting = startMoto({ faithful: true, faithfulDelayMs: 0, onLog: () => {} });
  motoStarting.catch(() => undefined);
  const bundles = await figure('bundles', () => measureBundles({ importRuns: SETTINGS.importRuns }));
  const moto = await motoStarting;
  let overhead: OverheadRun | null;
  let concurrent: BenchResults['concurrentCreates'];
  let poll: ModeMeasurement;
  let eventDriven: ModeMeasurement;
  let halfDropped: ModeMeasurement;
  let pool: BenchResults['pool'];
  try {
    overhead = await figure('overheadMs', () => measureOverhead(moto, SETTINGS.overheadForks));
    concurrent = await figure('concurrentCreates', () =>
      measureConcurrentCreates(moto, {
        n: SETTINGS.concurrentCreates,
        quota: SETTINGS.concurrentQuota,
        singleCreateMs: overhead?.postMs ?? [],
      }),
    );
    const options = { forks: SETTINGS.lagForks, restoreRealMs: SETTINGS.restoreRealMs };
    poll = (await figure('pollBaseline', () => measurePollBaseline(moto, options))) ?? {
      pending: pending.pollBaseline ?? 'failed',
    };
    eventDriven = (await figure('eventDriven', () => measureEventDriven(moto, options))) ?? {
      pending: pending.eventDriven ?? 'failed',
    };
    halfDropped = (await figure('halfEventsDropped', () =>
      measureEventDriven(moto, { ...options, dropFraction: 0.5 }),
    )) ?? { pending: pending.halfEventsDropped ?? 'failed' };
    // Last: its runtimes leave pool members parked (or a refill restoring) in this process.
    pool = await figure('pool', () => measurePool(moto, SETTINGS.pool));
  } finally {
    await moto.stop();
  }
  const controlPlane = controlPlaneFigures(poll, eventDriven, halfDropped);

  const results = benchResultsSchema.parse({
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: availableParallelism(),
      emulator: 'moto 5.2 (local/moto/launcher.py), faithful mode, delays 0 unless a figure sets them',
    },
    overheadMs: overhead?.figure ?? null,
    concurrentCreates: concurrent,
    bundles,
    detectionLagMs: controlPlane.detectionLagMs,
    transitionsPerFork: controlPlane.transitionsPerFork,
    lambdaInvocationsPerFork: controlPlane.lambdaInvocationsPerFork,
    pool,
    method: METHOD,
    pending: { ...pending, ...controlPlane.pending },
  } satisfies BenchResults);
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, twoDecimals, 2)}\n`);

  process.stdout.write(`${renderTable(tableRows(results))}\n\nnull figures:\n${renderPending(results)}\n`);
  process.stdout.write(`\n${RESULTS_FILE} written in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
