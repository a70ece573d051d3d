/**
 * Runs a synthesized CloudFormation state machine in-process with aws-local-stepfunctions,
 * each Task state bound to the handler code that its Lambda function runs.
 *
 *   const machine = bindStateMachine({ template, stateMachine: 'CreateForkStateMachine1234', handlers });
 *   const run = machine.run({ forkId: 'fork-1' });
 *   const output = await run.result;          // rejects with StateMachineExecutionError
 *   countTransitions(run.events);              // states entered
 *
 * - The `DefinitionString` (an `Fn::Join` of JSON text and intrinsics such as
 *   `{"Fn::GetAtt": [fn, "Arn"]}` and `{"Ref": "AWS::Partition"}`) is rendered with placeholder
 *   values: a function's ARN is `arn:aws:lambda:us-east-1:123456789012:function:<logicalId>`.
 * - A Task state whose Resource is a function ARN (CDK `LambdaInvoke` with
 *   `payloadResponseOnly: true`), or `arn:aws:states:::lambda:invoke` with a function ARN as
 *   `FunctionName`, runs `handlers[step]` where step is the function's `DBFORK_STEP`
 *   environment variable in the template. Any other Task needs `stateHandlers[stateName]`.
 *   Missing handlers are reported when binding, not half-way through a run.
 * - Handlers see what a Lambda would: JSON input, a Lambda-like context, JSON output; a thrown
 *   error becomes the Step Functions error named after `error.name` (the Lambda `errorType`),
 *   whose Cause is Lambda's `{"errorType","errorMessage","trace"}` JSON text.
 * - Wait states and Retry intervals are shortened to a few milliseconds.
 * - `.waitForTaskToken` Tasks get a token from `taskTokens` and wait for its completion, with
 *   heartbeat and timeout timers shortened by `taskTimerMs` (local/wait-for-task-token.ts).
 */
import './node20-polyfills.js';
import { randomUUID } from 'node:crypto';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { placeholderFunctionArn, placeholders, renderStateMachineDefinition } from './cfn-definition.js';
import { asLambda, functionTimeout, LambdaFunctionError } from './lambda-invocation.js';
import type { LocalTaskTokens } from './local-task-tokens.js';
import {
  type CloudFormationTemplate,
  isRecord,
  type JsonValue,
  listNames,
  type PlaceholderOptions,
  StateMachineBindError,
  StateMachineExecutionError,
  type StateMachineSelector,
  type StepHandler,
} from './state-machine-types.js';
import {
  isWaitForTaskToken,
  rewriteTaskTokenState,
  type TaskTimerMs,
  waitForTaskToken,
} from './wait-for-task-token.js';

// The runner's public surface includes what its parts define (callers import it from here).
export { placeholderFunctionArn, renderStateMachineDefinition } from './cfn-definition.js';
export {
  type CfnResource,
  type CloudFormationTemplate,
  type ExecutionStatus,
  type JsonValue,
  type PlaceholderOptions,
  StateMachineBindError,
  StateMachineExecutionError,
  type StateMachineSelector,
  type StepHandler,
} from './state-machine-types.js';

// ---------------------------------------------------------------------------------------------
// Types

export interface BindStateMachineOptions extends PlaceholderOptions {
  readonly template: CloudFormationTemplate;
  readonly stateMachine: StateMachineSelector;
  /** Handlers by step name (the functions' `DBFORK_STEP`). */
  readonly handlers: Readonly<Record<string, StepHandler>>;
  /**
   * Handlers by Task state name; they win over `handlers` and bind non-Lambda Tasks. They get the
   * Task's effective input (after `Parameters`) and their result is the Task's raw result.
   */
  readonly stateHandlers?: Readonly<Record<string, StepHandler>>;
  /** Milliseconds every Wait state waits, or per state. @default 1 */
  readonly waitMs?: number | ((stateName: string) => number);
  /** Milliseconds before each retry of a state with `Retry`. @default 1 */
  readonly retryMs?: number;
  /** `lambda`: Cause is Lambda's error JSON text, as on AWS; `message`: the error message. @default 'lambda' */
  readonly errorCause?: 'lambda' | 'message';
  /** Issues and completes the tokens of `.waitForTaskToken` Tasks (required when there are any). */
  readonly taskTokens?: LocalTaskTokens;
  /** Milliseconds of a `.waitForTaskToken` Task's heartbeat / timeout. @default seconds × 1000 */
  readonly taskTimerMs?: TaskTimerMs;
  /** Validate the definition with asl-validator first. @default true */
  readonly validate?: boolean;
}

