import { describe, expect, it } from 'vitest';
import {
  detectionLag,
  lambdaInvocations,
  type RunnerEvent,
  statesEntered,
  transitions,
} from '../../../bench/detection-lag.js';
import { waitStates } from '../../../bench/poll-loop-definition.js';

const DEFINITION = {
  States: {
    Restore: { Type: 'Task', Next: 'DatabaseReady?' },
    'DatabaseReady?': { Type: 'Choice' },
    WaitForDatabase: { Type: 'Wait', Seconds: 30, Next: 'CheckDatabase' },
    CheckDatabase: { Type: 'Task', Next: 'DatabaseReady?' },
    CreateInstances: { Type: 'Task', Next: 'Ready' },
    Ready: { Type: 'Succeed' },
  },
};

const TYPES: Record<string, string> = {
  Restore: 'Task',
  'DatabaseReady?': 'Choice',
  WaitForDatabase: 'Wait',
  CheckDatabase: 'Task',
  CreateInstances: 'Task',
  Ready: 'Succeed',
};

function entered(name: string, timestamp: number): RunnerEvent {
  return { type: 'StateEntered', timestamp, state: { name, type: TYPES[name] ?? 'Task' } };
}

/** Restore at 0, two polls of a 100 ms Wait with 10 ms checks, then the next step. */
const EVENTS: RunnerEvent[] = [
  { type: 'ExecutionStarted', timestamp: 0 },
  entered('Restore', 0),
  { type: 'StateExited', timestamp: 5, state: { name: 'Restore', type: 'Task' } },
  entered('DatabaseReady?', 5),
  entered('WaitForDatabase', 5),
  entered('CheckDatabase', 105),
  { type: 'StateRetried', timestamp: 108, state: { name: 'CheckDatabase', type: 'Task' } },
  entered('DatabaseReady?', 115),
  entered('WaitForDatabase', 115),
  entered('CheckDatabase', 215),
  entered('DatabaseReady?', 225),
  entered('CreateInstances', 226),
  entered('Ready', 240),
];

describe('transitions and lambdaInvocations', () => {
  it('count states entered, and Tasks entered or retried', () => {
    expect(transitions(EVENTS)).toBe(10);
    // Restore, CheckDatabase ×2, its retry, CreateInstances.
    expect(lambdaInvocations(EVENTS)).toBe(5);
  });
});

describe('detectionLag', () => {
  const states = statesEntered(EVENTS);
  const loop = waitStates(DEFINITION);

  it('scales the Wait time after the database became available and keeps the handlers’ time as measured', () => {
    // Available at 140: 75 ms left of the second Wait (×60), then 11 ms of check and choice.
    const lag = detectionLag(states, 140, loop, 60);

    expect(lag).toEqual({ nextStep: 'CreateInstances', realMs: 86, waitMs: 75, awsMs: 75 * 60 + 11 });
  });

  it('counts no Wait time when the database became available during the last check', () => {
    expect(detectionLag(states, 220, loop, 60)).toEqual({
      nextStep: 'CreateInstances',
      realMs: 6,
      waitMs: 0,
      awsMs: 6,
    });
  });

  it('is null when no step started after the database became available', () => {
    expect(detectionLag(states, 500, loop, 60)).toBeNull();
  });
});
