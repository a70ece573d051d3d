import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { OPTIONAL_STEP_NAMES, STEP_NAMES } from '../../lambdas/steps/step-names.js';
import { WAIT_BUDGET_MINUTES } from '../../lambdas/steps/wait-budgets.js';
import { LocalTaskTokens } from '../../local/local-task-tokens.js';
import { bindStateMachine, type CloudFormationTemplate } from '../../local/state-machine-runner.js';
import {
  definitionJoins,
  placeholderFunctionArn,
  renderDefinition,
  renderDefinitions,
  stepsByLogicalId,
  synthesizeTemplate,
} from '../../local/synth.js';
import type { TaskTimerMs } from '../../local/wait-for-task-token.js';

const template = synthesizeTemplate();
const definitions = renderDefinitions(template);

type State = {
  Type: string;
  Resource?: string;
  Parameters?: unknown;
  ResultPath?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Seconds?: number;
  HeartbeatSecondsPath?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Choices?: { Next: string; And?: { Variable: string; IsPresent?: boolean; BooleanEquals?: boolean }[] }[];
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
};
type Definition = { StartAt: string; States: Record<string, State> };

const create = definitions.create as unknown as Definition;
const remove = definitions.delete as unknown as Definition;

const stepOf = (state: State | undefined) => state?.Resource?.replace(placeholderFunctionArn(''), '');
const tasks = (d: Definition) => Object.entries(d.States).filter(([, s]) => s.Type === 'Task');
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const isAwait = (s: State | undefined) => s?.Resource === WAIT_FOR_TASK_TOKEN;
/** The Catch of an event-driven wait's heartbeat timeout: on to the check with the state it began with. */
const heartbeatCatch = (check: string) => ({
  ErrorEquals: ['States.HeartbeatTimeout'],
  Next: check,
  ResultPath: null,
});

const TEARDOWN = [
  'RemoveDns',
  'DeleteDatabase',
  'DatabaseGone?',
  'AwaitGone',
  'CheckGone',
  'DeleteSecret',
  'DeleteSchedule',
];

describe('asl-validator', () => {
  it('accepts every rendered definition', () => {
    for (const [name, definition] of Object.entries(definitions)) {
      const result = aslValidator(definition);
      expect(result.errorsText('\n'), name).toBe('');
      expect(result.isValid, name).toBe(true);
    }
  });

  it('rejects a definition with a dangling transition', () => {
    const broken = structuredClone(create);
    const first = broken.States[broken.StartAt];
    if (first) first.Next = 'NoSuchState';
    const result = aslValidator(broken);
    expect(result.isValid).toBe(false);
    expect(result.errorsText('\n')).toContain('NoSuchState');
  });
});

