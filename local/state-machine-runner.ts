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
import type { Context as LambdaContext } from 'aws-lambda';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalTaskTokens } from './local-task-tokens.js';
import {
  isWaitForTaskToken,
  rewriteTaskTokenState,
  type TaskTimerMs,
  waitForTaskToken,
} from './wait-for-task-token.js';

// ---------------------------------------------------------------------------------------------
// Types

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A handler as a Lambda runs it: `(event, context) => result`. Extra parameters are optional. */
export type StepHandler = {
  // Method syntax keeps parameters bivariant, so `(event: ForkState) => Promise<ForkState>` fits.
  bivarianceHack(event: unknown, context: LambdaContext): unknown;
}['bivarianceHack'];

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface CloudFormationTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

/** Logical id of the `AWS::StepFunctions::StateMachine`, or a predicate choosing exactly one. */
export type StateMachineSelector = string | ((logicalId: string, resource: CfnResource) => boolean);

export interface PlaceholderOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

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

export type ExecutionStatus = 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** The execution did not succeed: `error` and `cause` as DescribeExecution would give them. */
export class StateMachineExecutionError extends Error {
  override readonly name = 'StateMachineExecutionError';
  readonly status: ExecutionStatus;
  /** Step Functions error name, e.g. the `name` of the error a handler threw, or `States.Timeout`. */
  readonly error: string;
  /** Step Functions cause text. */
  override readonly cause: string;
  /** What the handler threw, when the failure came from a handler. */
  readonly handlerError?: unknown;

  constructor(status: ExecutionStatus, error: string, cause: string, handlerError?: unknown) {
    super(`state machine execution ${status}: ${error}${cause ? `: ${cause}` : ''}`);
    this.status = status;
    this.error = error;
    this.cause = cause;
    if (handlerError !== undefined) this.handlerError = handlerError;
  }
}

/** The template or the handlers do not fit together (raised before any state runs). */
export class StateMachineBindError extends Error {
  override readonly name = 'StateMachineBindError';
}

// ---------------------------------------------------------------------------------------------
// Rendering the CloudFormation definition

interface Placeholders {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

function placeholders(options: PlaceholderOptions): Placeholders {
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    partition: options.partition ?? 'aws',
  };
}

/** Placeholder ARN of a Lambda function, by logical id. */
export function placeholderFunctionArn(logicalId: string, options: PlaceholderOptions = {}): string {
  const p = placeholders(options);
  return `arn:${p.partition}:lambda:${p.region}:${p.accountId}:function:${logicalId}`;
}

function findStateMachine(
  template: CloudFormationTemplate,
  selector: StateMachineSelector,
): [string, CfnResource] {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (typeof selector === 'string') {
    const found = machines.find(([id]) => id === selector);
    if (found === undefined) {
      throw new StateMachineBindError(
        `no AWS::StepFunctions::StateMachine '${selector}' in the template (found: ${names(machines.map(([id]) => id))})`,
      );
    }
    return found;
  }
  const matches = machines.filter(([id, resource]) => selector(id, resource));
  const [first, ...others] = matches;
  if (first === undefined || others.length > 0) {
    throw new StateMachineBindError(
      `the state machine predicate matched ${matches.length} of ${names(machines.map(([id]) => id))}; it must match exactly one`,
    );
  }
  return first;
}

/** Renders the definition of a synthesized state machine to an ASL object. */
export function renderStateMachineDefinition(
  template: CloudFormationTemplate,
  stateMachine: StateMachineSelector,
  options: PlaceholderOptions = {},
): { logicalId: string; definition: StateMachineDefinition } {
  const [logicalId, resource] = findStateMachine(template, stateMachine);
  const properties = resource.Properties ?? {};
  const resolver = new IntrinsicResolver(template, placeholders(options));
  let text: string;
  if (properties.Definition !== undefined && properties.DefinitionString === undefined) {
    text = JSON.stringify(resolver.resolveDeep(properties.Definition));
  } else if (properties.DefinitionString !== undefined) {
    text = resolver.resolveString(properties.DefinitionString, 'DefinitionString');
  } else {
    throw new StateMachineBindError(`state machine '${logicalId}' has no DefinitionString or Definition`);
  }
  const substitutions = properties.DefinitionSubstitutions;
  if (isRecord(substitutions)) {
    for (const [key, value] of Object.entries(substitutions)) {
      text = text.split(`\${${key}}`).join(resolver.resolveString(value, `DefinitionSubstitutions.${key}`));
    }
  }
  try {
    return { logicalId, definition: JSON.parse(text) as StateMachineDefinition };
  } catch (error) {
    throw new StateMachineBindError(`state machine '${logicalId}': the rendered definition is not JSON`, {
      cause: error,
    });
  }
}

