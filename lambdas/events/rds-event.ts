import { isDbForkError, TransientAwsError } from '../core/errors.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';
import { type ParkedWait, WAIT_SLOTS, type WaitSlot } from '../core/wait-tokens.js';
import { completeWait, failWait } from '../steps/await-event.js';
import { step as checkDatabase } from '../steps/check-database.js';
import { step as checkGone } from '../steps/check-gone.js';
import { step as checkSnapshot } from '../steps/check-snapshot.js';
import type { Step } from '../steps/step.js';
import { forkIdOfResource, rdsEventSchema } from './rds-event-schema.js';

/** What the checks need (tokens are taken and answered through `waits` and `tasks`). */
export const RDS_EVENT_PARTS = [parts.store, parts.engines, parts.waits, parts.tasks] as const;
export type RdsEventRuntime = RuntimeWith<(typeof RDS_EVENT_PARTS)[number]['service']>;

/** The checks an event-driven wait can be parked on; the event re-runs the same check. */
const WAITABLE_CHECKS: Readonly<Record<string, Step<'store' | 'engines' | 'waits' | 'tasks'>>> = {
  'check-snapshot': checkSnapshot,
  'check-database': checkDatabase,
  'check-gone': checkGone,
};

/**
 * What an event did. `not-a-fork`: the resource is not dbfork's; `no-wait`: nothing waits on the
 * fork (a late or duplicate event, or one between waits); `not-ready`: the check says not yet;
 * `completed` / `failed`: the wait was completed or failed; `stale`: someone else completed it.
 */
export type RdsEventOutcome = 'not-a-fork' | 'no-wait' | 'not-ready' | 'completed' | 'failed' | 'stale';

/** The outcomes of several waits as one: the most telling of them. */
const OUTCOME_RANK: readonly RdsEventOutcome[] = ['completed', 'failed', 'stale', 'not-ready', 'no-wait'];

/**
 * Completes a workflow's event-driven wait when an RDS event names one of the fork's resources. A
 * fork has up to two waits at once (its create or delete workflow's, and its refresh workflow's:
 * lambdas/core/wait-tokens.ts), and the event may concern either: each is re-checked.
 * The event is only a hint (RDS events are best effort and say nothing about the whole database,
 * e.g. a cluster without its writer): the handler re-runs the check the wait was parked on, a
 * Describe, on the state the wait began with, and answers the Task with exactly what that check
 * answers — SendTaskSuccess with its output when ready, SendTaskFailure with its error when it
 * fails (a failed status, an abandoned create, a spent wait budget), nothing when not ready yet.
 * A throttled or 5xx check is thrown, so the asynchronous invoke retries it. Task tokens are never
 * logged.
 */
export async function handleRdsEvent(event: unknown, rt: RdsEventRuntime): Promise<RdsEventOutcome> {
  const parsed = rdsEventSchema.safeParse(event);
  if (!parsed.success) {
    rt.logger.warn('not an RDS event', { issues: parsed.error.issues.map((i) => i.message) });
    return 'not-a-fork';
  }
  const { detail } = parsed.data;
  const forkId = forkIdOfResource(detail.SourceIdentifier);
  if (forkId === undefined) return 'not-a-fork';
  const log = rt.logger.createChild({
    persistentKeys: { forkId, rdsEvent: detail.EventID ?? parsed.data['detail-type'] },
  });
  const outcomes: RdsEventOutcome[] = [];
  for (const slot of WAIT_SLOTS) {
    const wait = await rt.waits.get(forkId, slot);
    outcomes.push(await answerWait(forkId, slot, wait, rt, log));
  }
  return OUTCOME_RANK.find((outcome) => outcomes.includes(outcome)) ?? 'no-wait';
}

async function answerWait(
  forkId: string,
  slot: WaitSlot,
  wait: ParkedWait | undefined,
  rt: RdsEventRuntime,
  log: RdsEventRuntime['logger'],
): Promise<RdsEventOutcome> {
  const check = wait ? WAITABLE_CHECKS[wait.step] : undefined;
  if (!wait || !check) {
    log.debug('no wait to complete', { slot });
    return 'no-wait';
  }
  let output: Awaited<ReturnType<Step['run']>>;
  try {
    output = await check.run(wait.state, rt);
  } catch (error) {
    // Only dbfork's own verdicts fail the wait; anything else (throttling, an unexpected answer) is
    // retried by the asynchronous invoke, and the wait's safety-net check still runs.
    if (!isDbForkError(error) || error instanceof TransientAwsError) throw error;
    const failed = await failWait(rt, forkId, wait.token, error, slot);
    log.info('wait failed by its check', { error: error.name, failed, slot });
    return failed ? 'failed' : 'stale';
  }
  if (output.ready !== true) return 'not-ready';
  const completed = await completeWait(rt, forkId, wait.token, output, slot);
  log.info('wait completed by an RDS event', { step: wait.step, completed, slot });
  return completed ? 'completed' : 'stale';
}

const runtime = lazyRuntime(RDS_EVENT_PARTS);

export const handler = traced(
  'rds-event',
  (event: unknown): Promise<RdsEventOutcome> => handleRdsEvent(event, runtime()),
);