describe('CreateFork definition', () => {
  it('has the states of docs/workflows.md, starting at ResolveSource', () => {
    expect(create.StartAt).toBe('ResolveSource');
    expect(Object.keys(create.States).sort()).toEqual(
      [
        'ResolveSource',
        'SelectBackup',
        'SnapshotReady?',
        'AwaitSnapshot',
        'CheckSnapshot',
        'Restore',
        'DatabaseReady?',
        'AwaitDatabase',
        'CheckDatabase',
        'CreateInstances',
        'InstancesReady?',
        'AwaitInstances',
        'CheckInstances',
        'RotateCredentials',
        'CredentialsReady?',
        'WaitForCredentials',
        'CheckCredentials',
        'ParkMember',
        'RegisterDns',
        'ScheduleExpiry',
        'MarkReady',
        'Ready',
        'StartCleanup',
        ...TEARDOWN.map((s) => `Cleanup${s}`),
        'MarkFailed',
        'Failed',
      ].sort(),
    );
  });

  it('binds each Task to its step function by ARN, passing the whole state and keeping the result as the state', () => {
    const expected: Record<string, string> = {
      ResolveSource: 'resolve-source',
      SelectBackup: 'select-backup',
      CheckSnapshot: 'check-snapshot',
      Restore: 'restore',
      CheckDatabase: 'check-database',
      CreateInstances: 'create-instances',
      CheckInstances: 'check-database',
      RotateCredentials: 'rotate-credentials',
      CheckCredentials: 'check-credentials',
      RegisterDns: 'register-dns',
      ScheduleExpiry: 'schedule-expiry',
      MarkReady: 'mark-ready',
      StartCleanup: 'mark-deleting',
      CleanupRemoveDns: 'remove-dns',
      CleanupDeleteDatabase: 'delete-database',
      CleanupCheckGone: 'check-gone',
      CleanupDeleteSecret: 'delete-secret',
      CleanupDeleteSchedule: 'delete-schedule',
      MarkFailed: 'mark-failed',
    };
    const invokes = tasks(create).filter(([, s]) => !isAwait(s));
    expect(Object.fromEntries(invokes.map(([name, s]) => [name, stepOf(s)]))).toEqual(expected);
    for (const [name, state] of invokes) {
      if (name !== 'StartCleanup') expect(state.Parameters, name).toBeUndefined();
      // Absent = `$`: the handler's result replaces the state (see stepTask on why not explicit).
      expect(state.ResultPath, name).toBeUndefined();
    }
  });

  it('starts the cleanup with the fork id, mode cleanup and the caught error', () => {
    expect(create.States.StartCleanup?.Parameters).toEqual({
      'forkId.$': '$.forkId',
      mode: 'cleanup',
      'error.$': '$.error',
    });
  });

  it('parks a warm-pool member once its credentials are ready, until a claim sends it on through RotateCredentials', () => {
    const choice = create.States['CredentialsReady?']?.Choices?.[0];
    expect(choice).toEqual({
      And: [
        { Variable: '$.ready', IsPresent: true },
        { Variable: '$.ready', BooleanEquals: true },
        { Variable: '$.pool', IsPresent: true },
      ],
      Next: 'ParkMember',
    });
    const park = create.States.ParkMember;
    expect(park?.Resource).toBe(WAIT_FOR_TASK_TOKEN);
    expect(park?.Parameters).toMatchObject({
      Payload: { 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
    });
    // The member's deadline: a claim or its retirement must come before it, else the Catch removes it.
    expect(park?.TimeoutSecondsPath).toBe('$.pool.timeoutSeconds');
    expect(park?.HeartbeatSecondsPath).toBeUndefined();
    expect(park?.Next).toBe('RotateCredentials');
    expect(park?.ResultPath).toBeUndefined();
  });

  it('walks the happy path in the documented order', () => {
    const next = (name: string) => create.States[name]?.Next;
    const whenReady = (name: string) => create.States[name]?.Choices?.[0]?.Next;
    expect(next('ResolveSource')).toBe('SelectBackup');
    expect(next('SelectBackup')).toBe('SnapshotReady?');
    expect(whenReady('SnapshotReady?')).toBe('Restore');
    expect(next('Restore')).toBe('DatabaseReady?');
    expect(whenReady('DatabaseReady?')).toBe('CreateInstances');
    expect(next('CreateInstances')).toBe('InstancesReady?');
    expect(whenReady('InstancesReady?')).toBe('RotateCredentials');
    expect(next('RotateCredentials')).toBe('CredentialsReady?');
    // The first rule parks a warm-pool member (below); every fork goes on by the second.
    expect(create.States['CredentialsReady?']?.Choices?.[1]?.Next).toBe('RegisterDns');
    expect(next('RegisterDns')).toBe('ScheduleExpiry');
    expect(next('ScheduleExpiry')).toBe('MarkReady');
    expect(next('MarkReady')).toBe('Ready');
    expect(create.States.Ready?.Type).toBe('Succeed');
  });

  it('waits on RDS events for the snapshot, the database and its instances: a token Task, a heartbeat safety net, the budget as its timeout', () => {
    const waits = [
      ['SnapshotReady?', 'AwaitSnapshot', 'CheckSnapshot', 'check-snapshot', 'snapshot'],
      ['DatabaseReady?', 'AwaitDatabase', 'CheckDatabase', 'check-database', 'database'],
      ['InstancesReady?', 'AwaitInstances', 'CheckInstances', 'check-database', 'database'],
    ] as const;
    for (const [choice, wait, check, step, budget] of waits) {
      const c = create.States[choice];
      expect(c?.Default, choice).toBe(wait);
      expect(c?.Choices?.[0]?.And, choice).toEqual([
        { Variable: '$.ready', IsPresent: true },
        { Variable: '$.ready', BooleanEquals: true },
      ]);
      expect(create.States[wait], wait).toMatchObject({
        Type: 'Task',
        Resource: WAIT_FOR_TASK_TOKEN,
        Parameters: {
          FunctionName: placeholderFunctionArn(step),
          Payload: { 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
        },
        HeartbeatSecondsPath: '$.heartbeatSeconds',
        TimeoutSeconds: WAIT_BUDGET_MINUTES[budget] * 60,
        Next: choice,
      });
      expect(create.States[wait]?.ResultPath, wait).toBeUndefined();
      expect(create.States[wait]?.Catch?.[0], wait).toEqual(heartbeatCatch(check));
      expect(create.States[check]?.Next, check).toBe(choice);
    }
  });

  it('polls the credentials through a 30 s Wait and its check (RDS emits no event when a reset ends)', () => {
    expect(create.States['CredentialsReady?']?.Default).toBe('WaitForCredentials');
    expect(create.States.WaitForCredentials).toMatchObject({
      Type: 'Wait',
      Seconds: 30,
      Next: 'CheckCredentials',
    });
    expect(create.States.CheckCredentials?.Next).toBe('CredentialsReady?');
  });

  it('catches every error of every create Task into StartCleanup with the error at $.error', () => {
    const createTasks = tasks(create).filter(
      ([name]) => !name.startsWith('Cleanup') && name !== 'StartCleanup' && name !== 'MarkFailed',
    );
    expect(createTasks.length).toBe(16);
    for (const [name, state] of createTasks) {
      const toCleanup = { ErrorEquals: ['States.ALL'], Next: 'StartCleanup', ResultPath: '$.error' };
      const check = name.replace(/^Await/, 'Check');
      const waitsForEvents = isAwait(state) && name !== 'ParkMember';
      expect(state.Catch, name).toEqual(waitsForEvents ? [heartbeatCatch(check), toCleanup] : [toCleanup]);
    }
  });

  it('retries Lambda throttling and transient errors, then TransientAwsError, on every create Task, with backoff and full jitter', () => {
    const createTasks = tasks(create).filter(
      ([name]) => !name.startsWith('Cleanup') && name !== 'StartCleanup' && name !== 'MarkFailed',
    );
    expect(createTasks.length).toBe(16);
    for (const [name, state] of createTasks) {
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [
            'Lambda.TooManyRequestsException',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.ClientExecutionTimeoutException',
          ],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
        {
          ErrorEquals: ['TransientAwsError'],
          IntervalSeconds: 5,
          MaxAttempts: 5,
          BackoffRate: 2,
          MaxDelaySeconds: 120,
          JitterStrategy: 'FULL',
        },
      ]);
    }
  });

  it('cleans up through the teardown chain, then marks the fork failed and fails', () => {
    expect(create.States.StartCleanup?.Next).toBe('CleanupRemoveDns');
    expect(create.States.CleanupDeleteSchedule?.Next).toBe('MarkFailed');
    expect(create.States.MarkFailed?.Next).toBe('Failed');
    expect(create.States.Failed?.Type).toBe('Fail');
  });
});

