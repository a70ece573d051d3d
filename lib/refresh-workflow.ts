import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { DNS_TTL_SECONDS } from '../lambdas/core/dns.js';
import type { StepName } from '../lambdas/steps/step-names.js';
import {
  CREATE_RETRIES,
  databaseRemoval,
  eventWait,
  isTrue,
  pollLoop,
  type StepFunctions,
  stepTask,
  TEARDOWN_RETRY,
} from './workflow-states.js';

/**
 * How long the old database keeps serving after the DNS name moved: twice the CNAME's TTL, so
 * resolvers that cached the old answer have let it go before the database behind it is deleted.
 */
export const DRAIN_SECONDS = 2 * DNS_TTL_SECONDS;

/**
 * RefreshFork (docs/workflows.md): a new database for a ready fork, built with the create's own
 * restore steps and checks, takes over the fork's secret and DNS name once it is ready; then the
 * one it replaced is deleted. The fork stays `ready` throughout.
 *
 *   Abandoned? → BeginRefresh → NothingToDo? → SelectBackup → … → Restore → … → CreateInstances → …
 *   → StageCredentials → CredentialsReady? → (RunHook) → SwitchSecret → SwitchDns
 *   → TakeOver → AnnounceRefresh → DrainOldDatabase → DeleteOldDatabase … → MarkRefreshed
 *
 * Any error after BeginRefresh up to and including TakeOver: UndoRefresh (the secret and the DNS name back on the
 * serving database) → RemoveNewDatabase … → MarkRefreshFailed → RefreshFailed (Fail). After
 * TakeOver the new database serves the fork and nothing is undone. Started in `abandon` mode (the
 * reconciler, for a refresh whose workflow is gone: `{forkId, refresh, mode, error}`), the machine
 * goes straight to UndoRefresh. RunHook (the post-restore hook on the new database) exists only
 * when its step function does (config `postRestoreHook`).
 */