export interface RunStateMachineOptions {
  /** `$$.Execution.Name`. @default a random UUID */
  readonly executionName?: string;
}

export interface BoundTask {
  readonly stateName: string;
  readonly resource: string;
  /** Logical id of the Lambda function the Task invokes, if it invokes one of the template's. */
  readonly functionLogicalId?: string;
  /** That function's `DBFORK_STEP`. */
  readonly step?: string;
  /** `step` (handlers) or `state` (stateHandlers). */
  readonly boundBy: 'step' | 'state';
}

export interface BoundStateMachine {
  readonly logicalId: string;
  /** `arn:aws:states:<region>:<account>:stateMachine:<logicalId>` */
  readonly arn: string;
  readonly definition: StateMachineDefinition;
  readonly tasks: readonly BoundTask[];
  run(input: unknown, options?: RunStateMachineOptions): StateMachineRun;
}

type LocalRun = ReturnType<StateMachine['run']>;
/** One entry of the execution's event log (aws-local-stepfunctions' event objects). */
export type StateMachineEvent = LocalRun['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface StateMachineRun {
  /** The execution's output; rejects with {@link StateMachineExecutionError}. */
  readonly result: Promise<JsonValue>;
  /** Every event so far (execution, state entered/exited/failed/retried/caught); complete once `result` settles. */
  readonly events: readonly StateMachineEvent[];
  readonly executionName: string;
  /** Stops the execution; `result` rejects with status `ABORTED`. */
  abort(): void;
}

// ---------------------------------------------------------------------------------------------
// Binding

type LocalOverrides = NonNullable<RunOptions['overrides']>;
type LocalTaskHandler = NonNullable<LocalOverrides['taskResourceLocalHandlers']>[string];
type AnyState = StateMachineDefinition['States'][string];

interface StateVisit {
  readonly name: string;
  readonly state: AnyState;
}

function walkStates(
  definition: Pick<StateMachineDefinition, 'States'>,
  visit: (v: StateVisit) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit({ name, state });
    if (state.Type === 'Parallel') {
      for (const branch of state.Branches) walkStates(branch, visit);
    }
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) walkStates(processor, visit);
    }
  }
}

/**
 * `"ResultPath": "$"` means "the result replaces the state" (the default), but aws-local-stepfunctions
 * 3.0.0 strips only a leading "$." and so writes the result under a key named "$", leaving the
 * input unchanged. Dropping the field is equivalent under the ASL spec and runs correctly.
 */
function withoutRootResultPaths(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition);
  walkStates(copy, ({ state }) => {
    if ('ResultPath' in state && state.ResultPath === '$')
      delete (state as { ResultPath?: unknown }).ResultPath;
    for (const catcher of 'Catch' in state ? (state.Catch ?? []) : []) {
      if (catcher.ResultPath === '$') delete catcher.ResultPath;
    }
    rewriteTaskTokenState(state);
  });
  return copy;
}

const FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke(?:\.waitForTaskToken)?$/;

interface TaskTarget {
  readonly functionLogicalId?: string;
  readonly viaLambdaInvoke: boolean;
}

