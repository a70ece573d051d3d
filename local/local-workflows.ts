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
import { LocalTaskTokens } from './local-task-tokens.js';
import {
  type BoundStateMachine,
  bindStateMachine,
  type CloudFormationTemplate,
  type JsonValue,
  type StateMachineEvent,
  StateMachineExecutionError,
} from './state-machine-runner.js';

/**
 * Runs the synthesized CreateFork / DeleteFork / RefreshFork state machines in-process, each Task bound to the
 * same step handler the Lambda runs. Stands in for Step Functions offline and in the workflow
 * tests. Like a Standard workflow, starting an execution whose name is already running or done is
 * a no-op, so a create's execution name (the fork id) runs once.
 */
export type WorkflowKind = 'create' | 'delete' | 'refresh';

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
  async idle(): Promise<void> {
    for (;;) {
      const running = this.list().filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  }
}
