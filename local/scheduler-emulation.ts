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
 * would, with each schedule's own Input:
 *  - every one-time `at()` schedule of the group that is due, earliest first: one that targets the
 *    delete state machine starts that workflow; one that targets the expiry-warning function
 *    invokes its handler as Lambda's asynchronous invocation does (EventBridge Scheduler invokes
 *    Lambda asynchronously: "Invoke a Lambda function on a schedule", Lambda Developer Guide), up
 *    to three attempts (the first and Lambda's two retries). Then (ActionAfterCompletion DELETE)
 *    the schedule is removed;
 *  - every recurring `cron()` schedule that targets the refresh state machine starts it once in
 *    each UTC minute its expression names. Simplified offline: a minute is only seen while the
 *    runtime runs (a missed one is not caught up, as with Scheduler's flexible window off), and
 *    the `L`, `W` and `#` forms are not evaluated (such a schedule never fires offline).
 */
export interface FiredSchedule {
  name: string;
  forkId: string;
  target: 'delete-workflow' | 'expiry-warning' | 'refresh-workflow';
}

/** The expiry-warning function offline: its ARN (the schedules' target) and its handler. */
export interface LocalExpiryWarning {
  functionArn: string;
  invoke(input: unknown): Promise<unknown>;
}

export interface SchedulerEmulationOptions {
  scheduler: SchedulerClient;
  groupName: string;
  deleteStateMachineArn: string;
  /** The refresh machine cron schedules start. @default none: cron schedules are not fired */
  refreshStateMachineArn?: string;
  workflows: LocalWorkflows;
  /** Without it, warning schedules are left alone (as if their target did not exist yet). */
  expiryWarning?: LocalExpiryWarning;
  /** A target that failed all its attempts (the schedule is still deleted, as Scheduler would). */
  onTargetError?: (fired: FiredSchedule, error: unknown) => void;
  /** The schedule-minutes already fired (kept by the caller between checks). @default a new set */
  firedMinutes?: Set<string>;
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const LAMBDA_ASYNC_ATTEMPTS = 3;

/** When an `at()` expression falls due, in the given IANA zone (dbfork only writes UTC). */
export function dueTime(expression: string, timezone = 'UTC'): Date | undefined {
  const match = AT.exec(expression);
  if (!match?.[1] || timezone !== 'UTC') return undefined;
  return new Date(`${match[1]}Z`);
}

interface Named {
  name: string;
  schedule: GetScheduleCommandOutput;
}

async function listSchedules(options: SchedulerEmulationOptions): Promise<Named[]> {
  const out: Named[] = [];
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
      out.push({ name: summary.Name, schedule });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return out;
}

function inputOf(schedule: GetScheduleCommandOutput): Record<string, unknown> & { forkId?: unknown } {
  return JSON.parse(schedule.Target?.Input ?? '{}') as Record<string, unknown>;
}

async function invokeAsync(warning: LocalExpiryWarning, input: unknown): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await warning.invoke(input);
      return;
    } catch (error) {
      if (attempt >= LAMBDA_ASYNC_ATTEMPTS) throw error;
    }
  }
}

/** The due one-time schedules, earliest first: the delete workflow or the expiry warning. */
async function fireOneTime(
  options: SchedulerEmulationOptions & { now: Date },
  all: readonly Named[],
): Promise<FiredSchedule[]> {
  const due = all
    .map(({ name, schedule }) => ({
      name,
      schedule,
      at: dueTime(schedule.ScheduleExpression ?? '', schedule.ScheduleExpressionTimezone),
    }))
    .filter((d): d is Named & { at: Date } => d.at !== undefined && d.at <= options.now)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const fired: FiredSchedule[] = [];
  for (const { name, schedule } of due) {
    const arn = schedule.Target?.Arn;
    const warning = options.expiryWarning;
    const target =
      arn === options.deleteStateMachineArn
        ? 'delete-workflow'
        : warning && arn === warning.functionArn
          ? 'expiry-warning'
          : undefined;
    if (!target) continue;
    const input = inputOf(schedule);
    if (typeof input.forkId !== 'string') continue;
    const done: FiredSchedule = { name, forkId: input.forkId, target };
    if (target === 'delete-workflow') {
      options.workflows.start('delete', deleteExecutionName(input.forkId, 'expiry'), input.forkId);
    } else if (warning) {
      await invokeAsync(warning, input).catch((error: unknown) => options.onTargetError?.(done, error));
    }
    fired.push(done);
    if (schedule.ActionAfterCompletion === 'DELETE') {
      try {
        await options.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: options.groupName }));
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
    }
  }
  return fired;
}

/** The recurring refresh schedules whose cron names this minute, each once per minute. */
function fireRecurring(
  options: SchedulerEmulationOptions & { now: Date },
  all: readonly Named[],
): FiredSchedule[] {
  const { refreshStateMachineArn, now } = options;
  const firedMinutes = options.firedMinutes ?? new Set<string>();
  const minute = now.toISOString().slice(0, 16);
  // Only this minute's firings matter from now on.
  for (const key of firedMinutes) if (!key.endsWith(`@${minute}`)) firedMinutes.delete(key);
  const fired: FiredSchedule[] = [];
  for (const { name, schedule } of all) {
    if (!refreshStateMachineArn || schedule.Target?.Arn !== refreshStateMachineArn) continue;
    if ((schedule.ScheduleExpressionTimezone ?? 'UTC') !== 'UTC') continue;
    if (cronMatches(schedule.ScheduleExpression ?? '', now) !== true) continue;
    const key = `${name}@${minute}`;
    if (firedMinutes.has(key)) continue;
    firedMinutes.add(key);
    const input = inputOf(schedule);
    if (typeof input.forkId !== 'string') continue;
    // Scheduler names each execution itself; one per schedule and minute here.
    const execution = `${input.forkId}-scheduled-${minute.replace(/\D/g, '')}`;
    options.workflows.start('refresh', execution, input.forkId, input);
    fired.push({ name, forkId: input.forkId, target: 'refresh-workflow' });
  }
  return fired;
}

/** Fires what Scheduler would fire as of `now`: due one-time schedules, then recurring refreshes. */
export async function fireDueSchedules(
  options: SchedulerEmulationOptions & { now: Date },
): Promise<FiredSchedule[]> {
  const all = await listSchedules(options);
  const oneTime = all.filter(({ schedule }) => !schedule.ScheduleExpression?.startsWith('cron('));
  const recurring = all.filter(({ schedule }) => schedule.ScheduleExpression?.startsWith('cron('));
  return [...(await fireOneTime(options, oneTime)), ...fireRecurring(options, recurring)];
}
