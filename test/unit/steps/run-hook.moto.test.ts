/**
 * run-hook: the fork's post-restore hook, invoked through the Lambda client (mocked) with the fork
 * store on moto, whose conditional writes keep a hook from starting twice.
 */
import { InvokeCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import {
  ForkStateConflictError,
  PostRestoreHookError,
  PostRestoreHookTimeoutError,
  TransientAwsError,
} from '../../../lambdas/core/errors.js';
import type { ForkHook } from '../../../lambdas/core/fork.js';
import type { HookInvoker } from '../../../lambdas/core/hook-invoker.js';
import { step as runHook } from '../../../lambdas/steps/run-hook.js';
import { FORK_ID } from '../core/fixtures.js';
import { forkAt, type StepTest, stepTest } from './support.js';

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/${FORK_ID}-AbCdEf`;
/** The database as check-credentials saw it ready (the hook runs on this one, not on a name). */
const ENDPOINT = { host: `${FORK_ID}.cnew.us-east-1.rds.amazonaws.com`, port: 5432 };
const input = { forkId: FORK_ID, ready: true, endpoint: ENDPOINT };
const HOOK = 'mask-pii';

async function hookTest(hook: ForkHook | undefined, timeoutSeconds = 300): Promise<StepTest> {
  return stepTest(forkAt('rotating-credentials', { secretArn: SECRET_ARN, ...(hook ? { hook } : {}) }), {
    env: {
      policy: { allowedSources: ['orders-prod'], postRestoreHook: { default: HOOK, timeoutSeconds } },
    },
  });
}

const answer = (payload: unknown, functionError?: string) => ({
  StatusCode: 200,
  ...(functionError ? { FunctionError: functionError } : {}),
  Payload: new TextEncoder().encode(JSON.stringify(payload)) as never,
});

const invokes = (test: StepTest) => test.mocks.lambda.commandCalls(InvokeCommand);

describe('run-hook', () => {
  it('does nothing for a fork without a hook', async () => {
    const test = await hookTest(undefined);
    expect(await runHook.run(input, test.rt)).toEqual(input);
    expect(invokes(test)).toEqual([]);
    expect((await test.rt.store.mustGet(FORK_ID)).step).toBe('rotating-credentials');
  });

  it('invokes the hook once, synchronously, with the fork on its new database, and records that it succeeded', async () => {
    const test = await hookTest({ name: HOOK, status: 'pending' });
    test.mocks.lambda.on(InvokeCommand).resolves(answer({ masked: 2 }));

    const out = await runHook.run(input, test.rt);

    expect(out).toEqual(input);
    const [call] = invokes(test);
    expect(call?.args[0].input).toMatchObject({ FunctionName: HOOK, InvocationType: 'RequestResponse' });
    const event = JSON.parse(new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array));
    expect(event).toMatchObject({
      trigger: 'create',
      hook: HOOK,
      id: FORK_ID,
      endpoint: ENDPOINT.host,
      port: 5432,
      engine: 'postgres',
      secretArn: SECRET_ARN,
    });
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork.step).toBe('running-hook');
    expect(fork.hook).toEqual({
      name: HOOK,
      status: 'succeeded',
      startedAt: test.clock.iso(),
      finishedAt: test.clock.iso(),
      durationMs: 0,
    });
    expect(fork.history.slice(-2).map((h) => h.message)).toEqual([
      `running post-restore hook ${HOOK}`,
      `post-restore hook ${HOOK} succeeded in 0.0 s`,
    ]);

    // A retry whose first answer was lost goes on without running the hook again.
    await runHook.run(input, test.rt);
    expect(invokes(test)).toHaveLength(1);
  });

  it('fails the step naming the hook when the hook threw, records it failed, and never runs it again', async () => {
    const test = await hookTest({ name: HOOK, status: 'pending' });
    test.mocks.lambda
      .on(InvokeCommand)
      .resolves(answer({ errorType: 'Error', errorMessage: 'column ssn does not exist' }, 'Unhandled'));

    await expect(runHook.run(input, test.rt)).rejects.toThrow(
      new PostRestoreHookError(`post-restore hook ${HOOK} failed: column ssn does not exist`),
    );
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork.hook).toMatchObject({ name: HOOK, status: 'failed', finishedAt: test.clock.iso() });
    expect(fork.history.at(-1)?.message).toBe(`post-restore hook ${HOOK} failed: column ssn does not exist`);

    await expect(runHook.run(input, test.rt)).rejects.toThrow(
      `post-restore hook ${HOOK} is not run again: it already failed (a hook runs at most once per fork)`,
    );
    expect(invokes(test)).toHaveLength(1);
  });

  it('fails when the hook returns an error instead of throwing', async () => {
    const test = await hookTest({ name: HOOK, status: 'pending' });
    test.mocks.lambda.on(InvokeCommand).resolves(answer({ error: 'seed rejected' }));
    await expect(runHook.run(input, test.rt)).rejects.toThrow(
      `post-restore hook ${HOOK} failed: seed rejected`,
    );
    expect((await test.rt.store.mustGet(FORK_ID)).hook?.status).toBe('failed');
  });

  it('fails when the hook does not answer within the timeout', async () => {
    const test = await hookTest({ name: HOOK, status: 'pending' }, 1);
    const hanging: HookInvoker = {
      invoke: (_name, _event, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        ),
    };
    test.rt.hooks = hanging;
    await expect(runHook.run(input, test.rt)).rejects.toThrow(PostRestoreHookTimeoutError);
    expect((await test.rt.store.mustGet(FORK_ID)).hook?.status).toBe('failed');
  });

  it('puts a throttled hook (it never ran) back to pending for the workflow to retry', async () => {
    const test = await hookTest({ name: HOOK, status: 'pending' });
    test.mocks.lambda
      .on(InvokeCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 } }),
      )
      .resolves(answer(null));

    await expect(runHook.run(input, test.rt)).rejects.toThrow(TransientAwsError);
    expect((await test.rt.store.mustGet(FORK_ID)).hook).toEqual({ name: HOOK, status: 'pending' });

    await runHook.run(input, test.rt);
    expect(invokes(test)).toHaveLength(2);
    expect((await test.rt.store.mustGet(FORK_ID)).hook?.status).toBe('succeeded');
  });

  it('does not run a hook an earlier attempt started and never reported on', async () => {
    const test = await hookTest({ name: HOOK, status: 'running', startedAt: '2026-11-20T11:59:00.000Z' });
    await expect(runHook.run(input, test.rt)).rejects.toThrow(
      `post-restore hook ${HOOK} is not run again: an earlier attempt started it at 2026-11-20T11:59:00.000Z and never reported back (a hook runs at most once per fork)`,
    );
    expect(invokes(test)).toEqual([]);
  });

  it('does not run the hook of a fork whose creation was abandoned (a delete overtook it)', async () => {
    const test = await stepTest(
      forkAt('removing-dns', { secretArn: SECRET_ARN, hook: { name: HOOK, status: 'pending' } }),
    );
    await expect(runHook.run(input, test.rt)).rejects.toThrow(ForkStateConflictError);
    expect(invokes(test)).toEqual([]);
  });
});
