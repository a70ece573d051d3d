import { describe, expect, it } from 'vitest';
import {
  bindStateMachine,
  countTransitions,
  renderStateMachineDefinition,
  runStateMachine,
  StateMachineBindError,
  StateMachineExecutionError,
  type StepHandler,
  statesEntered,
} from '../../../local/state-machine-runner.js';
import { CREATE_FORK, FORK_LIKE_TEMPLATE } from './fixtures/fork-like-template.js';

interface ForkState {
  forkId: string;
  ready?: boolean;
  error?: { Error: string; Cause: string };
  [key: string]: unknown;
}

class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

function fnResource(step: string) {
  return { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { DBFORK_STEP: step } } } };
}

/** Handlers for the fixture's steps; check-database answers `ready` from a queue. */
function forkHandlers(readiness: Array<boolean | Error> = [true]) {
  const calls: Array<{ step: string; input: ForkState }> = [];
  const record =
    (step: string, result: (input: ForkState) => ForkState): StepHandler =>
    async (input: ForkState) => {
      calls.push({ step, input });
      return result(input);
    };
  const handlers: Record<string, StepHandler> = {
    'resolve-source': record('resolve-source', (input) => ({ ...input, source: 'orders-prod' })),
    'check-database': record('check-database', (input) => {
      const next = readiness.shift() ?? true;
      if (next instanceof Error) throw next;
      return { ...input, ready: next };
    }),
    'mark-failed': record('mark-failed', (input) => ({ ...input, status: 'failed' })),
  };
  const stateHandlers: Record<string, StepHandler> = {
    RegisterDns: async () => ({ ok: true }),
  };
  return { calls, handlers, stateHandlers };
}

describe('renderStateMachineDefinition', () => {
  it('renders Fn::Join, Fn::GetAtt and Ref into an ASL object with placeholder ARNs', () => {
    const { logicalId, definition } = renderStateMachineDefinition(FORK_LIKE_TEMPLATE, CREATE_FORK);

    expect(logicalId).toBe(CREATE_FORK);
    expect(definition.StartAt).toBe('ResolveSource');
    expect(definition.States.ResolveSource).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:ResolveSourceFn0A1B2C3D',
    });
    expect(definition.States.MarkFailed).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:MarkFailedFn8C9D0E1F' },
    });
    expect(definition.States.RegisterDns).toMatchObject({ Parameters: { TableName: 'ForksTable1234ABCD' } });
  });

  it('selects the state machine with a predicate', () => {
    const { logicalId } = renderStateMachineDefinition(FORK_LIKE_TEMPLATE, (id) =>
      id.startsWith('DeleteFork'),
    );

    expect(logicalId).toBe('DeleteForkStateMachineF0E1D2C3');
  });

  it('names the state machines it found when the logical id is unknown', () => {
    expect(() => renderStateMachineDefinition(FORK_LIKE_TEMPLATE, 'Nope')).toThrow(
      /no AWS::StepFunctions::StateMachine 'Nope'.*CreateForkStateMachine9A8B7C6D, DeleteForkStateMachineF0E1D2C3/,
    );
  });
});