function taskTarget(template: CloudFormationTemplate, state: AnyState): TaskTarget {
  if (state.Type !== 'Task') return { viaLambdaInvoke: false };
  const fromArn = (arn: unknown): string | undefined => {
    const match = typeof arn === 'string' ? FUNCTION_ARN.exec(arn) : null;
    const id = match?.[1];
    return id !== undefined && template.Resources?.[id]?.Type === 'AWS::Lambda::Function' ? id : undefined;
  };
  const direct = fromArn(state.Resource);
  if (direct !== undefined) return { functionLogicalId: direct, viaLambdaInvoke: false };
  if (LAMBDA_INVOKE.test(state.Resource) && isRecord(state.Parameters)) {
    const viaInvoke = fromArn(state.Parameters.FunctionName);
    if (viaInvoke !== undefined) return { functionLogicalId: viaInvoke, viaLambdaInvoke: true };
  }
  return { viaLambdaInvoke: false };
}

function stepOf(template: CloudFormationTemplate, functionLogicalId: string): string | undefined {
  const environment = template.Resources?.[functionLogicalId]?.Properties?.Environment;
  const variables = isRecord(environment) ? environment.Variables : undefined;
  const step = isRecord(variables) ? variables.DBFORK_STEP : undefined;
  return typeof step === 'string' ? step : undefined;
}

/** Renders and binds a synthesized state machine; throws {@link StateMachineBindError} on any gap. */
export function bindStateMachine(options: BindStateMachineOptions): BoundStateMachine {
  const { template } = options;
  const p = placeholders(options);
  const { logicalId, definition } = renderStateMachineDefinition(template, options.stateMachine, p);
  const stateHandlers = options.stateHandlers ?? {};
  const errorCause = options.errorCause ?? 'lambda';

  const tasks: BoundTask[] = [];
  const localHandlers: Record<string, LocalTaskHandler> = {};
  const waitOverrides: Record<string, number> = {};
  const retryOverrides: Record<string, number> = {};
  const problems: string[] = [];
  const retryMs = options.retryMs ?? 1;
  const waitMs = options.waitMs ?? 1;
  const taskTimerMs: TaskTimerMs = options.taskTimerMs ?? ((_state, seconds) => seconds * 1000);

  walkStates(definition, ({ name, state }) => {
    if (state.Type === 'Wait') {
      waitOverrides[name] = typeof waitMs === 'function' ? waitMs(name) : waitMs;
    }
    if ('Retry' in state && state.Retry !== undefined) retryOverrides[name] = retryMs;
    if (state.Type !== 'Task') return;

    const target = taskTarget(template, state);
    const step =
      target.functionLogicalId === undefined ? undefined : stepOf(template, target.functionLogicalId);
    const byState = stateHandlers[name];
    const byStep = step === undefined ? undefined : options.handlers[step];
    const handler = byState ?? byStep;
    if (handler === undefined) {
      if (target.functionLogicalId === undefined) {
        problems.push(
          `Task '${name}' calls ${state.Resource}, not a Lambda function of the template: pass stateHandlers['${name}']`,
        );
      } else if (step === undefined) {
        problems.push(
          `Task '${name}' invokes function '${target.functionLogicalId}', which has no DBFORK_STEP environment variable`,
        );
      } else {
        problems.push(
          `Task '${name}' runs step '${step}' (function '${target.functionLogicalId}'): no handler for it`,
        );
      }
      return;
    }
    tasks.push({
      stateName: name,
      resource: state.Resource,
      ...(target.functionLogicalId === undefined ? {} : { functionLogicalId: target.functionLogicalId }),
      ...(step === undefined ? {} : { step }),
      boundBy: byState === undefined ? 'step' : 'state',
    });
    const functionName = target.functionLogicalId ?? name;
    const invoke = asLambda(handler, {
      functionName,
      functionArn: placeholderFunctionArn(functionName, p),
      timeoutSeconds: functionTimeout(template, target.functionLogicalId),
      viaLambdaInvoke: target.viaLambdaInvoke && byState === undefined,
      errorCause,
    });
    if (!isWaitForTaskToken(state.Resource)) {
      localHandlers[name] = invoke;
    } else if (options.taskTokens === undefined) {
      problems.push(`Task '${name}' waits for a task token: pass taskTokens`);
    } else {
      localHandlers[name] = waitForTaskToken(name, invoke, options.taskTokens, taskTimerMs);
    }
  });

  if (problems.length > 0) {
    throw new StateMachineBindError(
      `cannot bind state machine '${logicalId}':\n  - ${problems.join('\n  - ')}\n` +
        `handlers given for steps: ${listNames(Object.keys(options.handlers))}`,
    );
  }

  if (options.validate !== false) validateOnce(definition, logicalId);
  const machine = new StateMachine(withoutRootResultPaths(definition), {
    validationOptions: { noValidate: true },
  });
  const arn = `arn:${p.partition}:states:${p.region}:${p.accountId}:stateMachine:${logicalId}`;

  return {
    logicalId,
    arn,
    definition,
    tasks,
    run: (input, runOptions = {}) =>
      startRun(machine, input, {
        executionName: runOptions.executionName ?? randomUUID(),
        stateMachineArn: arn,
        stateMachineName: logicalId,
        overrides: {
          taskResourceLocalHandlers: localHandlers,
          waitTimeOverrides: waitOverrides,
          retryIntervalOverrides: retryOverrides,
        },
      }),
  };
}

