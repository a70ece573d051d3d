import type { Runtime } from '../lambdas/core/runtime.js';
import {
  type CleanupCause,
  deleteExecutionName,
  type MemberInput,
  refreshExecutionName,
  type WorkflowStarter,
} from '../lambdas/core/workflows.js';
import { type StepHandlers, stepHandlers } from '../lambdas/steps/registry.js';
import { NAMES } from '../lib/names.js';
import { PARK_MEMBER_STATE } from '../lib/workflow-states.js';
import { LocalTaskTokens } from './local-task-tokens.js';
import {
  type BoundStateMachine,
  bindStateMachine,
  type CloudFormationTemplate,
  type JsonValue,
  type StateMachineEvent,
  StateMachineExecutionError,
  statesEntered,
} from './state-machine-runner.js';

/**
 * Runs the synthesized CreateFork / DeleteFork / RefreshFork state machines in-process, each Task bound to the
 * same step handler the Lambda runs. Stands in for Step Functions offline and in the workflow
 * tests. Like a Standard workflow, starting an execution whose name is already running or done is
 * a no-op, so a create's execution name (the fork id) runs once.
 */
export type WorkflowKind = 'create' | 'delete' | 'refresh';

const PARKED_RECHECK_MS = 25;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running execution whose latest state is a pool member's ParkMember (lib/workflow-states.ts). */
export function isParked(execution: LocalExecution): boolean {
  return execution.status === 'RUNNING' && statesEntered(execution.events).at(-1) === PARK_MEMBER_STATE;
}

export interface LocalExecution {
  kind: WorkflowKind;
  name: string;
  forkId: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  events: readonly StateMachineEvent[];
  output?: JsonValue;
  error?: { error: string; cause: string };
  done: Promise<void>;
}

export interface LocalWorkflowsOptions {
  /** Milliseconds each Wait state waits. @default 1 */
  waitMs?: number;
  /**
   * Milliseconds a `.waitForTaskToken` Task's heartbeat / timeout of `seconds` lasts offline.
   * @default seconds × 1000 / 30 (a 30 s poll Wait lasts 1 s offline; these scale alike)
   */
  taskTimerMs?: (stateName: string, seconds: number, timer: 'heartbeat' | 'timeout') => number;
  /** Replace or wrap handlers, e.g. to inject faults. */
  wrapHandlers?: (handlers: StepHandlers) => StepHandlers;
  onSettled?: (execution: LocalExecution) => void;
}

export class LocalWorkflows implements WorkflowStarter {
  private machines?: Record<WorkflowKind, BoundStateMachine>;
  private readonly executions = new Map<string, LocalExecution>();
  /** The tokens of waiting Tasks; give it to the runtime as its TaskCompletion (`tasks`). */
  readonly taskTokens = new LocalTaskTokens();

  constructor(
    private readonly template: CloudFormationTemplate,
    private readonly options: LocalWorkflowsOptions = {},
  ) {}

  /** Binds the machines to a runtime's handlers (the runtime is built with this starter, hence apart). */
  attach(rt: Runtime): this {
    const base = stepHandlers(rt);
    const handlers = this.options.wrapHandlers ? this.options.wrapHandlers(base) : base;
    const bind = (name: string) =>
      bindStateMachine({
        template: this.template,
        stateMachine: (_id, resource) => resource.Properties?.StateMachineName === name,
        handlers,
        waitMs: this.options.waitMs ?? 1,
        taskTokens: this.taskTokens,
        taskTimerMs: this.options.taskTimerMs ?? ((_state, seconds) => (seconds * 1000) / 30),
      });
    this.machines = {
      create: bind(NAMES.createStateMachine),
      delete: bind(NAMES.deleteStateMachine),
      refresh: bind(NAMES.refreshStateMachine),
    };
    return this;
  }

  async startCreate(forkId: string, member?: MemberInput): Promise<void> {
    this.start('create', forkId, forkId, member ? { pool: member } : {});
  }

  async startDelete(forkId: string, reason: string): Promise<void> {
    this.start('delete', deleteExecutionName(forkId, reason), forkId);
  }

  async startCleanup(forkId: string, reason: string, error: CleanupCause): Promise<void> {
    this.start('delete', deleteExecutionName(forkId, reason), forkId, { mode: 'cleanup', error });
  }

  async startRefresh(forkId: string, attempt: number): Promise<void> {
    this.start('refresh', refreshExecutionName(forkId, attempt), forkId, { refresh: { attempt } });
  }

  async startRefreshCleanup(
    forkId: string,
    attempt: number,
    reason: string,
    error: CleanupCause,
  ): Promise<void> {
    const name = `${refreshExecutionName(forkId, attempt)}-${reason}`.slice(0, 80);
    this.start('refresh', name, forkId, { refresh: { attempt }, mode: 'abandon', error });
  }

  /** Starts an execution named `name` once (a second start of the name returns the first). */
  start(kind: WorkflowKind, name: string, forkId: string, extra: object = {}): LocalExecution {
    const key = `${kind}:${name}`;
    const existing = this.executions.get(key);
    if (existing) return existing;
    if (!this.machines) throw new Error('LocalWorkflows.attach(runtime) was not called');
    const run = this.machines[kind].run({ ...extra, forkId }, { executionName: name });
    const execution: LocalExecution = {
      kind,
      name,
      forkId,
      status: 'RUNNING',
      events: run.events,
      done: Promise.resolve(),
    };
    execution.done = run.result
      .then(
        (output) => {
          execution.status = 'SUCCEEDED';
          execution.output = output;
        },
        (error: unknown) => {
          if (error instanceof StateMachineExecutionError) {
            execution.status = error.status;
            execution.error = { error: error.error, cause: error.cause };
          } else {
            execution.status = 'FAILED';
            execution.error = { error: 'LocalRunnerError', cause: String(error) };
          }
        },
      )
      .finally(() => this.options.onSettled?.(execution));
    this.executions.set(key, execution);
    return execution;
  }

  list(forkId?: string): LocalExecution[] {
    return [...this.executions.values()].filter((e) => forkId === undefined || e.forkId === forkId);
  }

  /** Resolves once no execution is running (including ones started while waiting). */
  /**
   * Resolves once every execution has ended, or waits parked: a warm-pool member's CreateFork
   * waits at ParkMember until a create claims it or the keeper retires it, however long that is.
   */
  async idle(): Promise<void> {
    let quietChecks = 0;
    // Parked twice in a row: a claim that just completed a member's token has moved it on by then.
    while (quietChecks < 2) {
      const running = this.list().filter((e) => e.status === 'RUNNING' && !isParked(e));
      if (running.length > 0) {
        quietChecks = 0;
        // An execution may park while we wait for it: look again now and then.
        await Promise.race([Promise.all(running.map((e) => e.done)), pause(PARKED_RECHECK_MS)]);
        continue;
      }
      if (!this.list().some((e) => e.status === 'RUNNING')) return;
      quietChecks += 1;
      await pause(PARKED_RECHECK_MS);
    }
  }
}