describe('bindStateMachine', () => {
  it('binds each Lambda Task state to the handler of its function DBFORK_STEP', () => {
    const { handlers, stateHandlers } = forkHandlers();

    const machine = bindStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers,
      stateHandlers,
    });

    expect(machine.tasks).toEqual([
      expect.objectContaining({ stateName: 'ResolveSource', step: 'resolve-source', boundBy: 'step' }),
      expect.objectContaining({ stateName: 'CheckDatabase', step: 'check-database', boundBy: 'step' }),
      expect.objectContaining({
        stateName: 'RegisterDns',
        resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem',
        boundBy: 'state',
      }),
      expect.objectContaining({
        stateName: 'MarkFailed',
        step: 'mark-failed',
        functionLogicalId: 'MarkFailedFn8C9D0E1F',
        boundBy: 'step',
      }),
    ]);
  });

  it('fails at bind time, naming the state and step, when a step has no handler', () => {
    const { handlers, stateHandlers, calls } = forkHandlers();
    const { 'check-database': _missing, ...withoutCheck } = handlers;

    const bind = () =>
      bindStateMachine({
        template: FORK_LIKE_TEMPLATE,
        stateMachine: CREATE_FORK,
        handlers: withoutCheck,
        stateHandlers,
      });

    expect(bind).toThrow(StateMachineBindError);
    expect(bind).toThrow(
      "Task 'CheckDatabase' runs step 'check-database' (function 'CheckDatabaseFn4E5F6A7B'): no handler for it",
    );
    expect(calls).toEqual([]);
  });

  it('fails at bind time when the rendered definition is not valid ASL', () => {
    const template = {
      Resources: {
        Broken: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"}}}' },
        },
      },
    };

    expect(() => bindStateMachine({ template, stateMachine: 'Broken', handlers: {} })).toThrow(
      /state machine 'Broken': State machine definition is invalid/,
    );
  });

  it('renders DefinitionSubstitutions and Fn::Sub', async () => {
    const template = {
      Resources: {
        StepFn: fnResource('mark-deleted'),
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution, not JS
            DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${fn}","End":true}}}',
            DefinitionSubstitutions: {
              fn: {
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
                'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:StepFn',
              },
            },
          },
        },
      },
    };

    const machine = bindStateMachine({
      template,
      stateMachine: 'Machine',
      handlers: { 'mark-deleted': async () => ({ deleted: true }) },
    });

    expect(machine.tasks).toEqual([expect.objectContaining({ stateName: 'A', step: 'mark-deleted' })]);
    await expect(machine.run({}).result).resolves.toEqual({ deleted: true });
  });

  it('fails at bind time when a non-Lambda Task has no handler by state name', () => {
    const { handlers } = forkHandlers();

    expect(() =>
      bindStateMachine({ template: FORK_LIKE_TEMPLATE, stateMachine: CREATE_FORK, handlers }),
    ).toThrow(
      "Task 'RegisterDns' calls arn:aws:states:::aws-sdk:dynamodb:putItem, not a Lambda function of the template: pass stateHandlers['RegisterDns']",
    );
  });
});