export function buildRefreshDefinition(scope: Construct, steps: StepFunctions): sfn.IChainable {
  // The failure path: put back what moved, remove the new database, record the failure.
  const undo = stepTask(scope, 'UndoRefresh', steps['undo-refresh']);
  const markFailed = stepTask(scope, 'MarkRefreshFailed', steps['mark-refresh-failed']);
  const failed = new sfn.Fail(scope, 'RefreshFailed', {
    error: 'RefreshFailed',
    cause: 'The refresh failed and removed its new database; the fork kept the database it had',
  });
  const removeNew = databaseRemoval(
    scope,
    {
      delete: 'RemoveNewDatabase',
      gone: 'NewDatabaseGone?',
      await: 'AwaitNewDatabaseGone',
      check: 'CheckNewDatabaseGone',
    },
    steps,
    markFailed,
  );
  undo.addRetry(TEARDOWN_RETRY).next(removeNew.start);
  markFailed.addRetry(TEARDOWN_RETRY).next(failed);

  const buildTasks: tasks.LambdaInvoke[] = [];
  const task = (stateName: string, step: StepName) => {
    const fn = steps[step];
    if (!fn) throw new Error(`no function for step ${step}`);
    const t = stepTask(scope, stateName, fn, undefined, { serviceRetry: false });
    buildTasks.push(t);
    return t;
  };

  const begin = task('BeginRefresh', 'begin-refresh');
  const nothingToDo = new sfn.Choice(scope, 'NothingToDo?');
  const skipped = new sfn.Succeed(scope, 'Skipped', {
    comment: 'The fork is not ready, or another refresh is in progress',
  });
  const selectBackup = task('SelectBackup', 'select-backup');
  const snapshotReady = new sfn.Choice(scope, 'SnapshotReady?');
  const restore = task('Restore', 'restore');
  const databaseReady = new sfn.Choice(scope, 'DatabaseReady?');
  const createInstances = task('CreateInstances', 'create-instances');
  const instancesReady = new sfn.Choice(scope, 'InstancesReady?');
  const stageCredentials = task('StageCredentials', 'stage-credentials');
  const credentialsReady = new sfn.Choice(scope, 'CredentialsReady?');
  // The post-restore hook, only in a stack that has one: retried like every build step, which is
  // safe because a refresh starts its hook at most once (lambdas/steps/refresh-hook.ts); what the
  // hook answers is never retried, its failure is undone like any other.
  const runHook = steps['run-hook'] ? task('RunHook', 'run-hook') : undefined;
  const switchSecret = task('SwitchSecret', 'switch-secret');
  const switchDns = task('SwitchDns', 'switch-dns');
  const takeOver = task('TakeOver', 'take-over');

  const snapshotWait = eventWait(
    scope,
    { await: 'AwaitSnapshot', check: 'CheckSnapshot' },
    steps['check-snapshot'],
    snapshotReady,
    'snapshot',
    { serviceRetry: false },
  );
  const databaseWait = eventWait(
    scope,
    { await: 'AwaitDatabase', check: 'CheckDatabase' },
    steps['check-database'],
    databaseReady,
    'database',
    { serviceRetry: false },
  );
  const instancesWait = eventWait(
    scope,
    { await: 'AwaitInstances', check: 'CheckInstances' },
    steps['check-database'],
    instancesReady,
    'database',
    { serviceRetry: false },
  );
  const credentialsPoll = pollLoop(
    scope,
    { wait: 'WaitForCredentials', check: 'CheckCredentials' },
    steps['check-credentials'],
    credentialsReady,
    { serviceRetry: false },
  );
  for (const wait of [snapshotWait, databaseWait, instancesWait]) buildTasks.push(wait.await, wait.check);
  buildTasks.push(credentialsPoll.check);

  // After the take-over: announce, let DNS caches drain, delete the replaced database, done. These
  // retry anything; an announcement that still fails does not stop the old database's removal, and
  // a removal that still fails ends the refresh all the same (the reconciler's orphan sweep removes
  // a database no live fork claims).
  const announce = stepTask(scope, 'AnnounceRefresh', steps['announce-refresh']);
  const drain = new sfn.Wait(scope, 'DrainOldDatabase', {
    time: sfn.WaitTime.duration(Duration.seconds(DRAIN_SECONDS)),
  });
  const markRefreshed = stepTask(scope, 'MarkRefreshed', steps['mark-refreshed']);
  const refreshed = new sfn.Succeed(scope, 'Refreshed');
  const removeOld = databaseRemoval(
    scope,
    {
      delete: 'DeleteOldDatabase',
      gone: 'OldDatabaseGone?',
      await: 'AwaitOldDatabaseGone',
      check: 'CheckOldDatabaseGone',
    },
    steps,
    markRefreshed,
  );
  announce.addRetry(TEARDOWN_RETRY);
  announce.addCatch(drain, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  for (const t of removeOld.tasks) {
    t.addCatch(markRefreshed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }
  markRefreshed.addRetry(TEARDOWN_RETRY).next(refreshed);

  // The reconciler's cleanup of a refresh whose workflow is gone starts right at the undo.
  const abandoned = new sfn.Choice(scope, 'Abandoned?');
  abandoned
    .when(
      sfn.Condition.and(sfn.Condition.isPresent('$.mode'), sfn.Condition.stringEquals('$.mode', 'abandon')),
      undo,
    )
    .otherwise(begin);
  begin.next(nothingToDo);
  nothingToDo.when(isTrue('skipped'), skipped).otherwise(selectBackup);
  selectBackup.next(snapshotReady);
  snapshotReady.when(isTrue('ready'), restore).otherwise(snapshotWait.await);
  restore.next(databaseReady);
  databaseReady.when(isTrue('ready'), createInstances).otherwise(databaseWait.await);
  createInstances.next(instancesReady);
  instancesReady.when(isTrue('ready'), stageCredentials).otherwise(instancesWait.await);
  stageCredentials.next(credentialsReady);

  // ─── The new database is available with its own password, and nothing points at it yet. ───
  // What must run on it before it takes over (the post-restore hook) runs here, with the
  // refresh's retries and its Catch into UndoRefresh.
  credentialsReady.when(isTrue('ready'), runHook ?? switchSecret).otherwise(credentialsPoll.loop);
  runHook?.next(switchSecret);

  switchSecret.next(switchDns).next(takeOver).next(announce).next(drain).next(removeOld.start);

  // Retriers first, then the Catch: a transient error is retried; what is left is undone.
  for (const t of buildTasks) for (const retry of CREATE_RETRIES) t.addRetry(retry);
  // BeginRefresh builds nothing: its failure only ends the refresh it was given.
  begin.addCatch(markFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  for (const t of buildTasks.filter((t) => t !== begin)) {
    t.addCatch(undo, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }
  return abandoned;
}
