import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { errorName } from '../lambdas/core/errors.js';
import { deleteExecutionName } from '../lambdas/core/workflows.js';
import type { LocalWorkflows } from './local-workflows.js';

/**
 * moto stores EventBridge Scheduler schedules but never fires them. This does what Scheduler
 * would: every one-time `at()` schedule of the group that is due and targets the delete state
 * machine starts that workflow with the schedule's own Input, and (ActionAfterCompletion DELETE)
 * the schedule is removed.
 */
export interface FiredSchedule {
  name: string;
  forkId: string;
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

/** When an `at()` expression falls due, in the given IANA zone (dbfork only writes UTC). */
export function dueTime(expression: string, timezone = 'UTC'): Date | undefined {
  const match = AT.exec(expression);
  if (!match?.[1] || timezone !== 'UTC') return undefined;
  return new Date(`${match[1]}Z`);
}

export async function fireDueSchedules(options: {
  scheduler: SchedulerClient;
  groupName: string;
  deleteStateMachineArn: string;
  workflows: LocalWorkflows;
  now: Date;
}): Promise<FiredSchedule[]> {
  const fired: FiredSchedule[] = [];
  let nextToken: string | undefined;
  do {
    const page = await options.scheduler.send(
      new ListSchedulesCommand({
        GroupName: options.groupName,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const summary of page.Schedules ?? []) {
      if (!summary.Name) continue;
      const schedule = await options.scheduler.send(
        new GetScheduleCommand({ Name: summary.Name, GroupName: options.groupName }),
      );
      const due = dueTime(schedule.ScheduleExpression ?? '', schedule.ScheduleExpressionTimezone);
      if (!due || due > options.now || schedule.Target?.Arn !== options.deleteStateMachineArn) continue;
      const input = JSON.parse(schedule.Target.Input ?? '{}') as { forkId?: unknown };
      if (typeof input.forkId !== 'string') continue;
      options.workflows.start('delete', deleteExecutionName(input.forkId, 'expiry'), input.forkId);
      fired.push({ name: summary.Name, forkId: input.forkId });
      if (schedule.ActionAfterCompletion === 'DELETE') {
        try {
          await options.scheduler.send(
            new DeleteScheduleCommand({ Name: summary.Name, GroupName: options.groupName }),
          );
        } catch (error) {
          if (errorName(error) !== 'ResourceNotFoundException') throw error;
        }
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return fired;
}
