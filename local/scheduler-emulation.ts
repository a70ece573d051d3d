import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { errorName } from '../lambdas/core/errors.js';
import { deleteExecutionName } from '../lambdas/core/workflows.js';
import type { LocalWorkflows } from './local-workflows.js';

/**
 * moto stores EventBridge Scheduler schedules but never fires them. This does what Scheduler
 * would with every one-time `at()` schedule of the group that is due, earliest first: one that
 * targets the delete state machine starts that workflow with the schedule's own Input; one that
 * targets the expiry-warning function invokes its handler with the Input as Lambda's asynchronous
 * invocation does (EventBridge Scheduler invokes Lambda asynchronously: "Invoke a Lambda function
 * on a schedule", Lambda Developer Guide), up to three attempts (the first and Lambda's two
 * retries). Then (ActionAfterCompletion DELETE) the schedule is removed.
 */
export interface FiredSchedule {
  name: string;
  forkId: string;
  target: 'delete-workflow' | 'expiry-warning';
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
  workflows: LocalWorkflows;
  /** Without it, warning schedules are left alone (as if their target did not exist yet). */
  expiryWarning?: LocalExpiryWarning;
  /** A target that failed all its attempts (the schedule is still deleted, as Scheduler would). */
  onTargetError?: (fired: FiredSchedule, error: unknown) => void;
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const LAMBDA_ASYNC_ATTEMPTS = 3;

/** When an `at()` expression falls due, in the given IANA zone (dbfork only writes UTC). */
export function dueTime(expression: string, timezone = 'UTC'): Date | undefined {
  const match = AT.exec(expression);
  if (!match?.[1] || timezone !== 'UTC') return undefined;
  return new Date(`${match[1]}Z`);
}

interface Due {
  name: string;
  at: Date;
  schedule: GetScheduleCommandOutput;
}

async function dueSchedules(options: SchedulerEmulationOptions, now: Date): Promise<Due[]> {
  const due: Due[] = [];
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
      const at = dueTime(schedule.ScheduleExpression ?? '', schedule.ScheduleExpressionTimezone);
      if (at && at <= now) due.push({ name: summary.Name, at, schedule });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return due.sort((a, b) => a.at.getTime() - b.at.getTime());
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

export async function fireDueSchedules(
  options: SchedulerEmulationOptions & { now: Date },
): Promise<FiredSchedule[]> {
  const fired: FiredSchedule[] = [];
  for (const { name, schedule } of await dueSchedules(options, options.now)) {
    const arn = schedule.Target?.Arn;
    const warning = options.expiryWarning;
    const target =
      arn === options.deleteStateMachineArn
        ? 'delete-workflow'
        : warning && arn === warning.functionArn
          ? 'expiry-warning'
          : undefined;
    if (!target) continue;
    const input = JSON.parse(schedule.Target?.Input ?? '{}') as { forkId?: unknown };
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
