/**
 * concurrentCreates: N creates sent at once to the offline API, with a per-source quota that lets
 * exactly `quota` of them through. Every fork is then accounted for three ways — the API's
 * answers, the fork records in the table, the create workflows started — after the accepted
 * forks' workflows have finished.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MotoServer } from '../local/moto-server.js';
import { OFFLINE_TABLE } from '../local/offline-env.js';
import { benchPrincipal, callApi, type ForkAnswer, startBenchOffline } from './offline-runtime.js';
import type { ConcurrentCreatesFigure } from './results.js';
import { median, percentile, ratio } from './stats.js';

export interface Accounting {
  accepted: string[];
  records: string[];
  workflows: string[];
}

/** Lost: accepted without a record or a workflow. Duplicated: records or workflows beyond one per accepted fork. */
export function accountForks({ accepted, records, workflows }: Accounting): {
  lost: number;
  duplicated: number;
} {
  const acceptedIds = new Set(accepted);
  const recordIds = new Set(records);
  const workflowIds = new Set(workflows);
  const lost = [...acceptedIds].filter((id) => !recordIds.has(id) || !workflowIds.has(id)).length;
  const extra = (ids: string[]) =>
    ids.length - ids.filter((id, i) => acceptedIds.has(id) && ids.indexOf(id) === i).length;
  const duplicated = accepted.length - acceptedIds.size + extra(records) + extra(workflows);
  return { lost, duplicated };
}

export async function measureConcurrentCreates(
  moto: MotoServer,
  options: { n: number; quota: number; singleCreateMs: readonly number[] },
): Promise<ConcurrentCreatesFigure> {
  const { n, quota } = options;
  const bench = await startBenchOffline(moto, {
    // Per owner: each request has its own caller, so only the per-source quota can refuse.
    quotas: { maxLiveForksPerSource: quota, maxLiveForksPerOwner: n },
    waitMs: 0,
  });
  try {
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        callApi<ForkAnswer>(bench.mode.apiUrl, 'POST', '/v1/forks', {
          body: { source: bench.sourceId, name: `burst-${i}`, ttlHours: 1 },
          principal: benchPrincipal(i),
        }),
      ),
    );
    await bench.mode.workflows.idle();
    const { Items = [] } = await bench.mode.runtime.aws.dynamo.send(
      new ScanCommand({ TableName: OFFLINE_TABLE, ConsistentRead: true }),
    );
    const records = Items.filter((item) => item.sk === 'FORK');
    const accepted = answers.filter((a) => a.status === 202).map((a) => String(a.body.id));
    const { lost, duplicated } = accountForks({
      accepted,
      records: records.map((r) => String(r.id)),
      workflows: bench.mode.workflows
        .list()
        .filter((e) => e.kind === 'create')
        .map((e) => e.forkId),
    });
    const p99 = percentile(
      answers.map((a) => a.ms),
      99,
    );
    const single = median(options.singleCreateMs);
    return {
      n,
      quota,
      accepted: accepted.length,
      status429: answers.filter((a) => a.status === 429).length,
      status5xx: answers.filter((a) => a.status >= 500).length,
      lost,
      duplicated,
      ready: records.filter((r) => r.status === 'ready' && accepted.includes(String(r.id))).length,
      p99Ms: p99,
      singleCreateP50Ms: single,
      p99VsSingleCreate: ratio(p99, single),
    };
  } finally {
    await bench.stop();
  }
}
