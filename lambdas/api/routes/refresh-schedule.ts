import { required } from '../../core/env.js';
import { ForkStateConflictError } from '../../core/errors.js';
import type { ForkRecord } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { ServiceUnavailableError } from '../errors.js';
import { assertCanManage, findFork, hasSchedule, isExtendable } from './shared.js';

/**
 * Sets or removes (`null`) a live fork's recurring refresh: the record first, then its EventBridge
 * Scheduler schedule (a cron in UTC that starts RefreshFork). Before the fork has its schedules
 * (before `scheduling-expiry`), that step creates it from the record.
 */
export async function changeRefreshSchedule(
  rt: RuntimeWith<'store' | 'schedules'>,
  ref: string,
  caller: string,
  cron: string | null,
): Promise<ForkRecord> {
  const fork = await findFork(rt, ref);
  assertCanManage(fork, caller, rt.env.policy, 'change the refresh schedule of');
  if (!isExtendable(fork)) {
    throw new ForkStateConflictError(
      `fork ${fork.id} is ${fork.status} (${fork.step}); only a creating or ready fork's refresh schedule can change`,
      { details: [{ message: 'fork not live', status: fork.status, step: fork.step }] },
    );
  }
  // Fail on missing configuration before anything is written.
  const target = {
    groupName: rt.env.schedulerGroupName,
    refreshStateMachineArn: required(rt.env.refreshStateMachineArn, 'refreshStateMachineArn'),
    roleArn: required(rt.env.schedulerRoleArn, 'schedulerRoleArn'),
  };
  const updated = await rt.store.refreshes.setSchedule(
    fork.id,
    cron,
    cron ? `refresh schedule set to ${cron} (UTC) by ${caller}` : `refresh schedule removed by ${caller}`,
  );
  if (hasSchedule(updated)) {
    try {
      if (cron) await rt.schedules.putRefresh(updated.id, cron, target);
      else await rt.schedules.deleteRefresh(updated.id, target.groupName);
    } catch (error) {
      throw new ServiceUnavailableError(
        `fork ${updated.id} records the refresh schedule but its EventBridge schedule could not be changed; repeat the request`,
        { cause: error, details: [{ message: 'schedule not updated', forkId: updated.id }] },
      );
    }
  }
  return updated;
}
