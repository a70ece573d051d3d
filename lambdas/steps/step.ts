import { ForkStateConflictError, WaitTimeoutError } from '../core/errors.js';
import type { ForkRecord, ForkStep } from '../core/fork.js';
import { FORK_ID_PATTERN } from '../core/ids.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import type { RuntimePart } from '../core/runtime-parts.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeBase, RuntimeWith, ServiceName } from '../core/runtime-types.js';
import { annotate, traced } from '../core/tracing.js';
import { asStepError } from '../core/transient-errors.js';
import * as z from '../core/zod.js';
import { isAwaitEnvelope, parkAndCheck } from './await-event.js';
import type { StepName } from './step-names.js';
import { FIRST_HEARTBEAT_SECONDS, heartbeatAfter, WAIT_BUDGET_MINUTES } from './wait-budgets.js';

export {
  FIRST_HEARTBEAT_SECONDS,
  heartbeatAfter,
  MAX_HEARTBEAT_SECONDS,
  WAIT_BUDGET_MINUTES,
} from './wait-budgets.js';

/**
 * The state that flows through both workflows (docs/workflows.md). Each step parses it, does one
 * thing, and returns it with its own additions; unknown fields pass through untouched.
 */
export const workflowStateSchema = z.looseObject({
  forkId: z.string().check(z.regex(FORK_ID_PATTERN, 'is not a fork id')),
  /** DeleteFork: a delete or a failed create's cleanup; RefreshFork: `abandon` undoes a stuck refresh. */
  mode: z.optional(z.enum(['delete', 'cleanup', 'abandon'])),
  ready: z.optional(z.boolean()),
  alreadyDeleted: z.optional(z.boolean()),
  poll: z.optional(z.object({ startedAt: z.string(), count: z.int() })),
  /** The next event-driven wait's heartbeat: how long it trusts RDS events before checking itself. */
  heartbeatSeconds: z.optional(z.int().check(z.positive())),
  /** The fork database's endpoint, as the last check saw it ready (register-dns points the name at it). */
  endpoint: z.optional(z.object({ host: z.string().check(z.minLength(1)), port: z.int() })),
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.unknown()) })),
  /**
   * RefreshFork: the refresh's number, and (once its teardown starts) which database it removes:
   * the `new` one after a failure, the `previous` one after the switch. The restore steps and
   * checks work on the refresh's new database when it is present (database-target.ts).
   */
  refresh: z.optional(
    z.object({
      attempt: z.int().check(z.positive()),
      teardown: z.optional(z.enum(['new', 'previous'])),
    }),
  ),
  /**
   * CreateFork of a warm-pool member (lambdas/core/pool-records.ts): the pool's source, and how long
   * the member may wait parked for a claim. A claim's output replaces the state without it, so the
   * rest of the create runs as any fork's.
   */
  pool: z.optional(z.object({ source: z.string(), timeoutSeconds: z.int().check(z.positive()) })),
  /** RefreshFork started by the recurring schedule: the workflow claims the refresh itself. */
  scheduled: z.optional(z.boolean()),
  /** RefreshFork had nothing to do (the fork was not ready, or another refresh was running). */
  skipped: z.optional(z.boolean()),
});
export type WorkflowState = z.infer<typeof workflowStateSchema>;

export type StepResult = Partial<Omit<WorkflowState, 'forkId'>>;
export type StepBody<S extends ServiceName> = (
  state: WorkflowState,
  rt: RuntimeWith<S>,
) => Promise<StepResult>;

/**
 * A workflow step. `run` is the step's code on any runtime that has its services (the offline
 * runner and tests pass a full one); `handler` is the Lambda entry point, whose runtime builds only
 * those services, so its bundle holds only their SDK clients.
 */
export interface Step<S extends ServiceName = ServiceName> {
  name: StepName;
  /** The services its Lambda builds. */
  services: readonly S[];
  run(input: unknown, rt: RuntimeWith<S>): Promise<WorkflowState>;
  handler(input: unknown): Promise<WorkflowState>;
}

/** The services an event-driven wait's check needs on top of its own: park the token, answer the Task. */
type AwaitServices = 'waits' | 'tasks';

