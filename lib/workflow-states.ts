import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { OptionalStepName, StepName } from '../lambdas/steps/step-names.js';
import { WAIT_BUDGET_MINUTES } from '../lambdas/steps/wait-budgets.js';

/**
 * The building blocks of dbfork's state machines (docs/workflows.md): step Tasks, their retries,
 * event-driven waits and poll loops, and the removal of a database. lib/workflows.construct.ts
 * and lib/refresh-workflow.ts assemble the machines from them.
 */

/** The step Lambdas by step name; an optional step (run-hook) only in a stack that has it. */
export type StepFunctions<F = lambda.IFunction> = Readonly<
  Record<Exclude<StepName, OptionalStepName>, F> & Partial<Record<OptionalStepName, F>>
>;

/** How long the credentials poll waits between checks (the offline runner shortens it). */
export const POLL_INTERVAL = Duration.seconds(30);

/** The error a `.waitForTaskToken` Task fails with when its heartbeat runs out: the safety net. */
export const HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';

/**
 * A heartbeat timeout is the safety net's cue, never a failure to retry: this retrier (zero
 * attempts) matches it before TEARDOWN_RETRY's States.ALL would, so it reaches the Catch at once.
 */
export const NO_HEARTBEAT_RETRY: sfn.RetryProps = { errors: [HEARTBEAT_TIMEOUT], maxAttempts: 0 };

/** Teardown steps retry anything: leaving resources behind is worse than trying again. */
export const TEARDOWN_RETRY: sfn.RetryProps = {
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

export const CREATE_RETRIES: readonly sfn.RetryProps[] = [
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

/** `$.<field> == true`, false when the field is absent (a Choice on a missing path would fail). */
export function isTrue(field: string): sfn.Condition {
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
export function stepTask(
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

/** Wait → check → back to the Choice that decides whether the thing is ready (credentials only). */
export function pollLoop(
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
export function eventWait(
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

/** The state a warm-pool member's CreateFork waits in for a claim. */
export const PARK_MEMBER_STATE = 'ParkMember';

/**
 * ParkMember: the warm-pool member waits on its task token (lambdas/steps/park-member.ts) until a
 * claim completes it with `{forkId}` (the state from then on) or its retirement fails it; its
 * timeout is the member's deadline (`$.pool.timeoutSeconds`), after which the Catch removes it.
 */
export function memberParking(scope: Construct, fn: lambda.IFunction): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, PARK_MEMBER_STATE, {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      state: sfn.JsonPath.entirePayload,
      taskToken: sfn.JsonPath.taskToken,
    }),
    taskTimeout: sfn.Timeout.at('$.pool.timeoutSeconds'),
    retryOnServiceExceptions: false,
  });
}

export interface DatabaseRemoval {
  /** The first state (the delete). */
  readonly start: tasks.LambdaInvoke;
  /** Every Task of the removal. */
  readonly tasks: readonly tasks.LambdaInvoke[];
}

/**
 * Delete → Gone? ─ready→ `next`, else AwaitGone ─(heartbeat timeout)→ CheckGone → Gone?: the
 * `delete-database` step and the `check-gone` wait, retrying anything (leaving a database behind is
 * worse than trying again). `names` are the state names.
 */
export function databaseRemoval(
  scope: Construct,
  names: { delete: string; gone: string; await: string; check: string },
  steps: StepFunctions,
  next: sfn.IChainable,
): DatabaseRemoval {
  const deleteDatabase = stepTask(scope, names.delete, steps['delete-database']);
  const gone = new sfn.Choice(scope, names.gone);
  const goneWait = eventWait(
    scope,
    { await: names.await, check: names.check },
    steps['check-gone'],
    gone,
    'gone',
  );
  const all = [deleteDatabase, goneWait.await, goneWait.check];
  goneWait.await.addRetry(NO_HEARTBEAT_RETRY);
  for (const task of all) task.addRetry(TEARDOWN_RETRY);
  deleteDatabase.next(gone);
  gone.when(isTrue('ready'), next).otherwise(goneWait.await);
  return { start: deleteDatabase, tasks: all };
}