describe('DeleteFork definition', () => {
  it('marks deleting, skips an already deleted fork, tears down and marks deleted', () => {
    expect(remove.StartAt).toBe('MarkDeleting');
    expect(Object.keys(remove.States).sort()).toEqual(
      [
        'MarkDeleting',
        'AlreadyDeleted?',
        ...TEARDOWN,
        'Cleanup?',
        'MarkDeleted',
        'Deleted',
        'MarkCleanedUp',
        'CleanedUp',
      ].sort(),
    );
    expect(stepOf(remove.States.MarkDeleting)).toBe('mark-deleting');
    // The execution input as it is: `{forkId}` (the handler defaults the mode to delete), or
    // `{forkId, mode: 'cleanup', error}` from the reconciler.
    expect(remove.States.MarkDeleting?.Parameters).toBeUndefined();
    expect(remove.States.MarkDeleting?.Next).toBe('AlreadyDeleted?');
    expect(remove.States['AlreadyDeleted?']).toMatchObject({
      Default: 'RemoveDns',
      Choices: [
        {
          And: [
            { Variable: '$.alreadyDeleted', IsPresent: true },
            { Variable: '$.alreadyDeleted', BooleanEquals: true },
          ],
          Next: 'Deleted',
        },
      ],
    });
    expect(remove.States.DeleteSchedule?.Next).toBe('Cleanup?');
    expect(remove.States['Cleanup?']).toMatchObject({
      Default: 'MarkDeleted',
      Choices: [
        {
          And: [
            { Variable: '$.mode', IsPresent: true },
            { Variable: '$.mode', StringEquals: 'cleanup' },
          ],
          Next: 'MarkCleanedUp',
        },
      ],
    });
    expect(stepOf(remove.States.MarkDeleted)).toBe('mark-deleted');
    expect(remove.States.MarkDeleted?.Next).toBe('Deleted');
    expect(remove.States.Deleted?.Type).toBe('Succeed');
    // Cleanup mode: the teardown of a create whose own workflow is gone ends the fork `failed`.
    expect(stepOf(remove.States.MarkCleanedUp)).toBe('mark-failed');
    expect(remove.States.MarkCleanedUp?.Next).toBe('CleanedUp');
    expect(remove.States.CleanedUp?.Type).toBe('Succeed');
  });
});

