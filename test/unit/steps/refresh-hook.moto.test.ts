/**
 * run-hook in RefreshFork: the refresh's post-restore hook on its new database, invoked through the
 * Lambda client (mocked) with the fork store on moto, whose conditional writes on the refresh's
 * record keep the hook from starting twice within one refresh — and leave the create's own hook
 * record (never twice per fork) alone.
 */
import { InvokeCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import {
  ForkStateConflictError,
  PostRestoreHookError,
  TransientAwsError,
} from '../../../lambdas/core/errors.js';
import type { ForkHook, ForkRecord, ForkRefresh } from '../../../lambdas/core/fork.js';
import { refreshHookFor } from '../../../lambdas/core/hook-config.js';
import { step as runHook } from '../../../lambdas/steps/run-hook.js';
import { FORK_ID } from '../core/fixtures.js';
import { forkAt, type StepTest, stepTest } from './support.js';

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/${FORK_ID}-AbCdEf`;
const HOOK = 'mask-pii';
const CREATE_HOOK: ForkHook = {
  name: HOOK,
  status: 'succeeded',
  startedAt: '2026-11-19T10:00:00.000Z',
  finishedAt: '2026-11-19T10:00:05.000Z',
  durationMs: 5000,
};
const OLD_ENDPOINT = { host: `${FORK_ID}.cold.us-east-1.rds.amazonaws.com`, port: 5432 };

/** Refresh `attempt` building its new database, as check-credentials saw it ready. */
function refreshState(attempt: number) {
  const endpoint = { host: `${FORK_ID}-r${attempt}.cnew.us-east-1.rds.amazonaws.com`, port: 5432 };
  return { forkId: FORK_ID, ready: true, endpoint, refresh: { attempt } };
}

function refreshOf(attempt: number, hook: ForkHook | undefined, state: ForkRefresh['state'] = 'running') {
  return {
    state,
    attempt,
    step: 'rotating-credentials',
    startedAt: '2026-11-20T11:00:00.000Z',
    requestedBy: 'schedule',
    restore: {
      requested: { type: 'snapshot' as const, snapshotId: 'orders-manual-7' },
      resolved: { snapshotId: 'orders-manual-7' },
    },
    databaseId: `${FORK_ID}-r${attempt}`,
    previousDatabaseId: attempt === 1 ? FORK_ID : `${FORK_ID}-r${attempt - 1}`,
    ...(hook ? { hook } : {}),
  };
}

async function hookTest(refresh: ForkRefresh, fork: Partial<ForkRecord> = {}): Promise<StepTest> {
  return stepTest(
    forkAt('ready', { secretArn: SECRET_ARN, endpoint: OLD_ENDPOINT, hook: CREATE_HOOK, refresh, ...fork }),
    { env: { policy: { allowedSources: ['orders-prod'], postRestoreHook: { default: HOOK } } } },
  );
}

const answer = (payload: unknown, functionError?: string) => ({
  StatusCode: 200,
  ...(functionError ? { FunctionError: functionError } : {}),
  Payload: new TextEncoder().encode(JSON.stringify(payload)) as never,
});

const invokes = (test: StepTest) => test.mocks.lambda.commandCalls(InvokeCommand);

describe('run-hook in a refresh', () => {
  it("invokes the refresh's hook once on the new database, with trigger refresh and the refresh's backup, and records it on the refresh", async () => {
    const test = await hookTest(refreshOf(1, { name: HOOK, status: 'pending' }));
    test.mocks.lambda.on(InvokeCommand).resolves(answer({ masked: 2 }));
    const input = refreshState(1);

    expect(await runHook.run(input, test.rt)).toEqual(input);

    const [call] = invokes(test);
    expect(call?.args[0].input).toMatchObject({ FunctionName: HOOK, InvocationType: 'RequestResponse' });
    const event = JSON.parse(new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array));
    expect(event).toMatchObject({
      trigger: 'refresh',
      hook: HOOK,
      id: FORK_ID,
      endpoint: input.endpoint.host,
      port: 5432,
      secretArn: SECRET_ARN,
      restore: refreshOf(1, undefined).restore,
    });
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork.refresh?.hook).toEqual({
      name: HOOK,
      status: 'succeeded',
      startedAt: test.clock.iso(),
      finishedAt: test.clock.iso(),
      durationMs: 0,
    });
    expect(fork.refresh?.step).toBe('running-hook');
    // The fork itself stays as it was: ready, served by its database, its create's hook untouched.
    expect(fork).toMatchObject({ status: 'ready', step: 'ready', endpoint: OLD_ENDPOINT, hook: CREATE_HOOK });
    expect(fork.history.slice(-2).map((h) => h.message)).toEqual([
      `refresh 1: running post-restore hook ${HOOK} on ${FORK_ID}-r1`,
      `refresh 1: post-restore hook ${HOOK} succeeded in 0.0 s`,
    ]);

    // A retry whose first answer was lost goes on without running the hook again.
    await runHook.run(input, test.rt);
    expect(invokes(test)).toHaveLength(1);
  });

  it('fails the refresh step naming the hook when the hook threw, and never runs it again in that refresh', async () => {
    const test = await hookTest(refreshOf(1, { name: HOOK, status: 'pending' }));
    test.mocks.lambda
      .on(InvokeCommand)
      .resolves(answer({ errorType: 'Error', errorMessage: 'column ssn does not exist' }, 'Unhandled'));

    await expect(runHook.run(refreshState(1), test.rt)).rejects.toThrow(
      new PostRestoreHookError(`post-restore hook ${HOOK} failed: column ssn does not exist`),
    );
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork.refresh?.hook).toMatchObject({ name: HOOK, status: 'failed', finishedAt: test.clock.iso() });
    expect(fork.refresh?.state).toBe('running');
    expect(fork.hook).toEqual(CREATE_HOOK);

    await expect(runHook.run(refreshState(1), test.rt)).rejects.toThrow(
      `post-restore hook ${HOOK} is not run again on ${FORK_ID}-r1: it already failed (a hook runs at most once per refresh)`,
    );
    expect(invokes(test)).toHaveLength(1);
  });

  it('runs the hook again for the next refresh: at most once per refresh, each on its own database', async () => {
    const done: ForkHook = { ...CREATE_HOOK, startedAt: '2026-11-20T11:30:00.000Z' };
    const test = await hookTest(refreshOf(2, { name: HOOK, status: 'pending' }), {
      refreshes: [
        {
          at: '2026-11-20T11:40:00.000Z',
          requestedBy: 'schedule',
          restore: refreshOf(1, done).restore,
          databaseId: `${FORK_ID}-r1`,
          replaced: FORK_ID,
        },
      ],
      databaseId: `${FORK_ID}-r1`,
    });
    test.mocks.lambda.on(InvokeCommand).resolves(answer(null));

    await runHook.run(refreshState(2), test.rt);

    const event = JSON.parse(new TextDecoder().decode(invokes(test)[0]?.args[0].input.Payload as Uint8Array));
    expect(event).toMatchObject({ trigger: 'refresh', endpoint: refreshState(2).endpoint.host });
    expect((await test.rt.store.mustGet(FORK_ID)).refresh?.hook?.status).toBe('succeeded');
  });

  it('does not run a hook an earlier attempt of the same refresh started and never reported on', async () => {
    const test = await hookTest(
      refreshOf(1, { name: HOOK, status: 'running', startedAt: '2026-11-20T11:59:00.000Z' }),
    );
    await expect(runHook.run(refreshState(1), test.rt)).rejects.toThrow(
      `post-restore hook ${HOOK} is not run again on ${FORK_ID}-r1: an earlier attempt started it at 2026-11-20T11:59:00.000Z and never reported back (a hook runs at most once per refresh)`,
    );
    expect(invokes(test)).toEqual([]);
  });

  it('puts a throttled hook (it never ran) back to pending for the workflow to retry', async () => {
    const test = await hookTest(refreshOf(1, { name: HOOK, status: 'pending' }));
    test.mocks.lambda
      .on(InvokeCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 } }),
      )
      .resolves(answer(null));

    await expect(runHook.run(refreshState(1), test.rt)).rejects.toThrow(TransientAwsError);
    expect((await test.rt.store.mustGet(FORK_ID)).refresh?.hook).toEqual({ name: HOOK, status: 'pending' });

    await runHook.run(refreshState(1), test.rt);
    expect(invokes(test)).toHaveLength(2);
    expect((await test.rt.store.mustGet(FORK_ID)).refresh?.hook?.status).toBe('succeeded');
  });

  it('does nothing for a refresh without a hook', async () => {
    const test = await hookTest(refreshOf(1, undefined));
    await runHook.run(refreshState(1), test.rt);
    expect(invokes(test)).toEqual([]);
    expect((await test.rt.store.mustGet(FORK_ID)).refresh?.hook).toBeUndefined();
  });

  it('runs nothing for a refresh that is no longer wanted: the fork is being deleted, or the refresh is not this one', async () => {
    const deleting = await stepTest(
      forkAt('removing-dns', {
        secretArn: SECRET_ARN,
        hook: CREATE_HOOK,
        refresh: refreshOf(1, { name: HOOK, status: 'pending' }),
      }),
    );
    await expect(runHook.run(refreshState(1), deleting.rt)).rejects.toThrow(ForkStateConflictError);
    expect(invokes(deleting)).toEqual([]);

    const other = await hookTest(refreshOf(2, { name: HOOK, status: 'pending' }));
    await expect(runHook.run(refreshState(1), other.rt)).rejects.toThrow(ForkStateConflictError);
    expect(invokes(other)).toEqual([]);
  });
});

describe('refreshHookFor', () => {
  const config = { default: 'mask-pii', allowed: ['seed-demo'], timeoutSeconds: 300 };

  it("runs the fork's own hook while the stack allows it, else the default, else none", () => {
    expect(refreshHookFor(config, 'seed-demo')).toBe('seed-demo');
    expect(refreshHookFor(config, 'mask-pii')).toBe('mask-pii');
    expect(refreshHookFor(config, undefined)).toBe('mask-pii');
    expect(refreshHookFor(config, 'no-longer-allowed')).toBe('mask-pii');
    expect(refreshHookFor({ allowed: ['seed-demo'], timeoutSeconds: 300 }, undefined)).toBeUndefined();
    expect(refreshHookFor(undefined, 'seed-demo')).toBeUndefined();
  });
});