const ARN_SERVICE_BY_TYPE: Record<string, (id: string, p: Placeholders) => string> = {
  'AWS::Lambda::Function': (id, p) => `arn:${p.partition}:lambda:${p.region}:${p.accountId}:function:${id}`,
  'AWS::StepFunctions::StateMachine': (id, p) =>
    `arn:${p.partition}:states:${p.region}:${p.accountId}:stateMachine:${id}`,
  'AWS::DynamoDB::Table': (id, p) => `arn:${p.partition}:dynamodb:${p.region}:${p.accountId}:table/${id}`,
  'AWS::Events::EventBus': (id, p) => `arn:${p.partition}:events:${p.region}:${p.accountId}:event-bus/${id}`,
  'AWS::SQS::Queue': (id, p) => `arn:${p.partition}:sqs:${p.region}:${p.accountId}:${id}`,
  'AWS::SNS::Topic': (id, p) => `arn:${p.partition}:sns:${p.region}:${p.accountId}:${id}`,
  'AWS::IAM::Role': (id, p) => `arn:${p.partition}:iam::${p.accountId}:role/${id}`,
  'AWS::Scheduler::ScheduleGroup': (id, p) =>
    `arn:${p.partition}:scheduler:${p.region}:${p.accountId}:schedule-group/${id}`,
};

class IntrinsicResolver {
  constructor(
    private readonly template: CloudFormationTemplate,
    private readonly p: Placeholders,
  ) {}

  resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== 'string') {
      throw new StateMachineBindError(`${where} resolved to ${JSON.stringify(resolved)}, not a string`);
    }
    return resolved;
  }

  /** Resolves intrinsics anywhere inside a JSON value (for `Definition` objects). */
  resolveDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(item));
    if (isRecord(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) {
        return this.resolve(value, keys[0]);
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveDeep(v)]));
    }
    return value;
  }

  private resolve(value: unknown, where: string): unknown {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (!isRecord(value))
      throw new StateMachineBindError(`${where}: cannot resolve ${JSON.stringify(value)}`);
    const [fn, ...rest] = Object.keys(value);
    if (fn === undefined || rest.length > 0) {
      throw new StateMachineBindError(
        `${where}: expected one intrinsic function, got ${JSON.stringify(value)}`,
      );
    }
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, ...attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        if (id === undefined || attribute.length === 0)
          throw new StateMachineBindError(`${where}: bad Fn::GetAtt`);
        return this.getAtt(id, attribute.join('.'));
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(arg[1])) {
          throw new StateMachineBindError(`${where}: bad Fn::Join`);
        }
        const separator = String(arg[0]);
        return (arg[1] as unknown[]).map((part) => this.resolveString(part, where)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        return this.sub(String(text), isRecord(variables) ? variables : {}, where);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new StateMachineBindError(`${where}: bad Fn::Select`);
        const list = this.resolve(arg[1], where);
        const item = Array.isArray(list) ? list[Number(this.resolve(arg[0], where))] : undefined;
        if (item === undefined) throw new StateMachineBindError(`${where}: Fn::Select out of range`);
        return item;
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new StateMachineBindError(`${where}: bad Fn::Split`);
        return this.resolveString(arg[1], where).split(String(arg[0]));
      }
      default:
        throw new StateMachineBindError(`${where}: ${fn} is not supported by the offline runner`);
    }
  }

  private sub(text: string, variables: Record<string, unknown>, where: string): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in variables) return this.resolveString(variables[name], where);
      const [id, ...attribute] = name.split('.');
      if (id !== undefined && attribute.length > 0) return this.getAtt(id, attribute.join('.'));
      return this.ref(name);
    });
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return this.p.partition;
      case 'AWS::Region':
        return this.p.region;
      case 'AWS::AccountId':
        return this.p.accountId;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'dbfork';
      case 'AWS::StackId':
        return `arn:${this.p.partition}:cloudformation:${this.p.region}:${this.p.accountId}:stack/dbfork/00000000-0000-0000-0000-000000000000`;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) return String(parameter.Default ?? name);
    const resource = this.template.Resources?.[name];
    if (resource === undefined) throw new StateMachineBindError(`Ref to unknown resource '${name}'`);
    // Ref gives the ARN for these types, the name/id for the others.
    if (['AWS::StepFunctions::StateMachine', 'AWS::SNS::Topic'].includes(resource.Type)) {
      return this.getAtt(name, 'Arn');
    }
    if (resource.Type === 'AWS::SQS::Queue') {
      return `https://sqs.${this.p.region}.amazonaws.com/${this.p.accountId}/${name}`;
    }
    return name;
  }

  private getAtt(id: string, attribute: string): string {
    const resource = this.template.Resources?.[id];
    if (resource === undefined) throw new StateMachineBindError(`Fn::GetAtt of unknown resource '${id}'`);
    if (attribute === 'Arn') {
      const arn = ARN_SERVICE_BY_TYPE[resource.Type];
      if (arn !== undefined) return arn(id, this.p);
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:${this.p.partition}:${service}:${this.p.region}:${this.p.accountId}:${id}`;
    }
    if (attribute === 'Name') return id;
    return `${id}.${attribute}`;
  }
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
const STATE_OUTPUT_LIMIT_BYTES = 256 * 1024;

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
        `handlers given for steps: ${names(Object.keys(options.handlers))}`,
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

function functionTimeout(template: CloudFormationTemplate, functionLogicalId: string | undefined): number {
  const timeout =
    functionLogicalId === undefined
      ? undefined
      : template.Resources?.[functionLogicalId]?.Properties?.Timeout;
  return typeof timeout === 'number' ? timeout : 3;
}

// ---------------------------------------------------------------------------------------------
// Handlers as Lambda runs them

interface LambdaShape {
  readonly functionName: string;
  readonly functionArn: string;
  readonly timeoutSeconds: number;
  readonly viaLambdaInvoke: boolean;
  readonly errorCause: 'lambda' | 'message';
}

/** The error a handler threw, as Step Functions sees it (name = Lambda errorType). */
class LambdaFunctionError extends Error {
  readonly handlerError: unknown;
  constructor(name: string, cause: string, handlerError: unknown) {
    super(cause);
    this.name = name;
    this.handlerError = handlerError;
  }
}

/** States.DataLimitExceeded: terminal, neither retried nor caught (as on AWS). */
class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

function asLambda(handler: StepHandler, shape: LambdaShape): LocalTaskHandler {
  return async (rawInput) => {
    const event = shape.viaLambdaInvoke && isRecord(rawInput) ? (rawInput.Payload ?? null) : rawInput;
    const context = lambdaContext(shape);
    let output: unknown;
    try {
      // Lambda hands the function a fresh JSON copy and sends back the JSON of its result.
      output = await handler(JSON.parse(JSON.stringify(event)), context);
    } catch (error) {
      throw toLambdaError(error, shape.errorCause);
    }
    const text = JSON.stringify(output ?? null) ?? 'null';
    if (Buffer.byteLength(text) > STATE_OUTPUT_LIMIT_BYTES) {
      throw new DataLimitExceededError(
        `the output of ${shape.functionName} is ${Buffer.byteLength(text)} bytes, over the 256 KiB state limit`,
      );
    }
    const payload = JSON.parse(text) as JsonValue;
    if (!shape.viaLambdaInvoke) return payload;
    return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
  };
}

function toLambdaError(thrown: unknown, format: 'lambda' | 'message'): LambdaFunctionError {
  const isError = thrown instanceof Error;
  const errorType = isError && thrown.name ? thrown.name : 'Error';
  const errorMessage = isError ? thrown.message : String(thrown);
  const cause =
    format === 'message'
      ? errorMessage
      : JSON.stringify({
          errorType,
          errorMessage,
          trace: isError && thrown.stack ? thrown.stack.split('\n') : [],
        });
  return new LambdaFunctionError(errorType, cause, thrown);
}

function lambdaContext(shape: LambdaShape): LambdaContext {
  const deadline = Date.now() + shape.timeoutSeconds * 1000;
  const unsupported = (): never => {
    throw new Error('context.done/fail/succeed are not supported offline: return or throw instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: shape.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: shape.functionArn,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${shape.functionName}`,
    logStreamName: `offline/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
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

// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function names(list: readonly string[]): string {
  return list.length === 0 ? '(none)' : list.join(', ');
}