describe('Teardown chain', () => {
  const strip = (definition: Definition, prefix: string) =>
    Object.fromEntries(
      TEARDOWN.map((name) => {
        const state = structuredClone(definition.States[`${prefix}${name}`]) as State;
        const unprefix = (s: string | undefined) => (s?.startsWith(prefix) ? s.slice(prefix.length) : s);
        if (state.Next) state.Next = unprefix(state.Next);
        if (state.Default) state.Default = unprefix(state.Default);
        for (const choice of state.Choices ?? []) choice.Next = unprefix(choice.Next) ?? choice.Next;
        for (const catcher of state.Catch ?? []) catcher.Next = unprefix(catcher.Next) ?? catcher.Next;
        return [name, state];
      }),
    );

  it('is the same chain in both machines (one builder), apart from the Cleanup prefix and where it ends', () => {
    const inCreate = strip(create, 'Cleanup');
    const inDelete = strip(remove, '');
    expect(inCreate.DeleteSchedule?.Next).toBe('MarkFailed');
    expect(inDelete.DeleteSchedule?.Next).toBe('Cleanup?');
    delete inCreate.DeleteSchedule?.Next;
    delete inDelete.DeleteSchedule?.Next;
    expect(inCreate).toEqual(inDelete);
  });

  it('retries every teardown Task on any error, 3 attempts with backoff 2, and catches only the safety-net heartbeat', () => {
    const teardownTasks = [
      ...tasks(remove),
      ...tasks(create).filter(
        ([name]) => name.startsWith('Cleanup') || name === 'StartCleanup' || name === 'MarkFailed',
      ),
    ];
    expect(teardownTasks.length).toBe(9 + 8);
    for (const [name, state] of teardownTasks) {
      const last = state.Retry?.at(-1);
      expect(last, name).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 3, BackoffRate: 2 });
      if (isAwait(state)) {
        // Else States.ALL would retry the heartbeat timeout instead of running the check.
        const retry = state.Retry ?? [];
        const heartbeat = retry.findIndex((r) => r.ErrorEquals.includes('States.HeartbeatTimeout'));
        expect(retry[heartbeat], name).toEqual({ ErrorEquals: ['States.HeartbeatTimeout'], MaxAttempts: 0 });
        expect(heartbeat, name).toBeLessThan(retry.length - 1);
        expect(state.Catch, name).toEqual([heartbeatCatch(name.replace(/Await/, 'Check'))]);
      } else {
        expect(state.Catch, name).toBeUndefined();
      }
    }
  });

  it('waits on RDS events until the database is gone, with the heartbeat safety net and the gone budget', () => {
    expect(remove.States['DatabaseGone?']?.Default).toBe('AwaitGone');
    expect(remove.States.AwaitGone).toMatchObject({
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: {
        FunctionName: placeholderFunctionArn('check-gone'),
        Payload: { 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
      },
      HeartbeatSecondsPath: '$.heartbeatSeconds',
      TimeoutSeconds: WAIT_BUDGET_MINUTES.gone * 60,
      Next: 'DatabaseGone?',
    });
    expect(remove.States.CheckGone?.Next).toBe('DatabaseGone?');
    expect(remove.States['DatabaseGone?']?.Choices?.[0]?.Next).toBe('DeleteSecret');
  });
});

