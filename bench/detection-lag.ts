/**
 * Detection lag and control-plane cost from a workflow's execution history: pure functions over
 * the runner's events, so they are the same for the poll loop and for event-driven waits.
 *
 * Offline, Wait states are shortened by a factor (`waitScale`, e.g. 30 s → 500 ms is 60) so a
 * restore of 20 emulated minutes costs as many polls as on AWS. Scaling back, only the time spent
 * inside Wait states is multiplied: the handlers' own run time is dbfork's and is kept as measured.
 */

export interface TimedState {
  name: string;
  type: string;
  enteredAt: number;
}

/** The runner's event shape this module reads (aws-local-stepfunctions' event log entries). */
export interface RunnerEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string };
}

export function statesEntered(events: readonly RunnerEvent[]): TimedState[] {
  return events.flatMap((event) =>
    event.type === 'StateEntered' && event.state
      ? [{ name: event.state.name, type: event.state.type, enteredAt: event.timestamp }]
      : [],
  );
}

/** State transitions as Step Functions bills them: one per state entered. */
export function transitions(events: readonly RunnerEvent[]): number {
  return events.filter((event) => event.type === 'StateEntered').length;
}

/** Lambda invocations: every Task entered (each Task is one step Lambda) and every retry of one. */
export function lambdaInvocations(events: readonly RunnerEvent[]): number {
  return events.filter(
    (event) =>
      (event.type === 'StateEntered' || event.type === 'StateRetried') && event.state?.type === 'Task',
  ).length;
}

export interface LagSample {
  /** The first state entered after the resource was available that is not part of a wait. */
  nextStep: string;
  realMs: number;
  /** Of `realMs`, the time spent in Wait states. */
  waitMs: number;
  /** The lag on AWS: Wait time scaled back, the rest as measured. */
  awsMs: number;
}

/**
 * From `availableAt` (when the emulator made the resource available) to the start of the next
 * step after the wait; null when no such step started (the workflow failed or is still waiting).
 */
export function detectionLag(
  states: readonly TimedState[],
  availableAt: number,
  waitStates: ReadonlySet<string>,
  waitScale: number,
): LagSample | null {
  const nextIndex = states.findIndex((s) => s.enteredAt >= availableAt && !waitStates.has(s.name));
  const next = states[nextIndex];
  if (next === undefined) return null;
  let waitMs = 0;
  for (let i = 0; i < nextIndex; i++) {
    const state = states[i];
    if (state?.type !== 'Wait') continue;
    const end = Math.min(states[i + 1]?.enteredAt ?? next.enteredAt, next.enteredAt);
    waitMs += Math.max(0, end - Math.max(state.enteredAt, availableAt));
  }
  const realMs = next.enteredAt - availableAt;
  return { nextStep: next.name, realMs, waitMs, awsMs: waitMs * waitScale + (realMs - waitMs) };
}
