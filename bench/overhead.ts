/**
 * overheadMs: what dbfork itself adds on top of AWS. The emulator answers at once (every faithful
 * delay 0) and Wait states last 0 ms, so POST /v1/forks → `ready` is the API, the workflow's
 * steps, their emulator calls and the state machine runner — nothing waits for a database.
 * Forks are made one after another (latency, not throughput); one warm-up fork is not counted.
 */
import type { MotoServer } from '../local/moto-server.js';
import {
  benchPrincipal,
  callApi,
  createExecution,
  type ForkAnswer,
  startBenchOffline,
} from './offline-runtime.js';
import type { OverheadFigure } from './results.js';
import { percentile, ratio } from './stats.js';

export const OVERHEAD_BUDGET_P95_MS = 1000;

export interface OverheadRun {
  figure: OverheadFigure;
  /** POST latencies of the counted forks: the lone-create baseline of the concurrency figure. */
  postMs: number[];
}

export async function measureOverhead(moto: MotoServer, forks: number): Promise<OverheadRun> {
  const bench = await startBenchOffline(moto, {
    quotas: { maxLiveForksPerOwner: forks + 1, maxLiveForksPerSource: forks + 1 },
    waitMs: 0,
  });
  try {
    const overheads: number[] = [];
    const postMs: number[] = [];
    let waitStatesEntered = 0;
    for (let i = 0; i <= forks; i++) {
      const started = Date.now();
      const created = await callApi<ForkAnswer>(bench.mode.apiUrl, 'POST', '/v1/forks', {
        body: { source: bench.sourceId, name: `overhead-${i}`, ttlHours: 1 },
        principal: benchPrincipal(0),
      });
      if (created.status !== 202 || !created.body.id) {
        throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
      }
      const execution = createExecution(bench.mode, created.body.id);
      await execution.done;
      const fork = await callApi<ForkAnswer>(bench.mode.apiUrl, 'GET', `/v1/forks/${created.body.id}`, {
        principal: benchPrincipal(0),
      });
      if (fork.body.status !== 'ready' || !fork.body.readyAt) {
        throw new Error(
          `fork ${created.body.id} ended ${fork.body.status}: ${JSON.stringify(execution.error)}`,
        );
      }
      if (i === 0) continue; // warm-up: first SDK calls, first catalog look-ups, JIT
      overheads.push(Date.parse(fork.body.readyAt) - started);
      postMs.push(created.ms);
      waitStatesEntered += execution.events.filter(
        (e) => e.type === 'StateEntered' && e.state.type === 'Wait',
      ).length;
    }
    const p95 = percentile(overheads, 95);
    return {
      figure: {
        p50: percentile(overheads, 50),
        p95,
        n: overheads.length,
        budgetP95: OVERHEAD_BUDGET_P95_MS,
        p95VsBudget: ratio(p95, OVERHEAD_BUDGET_P95_MS),
        waitStatesEntered,
      },
      postMs,
    };
  } finally {
    await bench.stop();
  }
}
