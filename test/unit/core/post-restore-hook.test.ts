import {
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientConfig, lambdaClient } from '../../../lambdas/core/clients.js';
import {
  PostRestoreHookError,
  PostRestoreHookTimeoutError,
  TransientAwsError,
} from '../../../lambdas/core/errors.js';
import type { HookInvocation, HookInvoker, InvokeOptions } from '../../../lambdas/core/hook-invoker.js';
import { LambdaHookInvoker } from '../../../lambdas/core/hook-invoker.js';
import {
  hookEvent,
  hookFailureOf,
  invokePostRestoreHook,
  type PostRestoreHookEvent,
} from '../../../lambdas/core/post-restore-hook.js';
import { FORK_HOST, FORK_ID, forkRecord, SOURCE_ARN, SOURCE_ID } from './fixtures.js';

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/${FORK_ID}-AbCdEf`;
const fork = forkRecord({
  source: { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' },
  secretArn: SECRET_ARN,
  restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'rds:orders-prod-1' } },
  hook: { name: 'mask', status: 'pending' },
});
const EVENT = hookEvent(fork, 'mask', { host: FORK_HOST, port: 5432 }, 'create');

/** An invoker that answers `answer` (or throws it, when it is an Error). */
function answering(
  answer: HookInvocation | Error,
): HookInvoker & { calls: [string, string, InvokeOptions][] } {
  const calls: [string, string, InvokeOptions][] = [];
  return {
    calls,
    async invoke(name, event, options) {
      calls.push([name, event, options]);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const run = (invoker: HookInvoker, timeoutSeconds = 300) =>
  invokePostRestoreHook(invoker, 'mask', EVENT, timeoutSeconds);

afterEach(() => {
  vi.useRealTimers();
});

describe('hookEvent', () => {
  it('is the fork object a hook needs: where to connect and which secret, never a password', () => {
    expect(EVENT).toEqual({
      trigger: 'create',
      hook: 'mask',
      id: FORK_ID,
      name: fork.name,
      source: { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' },
      endpoint: FORK_HOST,
      port: 5432,
      engine: 'postgres',
      secretArn: SECRET_ARN,
      dnsName: fork.dnsName,
      restore: fork.restore,
      owner: fork.owner,
      tags: fork.tags,
      expiresAt: fork.expiresAt,
    } satisfies PostRestoreHookEvent);
    expect(JSON.stringify(EVENT)).not.toMatch(/password/i);
  });

  it('refuses a fork whose secret is not written yet', () => {
    expect(() =>
      hookEvent({ ...fork, secretArn: undefined }, 'mask', { host: FORK_HOST, port: 5432 }, 'create'),
    ).toThrow(
      new PostRestoreHookError(`post-restore hook mask cannot run: fork ${FORK_ID} has no secret yet`),
    );
  });
});

describe('hookFailureOf', () => {
  it.each([
    [
      { functionError: 'Unhandled', payload: '{"errorType":"TypeError","errorMessage":"boom","trace":[]}' },
      'TypeError: boom',
    ],
    [{ functionError: 'Unhandled', payload: '{"errorType":"Error","errorMessage":"plain"}' }, 'plain'],
    [{ functionError: 'Handled', payload: '{"errorMessage":"reported"}' }, 'reported'],
    // Lambda's own timeout of the hook function: an Unhandled error it reports itself.
    [
      {
        functionError: 'Unhandled',
        payload:
          '{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: 1 Error: Task timed out after 3.00 seconds"}',
      },
      'Sandbox.Timedout: RequestId: 1 Error: Task timed out after 3.00 seconds',
    ],
    [{ functionError: 'Unhandled', payload: 'not json' }, 'Unhandled error: not json'],
    [{ payload: '{"error":"seed rejected"}' }, 'seed rejected'],
    [{ payload: '{"error":{"name":"SeedError","message":"3 rows"}}' }, 'SeedError: 3 rows'],
    [{ payload: '{"error":{"code":42}}' }, '{"code":42}'],
    [{ payload: '{"error":true}' }, 'returned error: true'],
    [{ payload: '{"errorType":"Error","errorMessage":"returned, not thrown"}' }, 'returned, not thrown'],
  ])('fails %j: %s', (answer, message) => {
    expect(hookFailureOf(answer)).toBe(message);
  });

  it.each([
    'null',
    '{"masked":3}',
    '"done"',
    '{"error":null}',
    '{"error":""}',
    '{"error":false}',
    'not json',
  ])('passes %s', (payload) => {
    expect(hookFailureOf({ payload })).toBeUndefined();
  });
});

describe('invokePostRestoreHook', () => {
  it('invokes the hook with the event and resolves when it succeeds', async () => {
    const invoker = answering({ payload: '{"masked":2}' });
    await expect(run(invoker)).resolves.toBeUndefined();
    expect(invoker.calls).toHaveLength(1);
    const [name, event, options] = invoker.calls[0] ?? [];
    expect(name).toBe('mask');
    expect(JSON.parse(event ?? '')).toEqual(EVENT);
    expect(options?.timeoutMs).toBe(300_000);
    expect(options?.signal.aborted).toBe(false);
  });

  it('fails, naming the hook, when it threw or returned an error', async () => {
    await expect(
      run(
        answering({ functionError: 'Unhandled', payload: '{"errorType":"TypeError","errorMessage":"boom"}' }),
      ),
    ).rejects.toThrow(new PostRestoreHookError('post-restore hook mask failed: TypeError: boom'));
    await expect(run(answering({ payload: '{"error":"no"}' }))).rejects.toThrow(
      new PostRestoreHookError('post-restore hook mask failed: no'),
    );
  });

  it('gives up after timeoutSeconds, aborting the wait', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hanging: HookInvoker = {
      invoke: (_name, _event, options) =>
        new Promise((_resolve, reject) => {
          signal = options.signal;
          options.signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
          );
        }),
    };
    const outcome = run(hanging, 30);
    const settled = expect(outcome).rejects.toThrow(
      new PostRestoreHookTimeoutError(
        'post-restore hook mask timed out: no answer within 30 s (postRestoreHook.timeoutSeconds)',
      ),
    );
    await vi.advanceTimersByTimeAsync(30_000);
    await settled;
    expect(signal?.aborted).toBe(true);
  });

  it('leaves a throttled invoke (the hook never ran) to the workflow to retry', async () => {
    const throttled = new TooManyRequestsException({
      message: 'Rate Exceeded.',
      $metadata: { httpStatusCode: 429 },
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    const error = await run(answering(throttled)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).message).toBe(
      'post-restore hook mask was not invoked: Lambda answered TooManyRequestsException: Rate Exceeded.',
    );
  });

  it.each([
    new ResourceNotFoundException({
      message: 'Function not found: mask',
      $metadata: { httpStatusCode: 404 },
    }),
    // Not in Lambda's model: IAM's refusal, as the SDK names it.
    Object.assign(new Error('not authorized to perform: lambda:InvokeFunction'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    }),
    Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
    Object.assign(new Error('We encountered an internal error'), {
      name: 'ServiceException',
      $metadata: { httpStatusCode: 500 },
    }),
  ])('fails closed, not retried, when the invoke itself fails: %s', async (cause) => {
    const error = await run(answering(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostRestoreHookError);
    expect((error as Error).message).toBe(
      `post-restore hook mask could not be invoked: ${cause.name}: ${cause.message}`,
    );
  });
});

describe('LambdaHookInvoker', () => {
  const lambda = () => {
    const client = new LambdaClient(clientConfig({ endpoint: 'http://127.0.0.1:9' }));
    return { client, mock: mockClient(client) };
  };

  it('invokes synchronously (RequestResponse) with the event as payload and hands back the answer', async () => {
    const { client, mock } = lambda();
    mock
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"masked":2}') as never });
    const controller = new AbortController();
    const answer = await new LambdaHookInvoker(client).invoke(
      'arn:aws:lambda:us-east-1:1:function:mask',
      '{"id":"x"}',
      {
        signal: controller.signal,
        timeoutMs: 1000,
      },
    );
    expect(answer).toEqual({ payload: '{"masked":2}' });
    const call = mock.commandCalls(InvokeCommand)[0];
    expect(call?.args[0].input.FunctionName).toBe('arn:aws:lambda:us-east-1:1:function:mask');
    expect(call?.args[0].input.InvocationType).toBe('RequestResponse');
    expect(new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array)).toBe('{"id":"x"}');
  });

  it("keeps Lambda's FunctionError and reads an empty payload as null", async () => {
    const { client, mock } = lambda();
    mock
      .on(InvokeCommand)
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: new TextEncoder().encode('{"errorMessage":"boom"}') as never,
      })
      .resolvesOnce({ StatusCode: 200 });
    const invoker = new LambdaHookInvoker(client);
    const options = { signal: new AbortController().signal, timeoutMs: 1000 };
    expect(await invoker.invoke('mask', '{}', options)).toEqual({
      functionError: 'Unhandled',
      payload: '{"errorMessage":"boom"}',
    });
    expect(await invoker.invoke('mask', '{}', options)).toEqual({ payload: 'null' });
  });

  it('is built to try each invoke once (a retried invoke may run a hook twice)', async () => {
    expect(await lambdaClient(clientConfig()).config.maxAttempts()).toBe(1);
  });
});
