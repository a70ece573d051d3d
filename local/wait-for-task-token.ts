/**
 * Offline `.waitForTaskToken` Tasks. aws-local-stepfunctions 3 supports neither the integration
 * pattern, nor `$$.Task.Token`, nor heartbeats, so the runner rewrites such a Task before running it:
 * - every `"<key>.$": "$$.Task.Token"` of its Parameters becomes a placeholder the bound handler
 *   replaces with a token it issues ({@link LocalTaskTokens});
 * - `HeartbeatSeconds(Path)` / `TimeoutSeconds(Path)` move into the Parameters (so the library
 *   resolves the paths on the state input, as Step Functions does) and off the state;
 * and the bound handler invokes the function, then waits for the token's completion, failing with
 * `States.HeartbeatTimeout` / `States.Timeout` as Step Functions would, so the definition's own
 * Catch and Retry decide what happens next.
 */
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalTaskTokens } from './local-task-tokens.js';

type AnyState = StateMachineDefinition['States'][string];
type LocalOverrides = NonNullable<RunOptions['overrides']>;
type LocalTaskHandler = NonNullable<LocalOverrides['taskResourceLocalHandlers']>[string];
type JsonValue = Parameters<LocalTaskHandler>[0];

const WAIT_FOR_TASK_TOKEN = /^arn:[^:]+:states:::.+\.waitForTaskToken$/;
const TOKEN_PLACEHOLDER = '__dbfork_local_task_token__';
/** Where the rewritten Parameters carry the Task's timers. */
const TIMING_KEY = '__dbforkLocalTaskTiming';

export function isWaitForTaskToken(resource: string): boolean {
  return WAIT_FOR_TASK_TOKEN.test(resource);
}

/** Milliseconds a Task waits offline for a heartbeat / timeout given in seconds (AWS: seconds × 1000). */
export type TaskTimerMs = (stateName: string, seconds: number, timer: 'heartbeat' | 'timeout') => number;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function replaceTokenReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceTokenReferences);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key.endsWith('.$') && inner === '$$.Task.Token'
        ? [key.slice(0, -2), TOKEN_PLACEHOLDER]
        : [key, replaceTokenReferences(inner)],
    ),
  );
}

/** Rewrites one `.waitForTaskToken` Task state in place (of a copy of the definition). */
export function rewriteTaskTokenState(state: AnyState): void {
  if (state.Type !== 'Task' || !isWaitForTaskToken(state.Resource)) return;
  const fields = state as unknown as Record<string, unknown>;
  const timing: Record<string, unknown> = {};
  for (const [field, key] of [
    ['HeartbeatSeconds', 'heartbeatSeconds'],
    ['HeartbeatSecondsPath', 'heartbeatSeconds.$'],
    ['TimeoutSeconds', 'timeoutSeconds'],
    ['TimeoutSecondsPath', 'timeoutSeconds.$'],
  ] as const) {
    if (fields[field] !== undefined) timing[key] = fields[field];
    delete fields[field];
  }
  const parameters = replaceTokenReferences(fields.Parameters ?? {});
  fields.Parameters = { ...(isRecord(parameters) ? parameters : {}), [TIMING_KEY]: timing };
}

function substituteToken(value: JsonValue, token: string): JsonValue {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => substituteToken(item, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteToken(v, token)]));
}

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/**
 * The bound handler of a rewritten Task: issues the token, invokes `invoke` with it (its own result
 * is ignored, as Step Functions ignores the function's answer; its error fails the Task), and
 * answers with what the token is completed with.
 */
export function waitForTaskToken(
  stateName: string,
  invoke: LocalTaskHandler,
  tokens: LocalTaskTokens,
  timerMs: TaskTimerMs,
): LocalTaskHandler {
  return async (rawInput) => {
    const { [TIMING_KEY]: timing, ...input } = isRecord(rawInput) ? rawInput : {};
    const heartbeat = seconds(isRecord(timing) ? timing.heartbeatSeconds : undefined);
    const timeout = seconds(isRecord(timing) ? timing.timeoutSeconds : undefined);
    const { token, result } = tokens.issue({
      ...(heartbeat === undefined ? {} : { heartbeatMs: timerMs(stateName, heartbeat, 'heartbeat') }),
      ...(timeout === undefined ? {} : { timeoutMs: timerMs(stateName, timeout, 'timeout') }),
    });
    // The handler may complete its own token before it returns: keep the rejection observed.
    result.catch(() => {});
    try {
      await invoke(substituteToken(input, token));
    } catch (error) {
      await tokens.fail(token, 'States.TaskFailed', 'the function failed');
      throw error;
    }
    return (await result) as JsonValue;
  };
}