describe('runStateMachine', () => {
  it('runs the bound handlers in order and resolves with the last output', async () => {
    const { handlers, stateHandlers, calls } = forkHandlers([false, true]);

    const run = runStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers,
      stateHandlers,
      input: { forkId: 'fork-1' },
    });

    await expect(run.result).resolves.toEqual({ forkId: 'fork-1', source: 'orders-prod', ready: true });
    expect(calls.map((call) => call.step)).toEqual(['resolve-source', 'check-database', 'check-database']);
    expect(statesEntered(run.events)).toEqual([
      'ResolveSource',
      'CheckDatabase',
      'DatabaseReady?',
      'WaitForDatabase',
      'CheckDatabase',
      'DatabaseReady?',
      'RegisterDns',
      'Ready',
    ]);
    expect(countTransitions(run.events)).toBe(8);
  });

  it('shortens Wait states and Retry intervals to milliseconds', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'Throttled' });
    const { handlers, stateHandlers } = forkHandlers([false, throttled, false, true]);
    const started = Date.now();

    const run = runStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers,
      stateHandlers,
      input: { forkId: 'fork-1' },
    });
    await run.result;

    // Two one-hour Waits and one 30-second retry, in well under a second.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(statesEntered(run.events).filter((name) => name === 'WaitForDatabase')).toHaveLength(2);
    expect(run.events.filter((event) => event.type === 'StateRetried')).toEqual([
      expect.objectContaining({ state: expect.objectContaining({ name: 'CheckDatabase' }) }),
    ]);
  });

  it('applies a per-state wait time when waitMs is a function', async () => {
    const { handlers, stateHandlers } = forkHandlers([false, true]);
    const asked: string[] = [];

    const run = runStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers,
      stateHandlers,
      waitMs: (state) => {
        asked.push(state);
        return 0;
      },
      input: { forkId: 'fork-1' },
    });
    await run.result;

    expect(asked).toEqual(['WaitForDatabase']);
  });

  it('catches a thrown error under its name, with Lambda error JSON as the Cause', async () => {
    const { handlers, stateHandlers, calls } = forkHandlers([
      new WaitTimeoutError('database not available after 2h'),
    ]);

    const run = runStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers,
      stateHandlers,
      input: { forkId: 'fork-1' },
    });

    const failure = await run.result.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StateMachineExecutionError);
    expect(failure).toMatchObject({
      status: 'FAILED',
      error: 'ForkFailed',
      cause: 'the fork could not be created',
    });
    const markFailed = calls.find((call) => call.step === 'mark-failed');
    expect(markFailed?.input.error?.Error).toBe('WaitTimeoutError');
    expect(JSON.parse(markFailed?.input.error?.Cause ?? '{}')).toMatchObject({
      errorType: 'WaitTimeoutError',
      errorMessage: 'database not available after 2h',
    });
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'StateCaught',
        state: expect.objectContaining({ name: 'CheckDatabase' }),
      }),
    );
    expect(statesEntered(run.events).slice(-2)).toEqual(['MarkFailed', 'Failed']);
  });

  it('fails the execution with the handler error name when nothing catches it', async () => {
    const thrown = new WaitTimeoutError('gave up');
    const machine = bindStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: 'DeleteForkStateMachineF0E1D2C3',
      handlers: {
        'mark-failed': async () => {
          throw thrown;
        },
      },
      errorCause: 'message',
    });

    const failure = await machine.run({ forkId: 'fork-1' }).result.catch((error: unknown) => error);

    expect(failure).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError', cause: 'gave up' });
    expect((failure as StateMachineExecutionError).handlerError).toBe(thrown);
  });

  it('gives handlers a JSON copy of the input and a Lambda-like context', async () => {
    let seen: { event: unknown; functionName: string; remaining: number } | undefined;
    const input = { forkId: 'fork-1', at: new Date('2026-01-01T00:00:00Z') };
    const machine = bindStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: 'DeleteForkStateMachineF0E1D2C3',
      handlers: {
        'mark-failed': async (event, context) => {
          seen = { event, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() };
          return { done: true, dropped: undefined };
        },
      },
    });

    const output = await machine.run(input, { executionName: 'exec-1' }).result;

    expect(seen?.event).toEqual({ forkId: 'fork-1', at: '2026-01-01T00:00:00.000Z' });
    expect(seen?.functionName).toBe('MarkFailedFn8C9D0E1F');
    expect(seen?.remaining).toBeGreaterThan(29_000);
    expect(output).toEqual({ done: true });
  });

  it('rejects with ABORTED when aborted', async () => {
    const machine = bindStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: 'DeleteForkStateMachineF0E1D2C3',
      handlers: { 'mark-failed': () => new Promise(() => {}) },
    });

    const run = machine.run({ forkId: 'fork-1' });
    run.abort();

    await expect(run.result).rejects.toMatchObject({ status: 'ABORTED' });
  });

  it('fails with States.DataLimitExceeded, uncaught, when a handler returns over 256 KiB', async () => {
    const { handlers, stateHandlers } = forkHandlers();
    const run = runStateMachine({
      template: FORK_LIKE_TEMPLATE,
      stateMachine: CREATE_FORK,
      handlers: { ...handlers, 'resolve-source': async () => ({ blob: 'x'.repeat(300 * 1024) }) },
      stateHandlers,
      input: { forkId: 'fork-1' },
    });

    await expect(run.result).rejects.toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(statesEntered(run.events)).toEqual(['ResolveSource']);
  });
});
