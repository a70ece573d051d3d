/**
 * The poll baseline as a definition: the synthesized CreateFork with every event-driven wait (a
 * `.waitForTaskToken` Task with a heartbeat, whose timeout is caught into a plain check) replaced
 * by a Wait of the AWS poll interval going to that same check — the Wait → check → Choice loop the
 * workflow ran before its waits became event-driven. With no such Task the definition already
 * polls and is returned as it is. A token wait without a heartbeat waits for no AWS event (a warm
 * pool member parked until a create claims it) and is kept as it is.
 */

export interface AslState {
  Type?: string;
  Resource?: string;
  Seconds?: number;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  Next?: string;
  Catch?: { ErrorEquals?: string[]; Next?: string }[];
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt?: string;
  States?: Record<string, AslState>;
  [key: string]: unknown;
}

export const TASK_TOKEN_SUFFIX = '.waitForTaskToken';
const HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';

export function isTaskTokenWait(state: AslState): boolean {
  return state.Type === 'Task' && state.Resource?.endsWith(TASK_TOKEN_SUFFIX) === true;
}

/** A token wait for an AWS event: its heartbeat is the safety net that falls back to a check. */
export function isEventWait(state: AslState): boolean {
  return (
    isTaskTokenWait(state) &&
    (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined)
  );
}

export function waitsOnEvents(definition: AslDefinition): boolean {
  return Object.values(definition.States ?? {}).some(isEventWait);
}

/** The check a token wait falls back to when its heartbeat runs out. */
function safetyNetCheck(name: string, state: AslState): string {
  const check = state.Catch?.find((c) => c.ErrorEquals?.includes(HEARTBEAT_TIMEOUT))?.Next;
  if (!check) throw new Error(`the wait '${name}' catches no ${HEARTBEAT_TIMEOUT} into a check`);
  return check;
}

export function toPollLoop(definition: AslDefinition, pollSeconds: number): AslDefinition {
  const states: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    states[name] = isEventWait(state)
      ? { Type: 'Wait', Seconds: pollSeconds, Next: safetyNetCheck(name, state) }
      : state;
  }
  return { ...definition, States: states };
}

/** The states that belong to waiting: Wait states, the checks they lead to, Choices, event waits and their checks. */
export function waitStates(definition: AslDefinition): Set<string> {
  const waiting = new Set<string>();
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Type === 'Choice') waiting.add(name);
    if (state.Type === 'Wait') {
      waiting.add(name);
      if (state.Next) waiting.add(state.Next);
    }
    if (isEventWait(state)) {
      waiting.add(name);
      waiting.add(safetyNetCheck(name, state));
    }
  }
  return waiting;
}
