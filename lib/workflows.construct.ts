import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { OptionalStepName, StepName } from '../lambdas/steps/step-names.js';
import { WAIT_BUDGET_MINUTES } from '../lambdas/steps/wait-budgets.js';
import { NAMES } from './names.js';

/** How long the credentials poll waits between checks (the offline runner shortens it). */
export const POLL_INTERVAL = Duration.seconds(30);

/** The error a `.waitForTaskToken` Task fails with when its heartbeat runs out: the safety net. */
export const HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';

/**
 * A heartbeat timeout is the safety net's cue, never a failure to retry: this retrier (zero
 * attempts) matches it before TEARDOWN_RETRY's States.ALL would, so it reaches the Catch at once.
 */
const NO_HEARTBEAT_RETRY: sfn.RetryProps = { errors: [HEARTBEAT_TIMEOUT], maxAttempts: 0 };

/** Teardown steps retry anything: leaving resources behind is worse than trying again. */
const TEARDOWN_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL],
  maxAttempts: 3,
  backoffRate: 2,
  interval: Duration.seconds(2),
};

/**
 * Create steps retry only what is worth retrying, and let everything else reach the Catch at once.
 * Lambda's own transient errors and throttling: the set the Step Functions guide recommends
 * (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), plus
 * `Lambda.TooManyRequestsException`, which the same page names as the error of a throttled invoke.
 * `TransientAwsError` is what a step throws when AWS throttles it or answers 5xx (the error's `name`
 * is the Lambda error type Step Functions matches). Exponential backoff with full jitter, so forks
 * created together do not retry in lockstep.
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
] as const;
export const TRANSIENT_AWS_ERROR = 'TransientAwsError';

const CREATE_RETRIES: readonly sfn.RetryProps[] = [
  {
    errors: [...LAMBDA_TRANSIENT_ERRORS],
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  },
  {
    errors: [TRANSIENT_AWS_ERROR],
    interval: Duration.seconds(5),
    maxAttempts: 5,
    backoffRate: 2,
    maxDelay: Duration.seconds(120),
    jitterStrategy: sfn.JitterType.FULL,
  },
];

/** The step Lambdas by step name; an optional step (run-hook) only in a stack that has it. */
export type StepFunctions<F = lambda.IFunction> = Readonly<
  Record<Exclude<StepName, OptionalStepName>, F> & Partial<Record<OptionalStepName, F>>
>;

/** `$.<field> == true`, false when the field is absent (a Choice on a missing path would fail). */
function isTrue(field: string): sfn.Condition {
  return sfn.Condition.and(
    sfn.Condition.isPresent(`$.${field}`),
    sfn.Condition.booleanEquals(`$.${field}`, true),
  );
}

/**
 * A Task that invokes a step Lambda with the whole state and replaces the state with the
 * handler's result. `payloadResponseOnly` makes the Task's Resource the function ARN itself, so the
 * handler receives exactly the state and the offline runner can bind the Task to the handler.
 */
function stepTask(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  payload?: sfn.TaskInput,
  options: { serviceRetry?: boolean } = {},
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, stateName, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    // CDK's built-in Lambda retrier (no throttling, no jitter) is replaced by CREATE_RETRIES on create steps.
    retryOnServiceExceptions: options.serviceRetry ?? true,
    // Default: no Parameters, so the handler gets the whole state ($).
    ...(payload ? { payload } : {}),
    // No ResultPath: the default `$` (the result becomes the state). An explicit "ResultPath": "$"
    // means the same on AWS, but aws-local-stepfunctions 3 (the offline runner) nests the result
    // under a "$" key instead.
  });
}

/**
 * The input of `mark-deleting`, which starts both teardowns: the fork id and the mode (a delete, or
 * the cleanup of a failed create with the caught error). Explicit because the handler defaults to
 * `delete` and the Catch path's state carries the half-built create's fields.
 */
function teardownInput(mode: 'delete' | 'cleanup'): sfn.TaskInput {
  return sfn.TaskInput.fromObject({
    forkId: sfn.JsonPath.stringAt('$.forkId'),
    mode,
    ...(mode === 'cleanup' ? { error: sfn.JsonPath.objectAt('$.error') } : {}),
  });
}