const validDefinitions = new Set<string>();

/**
 * asl-validator takes a few hundred milliseconds per call (and adds QueryLanguage to every
 * state of the object it checks): check a copy, once per distinct definition.
 */
function validateOnce(definition: StateMachineDefinition, logicalId: string): void {
  const text = JSON.stringify(definition);
  if (validDefinitions.has(text)) return;
  try {
    new StateMachine(JSON.parse(text) as StateMachineDefinition);
  } catch (error) {
    throw new StateMachineBindError(`state machine '${logicalId}': ${(error as Error).message}`, {
      cause: error,
    });
  }
  validDefinitions.add(text);
}

/** Binds and starts in one call (binding errors are thrown synchronously). */
export function runStateMachine(
  options: BindStateMachineOptions & RunStateMachineOptions & { readonly input: unknown },
): StateMachineRun {
  return bindStateMachine(options).run(options.input, options);
}

// ---------------------------------------------------------------------------------------------
// Running

interface StartRunOptions {
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly overrides: LocalOverrides;
}

function startRun(machine: StateMachine, input: unknown, options: StartRunOptions): StateMachineRun {
  const executionArn = options.stateMachineArn
    .replace(':stateMachine:', ':execution:')
    .concat(`:${options.executionName}`);
  const local = machine.run(JSON.parse(JSON.stringify(input ?? {})) as JsonValue, {
    overrides: options.overrides,
    context: {
      Execution: { Id: executionArn, Name: options.executionName },
      StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineName },
    },
  });

  const events: StateMachineEvent[] = [];
  const drained = (async () => {
    for await (const event of local.eventLogs) events.push(event);
  })();

  const result = local.result.then(
    async (output) => {
      await drained;
      return output as JsonValue;
    },
    async (thrown: unknown) => {
      await drained;
      throw toExecutionError(thrown);
    },
  );

  return {
    result,
    events,
    executionName: options.executionName,
    abort: () => local.abort(),
  };
}

function toExecutionError(thrown: unknown): StateMachineExecutionError {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  if (error.name === 'ExecutionAbortedError') {
    return new StateMachineExecutionError('ABORTED', 'States.Aborted', 'execution aborted');
  }
  if (error.name === 'ExecutionTimeoutError') {
    return new StateMachineExecutionError('TIMED_OUT', 'States.Timeout', 'execution timed out');
  }
  // aws-local-stepfunctions wraps the state's error in ExecutionError { cause }.
  const failure = error.name === 'ExecutionError' && error.cause instanceof Error ? error.cause : error;
  const handlerError = failure instanceof LambdaFunctionError ? failure.handlerError : undefined;
  return new StateMachineExecutionError('FAILED', failure.name, failure.message, handlerError);
}

// ---------------------------------------------------------------------------------------------
// Event log helpers

/** State transitions of a run: the number of states entered (nested Map/Parallel states included). */
export function countTransitions(events: readonly StateMachineEvent[]): number {
  return events.filter((event) => event.type === 'StateEntered').length;
}

/** Names of the states entered, in order. */
export function statesEntered(events: readonly StateMachineEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : []));
}

//