describe('local/synth.ts definition helpers', () => {
  it('returns the raw Fn::Join of each definition, with the functions as GetAtt tokens', () => {
    const joins = definitionJoins(template);
    const steps = stepsByLogicalId(template);
    for (const join of Object.values(joins)) {
      const tokens = join['Fn::Join'][1].filter((part) => typeof part !== 'string') as {
        'Fn::GetAtt'?: [string, string];
      }[];
      const functionTokens = tokens.filter((t) => t['Fn::GetAtt']);
      expect(functionTokens.length).toBeGreaterThan(0);
      for (const token of functionTokens) expect(steps[token['Fn::GetAtt']?.[0] ?? '']).toBeDefined();
    }
  });

  it('maps every step function by logical id to its DBFORK_STEP', () => {
    // No post-restore hook in the example config, so no run-hook function.
    const optional: readonly string[] = OPTIONAL_STEP_NAMES;
    expect(Object.values(stepsByLogicalId(template)).sort()).toEqual(
      STEP_NAMES.filter((step) => !optional.includes(step)).sort(),
    );
  });

  it('renders tokens with a caller-supplied resolver', () => {
    const text = renderDefinition(
      definitionJoins(template).delete,
      template,
      () => 'arn:aws:lambda:eu-west-1:1:function:x',
    );
    expect(JSON.parse(text).States.MarkDeleting.Resource).toBe('arn:aws:lambda:eu-west-1:1:function:x');
  });
});

