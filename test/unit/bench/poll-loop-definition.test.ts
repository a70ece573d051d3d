import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  toPollLoop,
  waitStates,
  waitsOnTaskTokens,
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

describe('toPollLoop', () => {
  it('turns each token wait into a Wait of the poll interval that goes to its safety-net check', () => {
    const poll = toPollLoop(EVENT_DRIVEN, 30);

    expect(poll.States?.AwaitDatabase).toEqual({ Type: 'Wait', Seconds: 30, Next: 'CheckDatabase' });
    expect(poll.States?.CheckDatabase).toEqual(EVENT_DRIVEN.States?.CheckDatabase);
    expect(poll.StartAt).toBe('Restore');
    expect(waitsOnTaskTokens(poll)).toBe(false);
    expect(waitsOnTaskTokens(EVENT_DRIVEN)).toBe(true);
  });

  it('returns a definition that already polls unchanged', () => {
    expect(toPollLoop(POLLING, 30)).toEqual(POLLING);
  });

  it('leaves a token wait with no heartbeat check as it is: a pool member waiting for a claim has nothing to poll', () => {
    const parked: AslDefinition = {
      States: { ParkMember: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' } },
    };
    expect(toPollLoop(parked, 30)).toEqual(parked);
    expect(waitsOnTaskTokens(parked)).toBe(false);
  });
});

describe('waitStates', () => {
  it('names Waits with their checks, Choices, and token waits with their checks', () => {
    expect([...waitStates(POLLING)].sort()).toEqual(['CheckDatabase', 'DatabaseReady?', 'WaitForDatabase']);
    expect([...waitStates(EVENT_DRIVEN)].sort()).toEqual([
      'AwaitDatabase',
      'CheckDatabase',
      'DatabaseReady?',
    ]);
  });
});

describe('the poll baseline of the synthesized CreateFork', () => {
  it('polls every 30 s, waiting on no task token', () => {
    const { definition } = renderStateMachineDefinition(
      synthesizeTemplate(),
      (_id, resource) => resource.Properties?.StateMachineName === NAMES.createStateMachine,
    );

    const poll = toPollLoop(definition as AslDefinition, 30);

    expect(waitsOnTaskTokens(poll)).toBe(false);
    const waits = Object.values(poll.States ?? {}).filter((s) => s.Type === 'Wait');
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits.map((s) => s.Seconds))).toEqual(new Set([30]));
  }, 60_000);
});
