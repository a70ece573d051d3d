import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  type AslState,
  toPollLoop,
  waitStates,
  waitsOnEvents,
} from '../../../bench/poll-loop-definition.js';
import { NAMES } from '../../../lib/names.js';
import { renderStateMachineDefinition } from '../../../local/state-machine-runner.js';
import { synthesizeTemplate } from '../../../local/synth.js';

const POLLING: AslDefinition = {
  StartAt: 'Restore',
  States: {
    Restore: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'DatabaseReady?' },
    'DatabaseReady?': { Type: 'Choice' },
    WaitForDatabase: { Type: 'Wait', Seconds: 30, Next: 'CheckDatabase' },
    CheckDatabase: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'DatabaseReady?' },
    CreateInstances: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
  },
};

const EVENT_DRIVEN: AslDefinition = {
  StartAt: 'Restore',
  States: {
    Restore: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'DatabaseReady?' },
    'DatabaseReady?': { Type: 'Choice' },
    AwaitDatabase: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      HeartbeatSecondsPath: '$.heartbeatSeconds',
      Catch: [
        { ErrorEquals: ['States.HeartbeatTimeout'], Next: 'CheckDatabase' },
        { ErrorEquals: ['States.ALL'], Next: 'StartCleanup' },
      ],
      Next: 'DatabaseReady?',
    },
    CheckDatabase: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'DatabaseReady?' },
    CreateInstances: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
  },
};

/** A warm-pool member parks on a token until a claim: no heartbeat, no AWS event to wait for. */
const PARKING: AslState = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  TimeoutSecondsPath: '$.pool.timeoutSeconds',
  Catch: [{ ErrorEquals: ['States.ALL'], Next: 'StartCleanup' }],
  Next: 'RotateCredentials',
};
const EVENT_DRIVEN_WITH_POOL: AslDefinition = {
  ...EVENT_DRIVEN,
  States: { ...EVENT_DRIVEN.States, ParkMember: PARKING },
};

describe('toPollLoop', () => {
  it('turns each token wait into a Wait of the poll interval that goes to its safety-net check', () => {
    const poll = toPollLoop(EVENT_DRIVEN, 30);

    expect(poll.States?.AwaitDatabase).toEqual({ Type: 'Wait', Seconds: 30, Next: 'CheckDatabase' });
    expect(poll.States?.CheckDatabase).toEqual(EVENT_DRIVEN.States?.CheckDatabase);
    expect(poll.StartAt).toBe('Restore');
    expect(waitsOnEvents(poll)).toBe(false);
    expect(waitsOnEvents(EVENT_DRIVEN)).toBe(true);
  });

  it('keeps a token wait without a heartbeat (a parked pool member) as it is', () => {
    const poll = toPollLoop(EVENT_DRIVEN_WITH_POOL, 30);

    expect(poll.States?.ParkMember).toEqual(PARKING);
    expect(poll.States?.AwaitDatabase).toEqual({ Type: 'Wait', Seconds: 30, Next: 'CheckDatabase' });
    expect(waitsOnEvents(poll)).toBe(false);
    expect(waitsOnEvents({ States: { ParkMember: PARKING } })).toBe(false);
  });

  it('returns a definition that already polls unchanged', () => {
    expect(toPollLoop(POLLING, 30)).toEqual(POLLING);
  });

  it('refuses a token wait without a heartbeat check to fall back to', () => {
    const broken: AslDefinition = {
      States: {
        Await: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          HeartbeatSecondsPath: '$.heartbeatSeconds',
        },
      },
    };
    expect(() => toPollLoop(broken, 30)).toThrow(/Await.*HeartbeatTimeout/);
  });
});

describe('waitStates', () => {
  it('names Waits with their checks, Choices, and event waits with their checks', () => {
    expect([...waitStates(POLLING)].sort()).toEqual(['CheckDatabase', 'DatabaseReady?', 'WaitForDatabase']);
    expect([...waitStates(EVENT_DRIVEN)].sort()).toEqual([
      'AwaitDatabase',
      'CheckDatabase',
      'DatabaseReady?',
    ]);
    expect(waitStates(EVENT_DRIVEN_WITH_POOL)).toEqual(waitStates(EVENT_DRIVEN));
  });
});

describe('the poll baseline of the synthesized CreateFork', () => {
  it('polls every 30 s, waiting on no event', () => {
    const { definition } = renderStateMachineDefinition(
      synthesizeTemplate(),
      (_id, resource) => resource.Properties?.StateMachineName === NAMES.createStateMachine,
    );

    const poll = toPollLoop(definition as AslDefinition, 30);

    expect(waitsOnEvents(poll)).toBe(false);
    const waits = Object.values(poll.States ?? {}).filter((s) => s.Type === 'Wait');
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits.map((s) => s.Seconds))).toEqual(new Set([30]));
  }, 60_000);
});