function runner<S extends ServiceName>(name: StepName, body: StepBody<S>) {
  return async (input: unknown, rt: RuntimeWith<S>): Promise<WorkflowState> => {
    const state = workflowStateSchema.parse(input);
    annotate('forkId', state.forkId);
    const child = rt.logger.createChild({ persistentKeys: { forkId: state.forkId, step: name } });
    try {
      const result = await body(state, rt);
      child.debug('step done', { ready: result.ready });
      return { ...state, ...result };
    } catch (caught) {
      // Throttling and 5xx answers surface as one retryable name (TransientAwsError).
      const error = asStepError(caught);
      child.warn('step failed', {
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      throw error;
    }
  };
}

/** A step the workflows invoke plainly (not as an event-driven wait); `needs` lists its services. */
export function defineStep<S extends ServiceName>(
  name: StepName,
  needs: readonly RuntimePart<S>[],
  body: StepBody<S>,
): Step<S> {
  const run = runner(name, body);
  const runtime = lazyRuntime(needs);
  return {
    name,
    services: needs.map((part) => part.service),
    run,
    handler: traced(name, (input: unknown) => run(input, runtime())),
  };
}

/**
 * A check an event-driven wait invokes with `{ state, taskToken }` (docs/workflows.md): it parks
 * the token, then checks once. Invoked with a plain state it is an ordinary step (the poll loops).
 */
export function defineAwaitedStep<S extends ServiceName>(
  name: StepName,
  needs: readonly RuntimePart<S>[],
  body: StepBody<S>,
): Step<S | AwaitServices> {
  const runState = runner<S>(name, body);
  const run = (input: unknown, rt: RuntimeWith<S | AwaitServices>): Promise<WorkflowState> => {
    if (!isAwaitEnvelope(input)) return runState(input, rt);
    const { forkId } = workflowStateSchema.parse(input.state);
    return parkAndCheck(name, input, forkId, rt, (state) => runState(state, rt));
  };
  const all = [...needs, parts.waits, parts.tasks];
  const runtime = lazyRuntime<S | AwaitServices>(all);
  return {
    name,
    services: all.map((part) => part.service),
    run,
    handler: traced(name, (input: unknown) => run(input, runtime())),
  };
}

/** Bookkeeping of a Wait/Check/Choice loop: throws once the loop has run past its budget. */
export function nextPoll(state: WorkflowState, rt: RuntimeBase, budget: keyof typeof WAIT_BUDGET_MINUTES) {
  const now = rt.now();
  const poll = state.poll ?? { startedAt: now.toISOString(), count: 0 };
  const elapsedMinutes = (now.getTime() - new Date(poll.startedAt).getTime()) / 60_000;
  if (elapsedMinutes > WAIT_BUDGET_MINUTES[budget]) {
    throw new WaitTimeoutError(
      `gave up waiting for the ${budget} after ${Math.round(elapsedMinutes)} minutes (${poll.count} checks)`,
    );
  }
  return { ...poll, count: poll.count + 1 };
}

/**
 * The create's wait loops stop once the fork is no longer being created: a delete (or expiry) that
 * overtook the create is tearing the database down, and waiting for it to become available would
 * poll until the wait budget ran out. Throwing sends the create to its cleanup path.
 */
export function assertStillCreating(fork: ForkRecord): void {
  if (fork.status !== 'creating') {
    throw new ForkStateConflictError(
      `fork ${fork.id} is ${fork.status} (${fork.step}): its creation was abandoned`,
      { details: [{ message: 'creation abandoned', status: fork.status, step: fork.step }] },
    );
  }
}

/** Result of the step that starts an awaited change: not ready → the wait starts with the first heartbeat. */
export function waitStarts(ready: boolean): StepResult {
  return ready
    ? { ready: true, poll: undefined, heartbeatSeconds: undefined }
    : { ready: false, poll: undefined, heartbeatSeconds: FIRST_HEARTBEAT_SECONDS };
}

/** Result of a check: when done the loop bookkeeping is dropped so the next loop starts afresh. */
export function checked(ready: boolean, poll: { startedAt: string; count: number }): StepResult {
  return ready
    ? { ready: true, poll: undefined, heartbeatSeconds: undefined }
    : { ready: false, poll, heartbeatSeconds: heartbeatAfter(poll.count) };
}

/**
 * Teardown steps run in two modes: a delete walks the `deleting` steps; the cleanup of a failed
 * create stays at `cleaning-up`, so only a delete moves the record.
 */
export async function teardownProgress(
  state: WorkflowState,
  rt: RuntimeWith<'store'>,
  step: ForkStep,
  message: string,
): Promise<ForkRecord> {
  if (state.mode === 'delete') {
    const fork = await rt.store.mustGet(state.forkId);
    if (fork.status !== 'deleting') return fork;
    try {
      return await rt.store.transition(state.forkId, { step, message });
    } catch (error) {
      // A concurrent delete of the same fork is further along: the work is still idempotent.
      if (error instanceof ForkStateConflictError) return rt.store.mustGet(state.forkId);
      throw error;
    }
  }
  return rt.store.mustGet(state.forkId);
}