describe('Offline run of both definitions (aws-local-stepfunctions, stub handlers)', () => {
  type Input = { forkId: string; failAt?: string; [key: string]: unknown };
  /** An event-driven wait invokes its check with the state and a token; plain Tasks with the state. */
  const unwrap = (event: unknown): { input: Input; token?: string } => {
    const e = event as { state?: Input; taskToken?: string };
    return e.taskToken !== undefined && e.state
      ? { input: e.state, token: e.taskToken }
      : { input: event as Input };
  };
  const STARTERS: readonly string[] = [
    'select-backup',
    'restore',
    'create-instances',
    'rotate-credentials',
    'delete-database',
  ];
  /** A synthesized machine whose every step is `stub`, each call recorded in `calls`. */
  const bindStubbed = (
    name: string,
    stub: (step: string, input: Input, token: string | undefined) => Promise<Input>,
    taskTimerMs?: TaskTimerMs,
  ) =>
    bindStateMachine({
      template: template as unknown as CloudFormationTemplate,
      stateMachine: (_id, resource) => resource.Properties?.StateMachineName === name,
      handlers: Object.fromEntries(
        STEP_NAMES.map((step) => [
          step,
          async (event: unknown) => {
            const { input, token } = unwrap(event);
            calls.push({ step, input });
            return stub(step, input, token);
          },
        ]),
      ),
      taskTokens,
      ...(taskTimerMs ? { taskTimerMs } : {}),
    });
  const machine = (name: string) =>
    bindStubbed(
      name,
      async (step, input, token) => {
        if (input.failAt === step) throw Object.assign(new Error(`${step} failed`), { name: 'StubError' });
        // Starting steps start something ("not ready"); each check says "not yet" once, then "ready".
        const checks = calls.filter((c) => c.step === step).length;
        const ready = step.startsWith('check-') ? checks % 2 === 0 : !STARTERS.includes(step);
        const output = { ...input, ready, ...(ready ? {} : { heartbeatSeconds: 60 }) };
        // A waiting check that finds it ready completes its own wait, as parkAndCheck does.
        if (token !== undefined && ready) await taskTokens.succeed(token, output);
        return output;
      },
      // No event ever comes here: each wait's heartbeat runs out at once into its check.
      (_state, _seconds, timer) => (timer === 'heartbeat' ? 5 : 600_000),
    );
  const taskTokens = new LocalTaskTokens();
  let calls: { step: string; input: Input }[] = [];
  const forkId = 'fork-abcdefghijkl';

  it('creates a fork through every step, each wait timing out into its check, and succeeds', async () => {
    calls = [];
    await expect(machine('dbfork-create').run({ forkId }).result).resolves.toMatchObject({
      forkId,
      ready: true,
    });
    expect(calls.map((c) => c.step)).toEqual([
      'resolve-source',
      'select-backup',
      'check-snapshot',
      'check-snapshot',
      'restore',
      'check-database',
      'check-database',
      'create-instances',
      'check-database',
      'check-database',
      'rotate-credentials',
      'check-credentials',
      'check-credentials',
      'register-dns',
      'schedule-expiry',
      'mark-ready',
    ]);
  });

  it('cleans up with mode cleanup and the caught error when a step fails, then fails', async () => {
    calls = [];
    const run = machine('dbfork-create').run({ forkId, failAt: 'restore' }).result;
    await expect(run).rejects.toThrow(/ForkFailed/);
    const cleanup = calls.find((c) => c.step === 'mark-deleting');
    expect(cleanup?.input).toMatchObject({ forkId, mode: 'cleanup', error: { Error: 'StubError' } });
    expect(calls.map((c) => c.step).slice(-6)).toEqual([
      'delete-database',
      'check-gone',
      'check-gone',
      'delete-secret',
      'delete-schedule',
      'mark-failed',
    ]);
  });

  it('retries a step that AWS throttled, then carries on to ready', async () => {
    calls = [];
    let throttled = 0;
    const flaky = bindStubbed('dbfork-create', async (step, input) => {
      if (step === 'restore' && throttled < 2) {
        throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'TransientAwsError' });
      }
      return { ...input, ready: true };
    });

    await expect(flaky.run({ forkId }).result).resolves.toMatchObject({ forkId, ready: true });
    expect(calls.filter((c) => c.step === 'restore').length).toBe(3);
    expect(calls.map((c) => c.step)).not.toContain('mark-deleting');
  });

  it('carries on when the wait is completed from outside (an RDS event), without the safety-net check', async () => {
    calls = [];
    const completions: Promise<unknown>[] = [];
    const byEvent = bindStubbed(
      'dbfork-delete',
      async (step, input, token) => {
        // The wait parks; "the event" completes it once the check has returned.
        if (token !== undefined)
          completions.push(
            new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
              taskTokens.succeed(token, { ...input, ready: true }),
            ),
          );
        const ready = step !== 'delete-database';
        return { ...input, ready, ...(ready ? {} : { heartbeatSeconds: 60 }) };
      },
      // A heartbeat no test waits for: only the completion can end the wait.
      () => 600_000,
    );
    await expect(byEvent.run({ forkId }).result).resolves.toMatchObject({ forkId, ready: true });
    await expect(Promise.all(completions)).resolves.toEqual(['completed']);
    expect(calls.map((c) => c.step)).toEqual([
      'mark-deleting',
      'remove-dns',
      'delete-database',
      'check-gone',
      'delete-secret',
      'delete-schedule',
      'mark-deleted',
    ]);
  });

  it('deletes a fork through the whole teardown, or cleans it up and marks it failed in cleanup mode', async () => {
    const teardown = [
      'remove-dns',
      'delete-database',
      'check-gone',
      'check-gone',
      'delete-secret',
      'delete-schedule',
    ];
    calls = [];
    await expect(machine('dbfork-delete').run({ forkId }).result).resolves.toMatchObject({ forkId });
    expect(calls.map((c) => c.step)).toEqual(['mark-deleting', ...teardown, 'mark-deleted']);
    expect(calls[0]?.input).toEqual({ forkId });

    calls = [];
    const error = { Error: 'stuck', Cause: 'no progress' };
    await expect(
      machine('dbfork-delete').run({ forkId, mode: 'cleanup', error }).result,
    ).resolves.toMatchObject({ forkId, mode: 'cleanup', error });
    expect(calls.map((c) => c.step)).toEqual(['mark-deleting', ...teardown, 'mark-failed']);
    expect(calls[0]?.input).toEqual({ forkId, mode: 'cleanup', error });
  });
});
