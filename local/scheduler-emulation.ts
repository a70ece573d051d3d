import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { cronMatches } from '../lambdas/core/cron.js';
import { errorName } from '../lambdas/core/errors.js';
import { deleteExecutionName } from '../lambdas/core/workflows.js';
import type { LocalWorkflows } from './local-workflows.js';

/**
 * moto stores EventBridge Scheduler schedules but never fires them. This does what Scheduler
 * would, with the schedule's own Input:
 *  - every one-time `at()` schedule of the group that is due and targets the delete state machine
 *    starts that workflow, and (ActionAfterCompletion DELETE) the schedule is removed;
 *  - every recurring `cron()` schedule that targets the refresh state machine starts it once in
 *    each UTC minute its expression names. Simplified offline: a minute is only seen while the
 *    runtime runs (a missed one is not caught up, as with Scheduler's flexible window off), and
 *    the `L`, `W` and `#` forms are not evaluated (such a schedule never fires offline).
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

export interface SchedulerEmulation {
  scheduler: SchedulerClient;
  groupName: string;
  deleteStateMachineArn: string;
  /** The refresh machine cron schedules start. @default none: cron schedules are not fired */
  refreshStateMachineArn?: string;
  workflows: LocalWorkflows;
  now: Date;
  /** The schedule-minutes already fired (kept by the caller between checks). @default a new set */
  firedMinutes?: Set<string>;
}

function forkIdOf(schedule: GetScheduleCommandOutput): string | undefined {
  const input = JSON.parse(schedule.Target?.Input ?? '{}') as { forkId?: unknown };
  return typeof input.forkId === 'string' ? input.forkId : undefined;
}

async function fireExpiry(options: SchedulerEmulation, name: string, schedule: GetScheduleCommandOutput) {
  const due = dueTime(schedule.ScheduleExpression ?? '', schedule.ScheduleExpressionTimezone);
  if (!due || due > options.now || schedule.Target?.Arn !== options.deleteStateMachineArn) return undefined;
  const forkId = forkIdOf(schedule);
  if (!forkId) return undefined;
  options.workflows.start('delete', deleteExecutionName(forkId, 'expiry'), forkId);
  if (schedule.ActionAfterCompletion === 'DELETE') {
    try {
      await options.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: options.groupName }));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  }
  return { name, forkId };
}

function fireRefresh(options: SchedulerEmulation, name: string, schedule: GetScheduleCommandOutput) {
  const expression = schedule.ScheduleExpression ?? '';
  if (!options.refreshStateMachineArn || schedule.Target?.Arn !== options.refreshStateMachineArn) return;
  if ((schedule.ScheduleExpressionTimezone ?? 'UTC') !== 'UTC') return;
  if (cronMatches(expression, options.now) !== true) return;
  const minute = options.now.toISOString().slice(0, 16);
  const key = `${name}@${minute}`;
  const fired = options.firedMinutes ?? new Set<string>();
  if (fired.has(key)) return;
  fired.add(key);
  const forkId = forkIdOf(schedule);
  if (!forkId) return;
  const input = JSON.parse(schedule.Target?.Input ?? '{}') as Record<string, unknown>;
  // Scheduler names each execution itself; one per schedule and minute here.
  options.workflows.start('refresh', `${forkId}-scheduled-${minute.replace(/\D/g, '')}`, forkId, input);
  return { name, forkId };
}

export async function fireDueSchedules(options: SchedulerEmulation): Promise<FiredSchedule[]> {
  const fired: FiredSchedule[] = [];
  // Only this minute's firings matter from now on.
  const minute = options.now.toISOString().slice(0, 16);
  for (const key of options.firedMinutes ?? []) {
    if (!key.endsWith(`@${minute}`)) options.firedMinutes?.delete(key);
  }
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
      const started = schedule.ScheduleExpression?.startsWith('cron(')
        ? fireRefresh(options, summary.Name, schedule)
        : await fireExpiry(options, summary.Name, schedule);
      if (started) fired.push(started);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return fired;
}
