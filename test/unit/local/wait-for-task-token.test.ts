import { describe, expect, it } from 'vitest';
import { LocalTaskTokens } from '../../../local/local-task-tokens.js';
import {
  bindStateMachine,
  type CloudFormationTemplate,
  StateMachineBindError,
  statesEntered,
} from '../../../local/state-machine-runner.js';

/**
 * A definition shaped like an event-driven wait: Await (lambda:invoke.waitForTaskToken with
 * HeartbeatSecondsPath) → Done; a heartbeat timeout is caught into Check → Done; any other error
 * into Failed.
 */
const FUNCTION_ARN = '@@CheckFn@@';

/** The definition text as CDK synthesizes it: the function's ARN is a `Fn::GetAtt` part. */
function joinParts(text: string): unknown[] {
  return text
    .split(FUNCTION_ARN)
    .flatMap((part, i) => (i === 0 ? [part] : [{ 'Fn::GetAtt': ['CheckFn', 'Arn'] }, part]));
}

function waitTemplate(): CloudFormationTemplate {
  const definition = {
    StartAt: 'Await',
    States: {
      Await: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        HeartbeatSecondsPath: '$.heartbeatSeconds',
        Parameters: {
          FunctionName: FUNCTION_ARN,
          Payload: { 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
        },
        Catch: [
          { ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: null, Next: 'Check' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
        ],
        Next: 'Done',
      },
      Check: {
        Type: 'Task',
        Resource: FUNCTION_ARN,
        Next: 'Done',
      },
      Failed: { Type: 'Pass', End: true },
      Done: { Type: 'Succeed' },
    },
  };
  return {
    Resources: {
      CheckFn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: { DBFORK_STEP: 'check-database' } } },
      },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: { 'Fn::Join': ['', joinParts(JSON.stringify(definition))] } },
      },
    },
  };
}

type Input = { state?: Record<string, unknown>; taskToken?: string; [key: string]: unknown };

function bind(tokens: LocalTaskTokens, onInvoke: (input: Input) => Promise<unknown>) {
  return bindStateMachine({
    template: waitTemplate(),
    stateMachine: 'Machine',
    handlers: { 'check-database': (input: Input) => onInvoke(input) },
    taskTokens: tokens,
    // 30 heartbeat seconds → 30 ms.
    taskTimerMs: (_state, seconds) => seconds,
  });
}

describe('waitForTaskToken Tasks offline', () => {
  it('hands the handler a token and answers the Task with what the token is completed with', async () => {
    const tokens = new LocalTaskTokens();
    const seen: Input[] = [];
    const machine = bind(tokens, async (input) => {
      seen.push(input);
      if (input.taskToken)
        setTimeout(() => void tokens.succeed(input.taskToken ?? '', { done: 'by event' }), 5);
      return { ignored: true };
    });

    const run = machine.run({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 10_000 });

    await expect(run.result).resolves.toEqual({ done: 'by event' });
    expect(seen[0]?.state).toEqual({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 10_000 });
    expect(seen[0]?.taskToken).toMatch(/^local-[\w-]{40,}$/);
    expect(statesEntered(run.events)).toEqual(['Await', 'Done']);
    expect(tokens.pending).toBe(0);
  });

  it('raises States.HeartbeatTimeout when nothing completes the token, so the Catch runs the check', async () => {
    const tokens = new LocalTaskTokens();
    const machine = bind(tokens, async (input) => (input.taskToken ? {} : { ...input, checked: true }));

    const run = machine.run({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 20 });

    await expect(run.result).resolves.toEqual({
      forkId: 'fork-aaaaaaaaaaaa',
      heartbeatSeconds: 20,
      checked: true,
    });
    expect(statesEntered(run.events)).toEqual(['Await', 'Check', 'Done']);
  });

  it('answers a completion after the heartbeat timeout as stale', async () => {
    const tokens = new LocalTaskTokens();
    let token = '';
    const machine = bind(tokens, async (input) => {
      if (input.taskToken) token = input.taskToken;
      return {};
    });

    await machine.run({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 5 }).result;

    await expect(tokens.succeed(token, { late: true })).resolves.toBe('stale');
  });

  it('fails the Task with the error given to fail(), which the Catch matches by name', async () => {
    const tokens = new LocalTaskTokens();
    const machine = bind(tokens, async (input) => {
      if (input.taskToken) await tokens.fail(input.taskToken, 'RestoreFailedError', 'the database is failed');
      return {};
    });

    const out = await machine.run({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 10_000 }).result;

    expect(out).toMatchObject({ error: { Error: 'RestoreFailedError', Cause: 'the database is failed' } });
  });

  it('fails the Task with the function error when the invoked handler throws', async () => {
    const tokens = new LocalTaskTokens();
    class RestoreFailedError extends Error {
      override readonly name = 'RestoreFailedError';
    }
    const machine = bind(tokens, async () => {
      throw new RestoreFailedError('failed status');
    });

    const out = await machine.run({ forkId: 'fork-aaaaaaaaaaaa', heartbeatSeconds: 10_000 }).result;

    expect(out).toMatchObject({ error: { Error: 'RestoreFailedError' } });
    expect(tokens.pending).toBe(0);
  });

  it('refuses to bind a waitForTaskToken Task without a token registry', () => {
    expect(() =>
      bindStateMachine({
        template: waitTemplate(),
        stateMachine: 'Machine',
        handlers: { 'check-database': async () => ({}) },
      }),
    ).toThrow(StateMachineBindError);
  });
});

describe('LocalTaskTokens', () => {
  it('restarts the heartbeat interval on a heartbeat', async () => {
    const tokens = new LocalTaskTokens();
    const { token, result } = tokens.issue({ heartbeatMs: 40 });
    await new Promise((resolve) => setTimeout(resolve, 25));
    await expect(tokens.heartbeat(token)).resolves.toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 25));
    await expect(tokens.succeed(token, 1)).resolves.toBe('completed');
    await expect(result).resolves.toBe(1);
  });

  it('times out with States.Timeout', async () => {
    const tokens = new LocalTaskTokens();
    const { result } = tokens.issue({ timeoutMs: 5 });
    await expect(result).rejects.toMatchObject({ name: 'States.Timeout' });
  });
});