/** Wait → check → back to the Choice that decides whether the thing is ready (credentials only). */
function pollLoop(
  scope: Construct,
  names: { wait: string; check: string },
  checkFn: lambda.IFunction,
  ready: sfn.Choice,
  options: { serviceRetry?: boolean } = {},
): { check: tasks.LambdaInvoke; loop: sfn.Wait } {
  const wait = new sfn.Wait(scope, names.wait, { time: sfn.WaitTime.duration(POLL_INTERVAL) });
  const check = stepTask(scope, names.check, checkFn, undefined, options);
  wait.next(check);
  check.next(ready);
  return { check, loop: wait };
}

/**
 * An event-driven wait (docs/workflows.md): the Await Task invokes the check with the state and its
 * task token, `.waitForTaskToken`; the check parks the token with the fork and completes the wait
 * itself when already ready, else the RDS-event handler completes it (after a Describe) with the
 * check's output. The heartbeat (`$.heartbeatSeconds`, set by the step before the wait and backed
 * off by each check, capped) is the safety net: its timeout leads to the plain check, and back to
 * the Choice. TimeoutSeconds caps one wait at the wait's budget; the checks enforce the budget over
 * the whole wait.
 */
function eventWait(
  scope: Construct,
  names: { await: string; check: string },
  checkFn: lambda.IFunction,
  ready: sfn.Choice,
  budget: keyof typeof WAIT_BUDGET_MINUTES,
  options: { serviceRetry?: boolean } = {},
): { await: tasks.LambdaInvoke; check: tasks.LambdaInvoke } {
  const wait = new tasks.LambdaInvoke(scope, names.await, {
    lambdaFunction: checkFn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      state: sfn.JsonPath.entirePayload,
      taskToken: sfn.JsonPath.taskToken,
    }),
    heartbeatTimeout: sfn.Timeout.at('$.heartbeatSeconds'),
    taskTimeout: sfn.Timeout.duration(Duration.minutes(WAIT_BUDGET_MINUTES[budget])),
    retryOnServiceExceptions: options.serviceRetry ?? true,
  });
  const check = stepTask(scope, names.check, checkFn, undefined, options);
  // The state the wait began with goes on to the check (the timeout's error is not kept).
  wait.addCatch(check, { errors: [HEARTBEAT_TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
  wait.next(ready);
  check.next(ready);
  return { await: wait, check };
}

export interface TeardownChain {
  /** The first state of the chain (RemoveDns). */
  readonly start: sfn.IChainable;
  /** Every Task of the chain. */
  readonly tasks: readonly tasks.LambdaInvoke[];
}

/**
 * The teardown chain shared by both machines (docs/workflows.md):
 * RemoveDns → DeleteDatabase → DatabaseGone? ─ready→ DeleteSecret → DeleteSchedule → `next`
 *                                  └→ AwaitGone ─(heartbeat timeout)→ CheckGone → DatabaseGone?
 * Every Task retries States.ALL; every step is idempotent (a missing resource is success).
 * @param prefix prepended to every state name ("" in DeleteFork, "Cleanup" in CreateFork)
 */
export function buildTeardownChain(
  scope: Construct,
  prefix: string,
  steps: StepFunctions,
  next: sfn.IChainable,
): TeardownChain {
  const name = (state: string) => `${prefix}${state}`;
  const removeDns = stepTask(scope, name('RemoveDns'), steps['remove-dns']);
  const deleteDatabase = stepTask(scope, name('DeleteDatabase'), steps['delete-database']);
  const gone = new sfn.Choice(scope, name('DatabaseGone?'));
  const goneWait = eventWait(
    scope,
    { await: name('AwaitGone'), check: name('CheckGone') },
    steps['check-gone'],
    gone,
    'gone',
  );
  const deleteSecret = stepTask(scope, name('DeleteSecret'), steps['delete-secret']);
  const deleteSchedule = stepTask(scope, name('DeleteSchedule'), steps['delete-schedule']);

  const all = [removeDns, deleteDatabase, goneWait.await, goneWait.check, deleteSecret, deleteSchedule];
  goneWait.await.addRetry(NO_HEARTBEAT_RETRY);
  for (const task of all) task.addRetry(TEARDOWN_RETRY);

  removeDns.next(deleteDatabase).next(gone);
  gone.when(isTrue('ready'), deleteSecret).otherwise(goneWait.await);
  deleteSecret.next(deleteSchedule).next(next);
  return { start: removeDns, tasks: all };
}

const CREATE_TASK = { serviceRetry: false } as const;

/**
 * CreateFork: resolve → backup → restore → instances → credentials → (post-restore hook) → DNS →
 * expiry → ready. The hook's Task exists only when its step function does (config `postRestoreHook`).
 */
export function buildCreateDefinition(scope: Construct, steps: StepFunctions): sfn.IChainable {
  // The Catch path: record the failure, tear down whatever exists, end failed.
  const startCleanup = stepTask(scope, 'StartCleanup', steps['mark-deleting'], teardownInput('cleanup'));
  const markFailed = stepTask(scope, 'MarkFailed', steps['mark-failed']);
  const failed = new sfn.Fail(scope, 'Failed', {
    error: 'ForkFailed',
    cause: 'The create workflow failed and cleaned up; the fork record keeps the error',
  });
  const cleanup = buildTeardownChain(scope, 'Cleanup', steps, markFailed);
  startCleanup.addRetry(TEARDOWN_RETRY).next(cleanup.start);
  markFailed.addRetry(TEARDOWN_RETRY).next(failed);

  const createTasks: tasks.LambdaInvoke[] = [];
  const task = (stateName: string, step: StepName) => {
    const fn = steps[step];
    if (!fn) throw new Error(`no function for step ${step}`);
    const t = stepTask(scope, stateName, fn, undefined, CREATE_TASK);
    createTasks.push(t);
    return t;
  };

  const resolveSource = task('ResolveSource', 'resolve-source');
  const selectBackup = task('SelectBackup', 'select-backup');
  const snapshotReady = new sfn.Choice(scope, 'SnapshotReady?');
  const restore = task('Restore', 'restore');
  const databaseReady = new sfn.Choice(scope, 'DatabaseReady?');
  const createInstances = task('CreateInstances', 'create-instances');
  const instancesReady = new sfn.Choice(scope, 'InstancesReady?');
  const rotateCredentials = task('RotateCredentials', 'rotate-credentials');
  const credentialsReady = new sfn.Choice(scope, 'CredentialsReady?');
  // Retried like every create step (CREATE_RETRIES), which is safe: the step never starts a hook
  // twice (lambdas/steps/run-hook.ts), and a throttled invoke of the hook, which never ran, comes
  // back as TransientAwsError. What the hook itself answers is never retried: it fails the fork.
  const runHook = steps['run-hook'] ? task('RunHook', 'run-hook') : undefined;
  const registerDns = task('RegisterDns', 'register-dns');
  const scheduleExpiry = task('ScheduleExpiry', 'schedule-expiry');
  const markReady = task('MarkReady', 'mark-ready');
  const ready = new sfn.Succeed(scope, 'Ready');

  const snapshotWait = eventWait(
    scope,
    { await: 'AwaitSnapshot', check: 'CheckSnapshot' },
    steps['check-snapshot'],
    snapshotReady,
    'snapshot',
    CREATE_TASK,
  );
  const databaseWait = eventWait(
    scope,
    { await: 'AwaitDatabase', check: 'CheckDatabase' },
    steps['check-database'],
    databaseReady,
    'database',
    CREATE_TASK,
  );
  const instancesWait = eventWait(
    scope,
    { await: 'AwaitInstances', check: 'CheckInstances' },
    steps['check-database'],
    instancesReady,
    'database',
    CREATE_TASK,
  );
  // RDS announces the start of a master-credentials reset (RDS-EVENT-0016) but documents no event
  // for its end (RDS User Guide, "Amazon RDS event categories and event messages"): a short poll.
  const credentialsPoll = pollLoop(
    scope,
    { wait: 'WaitForCredentials', check: 'CheckCredentials' },
    steps['check-credentials'],
    credentialsReady,
    CREATE_TASK,
  );
  for (const wait of [snapshotWait, databaseWait, instancesWait]) createTasks.push(wait.await, wait.check);
  createTasks.push(credentialsPoll.check);

  resolveSource.next(selectBackup).next(snapshotReady);
  snapshotReady.when(isTrue('ready'), restore).otherwise(snapshotWait.await);
  restore.next(databaseReady);
  databaseReady.when(isTrue('ready'), createInstances).otherwise(databaseWait.await);
  createInstances.next(instancesReady);
  instancesReady.when(isTrue('ready'), rotateCredentials).otherwise(instancesWait.await);
  rotateCredentials.next(credentialsReady);
  credentialsReady.when(isTrue('ready'), runHook ?? registerDns).otherwise(credentialsPoll.loop);
  runHook?.next(registerDns);
  registerDns.next(scheduleExpiry).next(markReady).next(ready);

  // Retriers first, then the Catch: a transient error is retried; what is left goes to cleanup.
  for (const t of createTasks) for (const retry of CREATE_RETRIES) t.addRetry(retry);
  for (const t of createTasks) t.addCatch(startCleanup, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  return resolveSource;
}

/**
 * DeleteFork: mark deleting → (already deleted? done) → teardown → mark deleted. Started in
 * `cleanup` mode (the reconciler, for a create whose own workflow is gone: `{forkId, mode, error}`)
 * the same teardown ends in mark-failed instead, keeping the error on the record.
 */
export function buildDeleteDefinition(scope: Construct, steps: StepFunctions): sfn.IChainable {
  // No explicit payload: the execution input is `{forkId}` or `{forkId, mode: 'cleanup', error}`,
  // and the handler defaults the mode to `delete`.
  const markDeleting = stepTask(scope, 'MarkDeleting', steps['mark-deleting']);
  const alreadyDeleted = new sfn.Choice(scope, 'AlreadyDeleted?');
  const markDeleted = stepTask(scope, 'MarkDeleted', steps['mark-deleted']);
  const markFailed = stepTask(scope, 'MarkCleanedUp', steps['mark-failed']);
  const deleted = new sfn.Succeed(scope, 'Deleted');
  const cleanedUp = new sfn.Succeed(scope, 'CleanedUp');
  const finish = new sfn.Choice(scope, 'Cleanup?');
  const teardown = buildTeardownChain(scope, '', steps, finish);

  markDeleting.addRetry(TEARDOWN_RETRY).next(alreadyDeleted);
  alreadyDeleted.when(isTrue('alreadyDeleted'), deleted).otherwise(teardown.start);
  const cleanupMode = sfn.Condition.and(
    sfn.Condition.isPresent('$.mode'),
    sfn.Condition.stringEquals('$.mode', 'cleanup'),
  );
  finish.when(cleanupMode, markFailed).otherwise(markDeleted);
  markDeleted.addRetry(TEARDOWN_RETRY).next(deleted);
  markFailed.addRetry(TEARDOWN_RETRY).next(cleanedUp);
  return markDeleting;
}

export interface ForkWorkflowsProps {
  /** The step Lambdas, by step name. */
  readonly steps: StepFunctions;
  /** Retention of the state machines' execution log groups. */
  readonly logRetention: logs.RetentionDays;
}

/** The two Standard state machines of docs/workflows.md, with X-Ray tracing and full logging. */
export class ForkWorkflows extends Construct {
  readonly createStateMachine: sfn.StateMachine;
  readonly deleteStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ForkWorkflowsProps) {
    super(scope, id);
    this.createStateMachine = this.machine(
      'CreateFork',
      NAMES.createStateMachine,
      'Creates a dbfork fork; cleans up and fails on any error',
      (s) => buildCreateDefinition(s, props.steps),
      props.logRetention,
    );
    this.deleteStateMachine = this.machine(
      'DeleteFork',
      NAMES.deleteStateMachine,
      'Deletes a dbfork fork (on request or at expiry)',
      (s) => buildDeleteDefinition(s, props.steps),
      props.logRetention,
    );
  }

  private machine(
    id: string,
    stateMachineName: string,
    comment: string,
    definition: (scope: Construct) => sfn.IChainable,
    retention: logs.RetentionDays,
  ): sfn.StateMachine {
    // Each machine gets its own scope: the teardown states of both would otherwise collide.
    const scope = new Construct(this, id);
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      // The vended-logs prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return new sfn.StateMachine(scope, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment,
      definitionBody: sfn.DefinitionBody.fromChainable(definition(scope)),
      tracingEnabled: true,
      // ALL (not only ERROR) so every transition is auditable; the state never carries secrets
      // (credentials live only in Secrets Manager, DESIGN.md §3.4).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
