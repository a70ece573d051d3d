import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { StepName } from '../lambdas/steps/step-names.js';
import { NAMES } from './names.js';
import { buildRefreshDefinition } from './refresh-workflow.js';
import {
  CREATE_RETRIES,
  databaseRemoval,
  eventWait,
  isTrue,
  memberParking,
  pollLoop,
  type StepFunctions,
  stepTask,
  TEARDOWN_RETRY,
} from './workflow-states.js';

export type { StepFunctions } from './workflow-states.js';
export {
  HEARTBEAT_TIMEOUT,
  LAMBDA_TRANSIENT_ERRORS,
  POLL_INTERVAL,
  TRANSIENT_AWS_ERROR,
} from './workflow-states.js';

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
  const deleteSecret = stepTask(scope, name('DeleteSecret'), steps['delete-secret']);
  const deleteSchedule = stepTask(scope, name('DeleteSchedule'), steps['delete-schedule']);
  const removal = databaseRemoval(
    scope,
    {
      delete: name('DeleteDatabase'),
      gone: name('DatabaseGone?'),
      await: name('AwaitGone'),
      check: name('CheckGone'),
    },
    steps,
    deleteSecret,
  );
  for (const task of [removeDns, deleteSecret, deleteSchedule]) task.addRetry(TEARDOWN_RETRY);
  const all = [removeDns, ...removal.tasks, deleteSecret, deleteSchedule];

  removeDns.next(removal.start);
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
  const parkMember = memberParking(scope, steps['park-member']);
  createTasks.push(parkMember);

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
  // A warm-pool member parks once its database is ready; the claim's output has no `pool`, so the
  // claimed fork comes back through RotateCredentials and this Choice to the rest of the create.
  credentialsReady
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.ready'),
        sfn.Condition.booleanEquals('$.ready', true),
        sfn.Condition.isPresent('$.pool'),
      ),
      parkMember,
    )
    .when(isTrue('ready'), runHook ?? registerDns)
    .otherwise(credentialsPoll.loop);
  parkMember.next(rotateCredentials);
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

/** The three Standard state machines of docs/workflows.md, with X-Ray tracing and full logging. */
export class ForkWorkflows extends Construct {
  readonly createStateMachine: sfn.StateMachine;
  readonly deleteStateMachine: sfn.StateMachine;
  readonly refreshStateMachine: sfn.StateMachine;

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
    this.refreshStateMachine = this.machine(
      'RefreshFork',
      NAMES.refreshStateMachine,
      'Refreshes a dbfork fork: a new database takes over its name, secret and DNS name, then the old one goes',
      (s) => buildRefreshDefinition(s, props.steps),
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
    // Each machine gets its own scope: the states of the machines would otherwise collide.
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
