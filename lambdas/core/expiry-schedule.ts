import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { errorName } from './errors.js';
import type { ExpiryWarningInput } from './expiry-warning.js';
import { refreshScheduleName, scheduleName, warningScheduleName } from './ids.js';

/**
 * A fork's schedules in dbfork's own EventBridge Scheduler group. Two one-time schedules, each
 * deleting itself once it has fired (ActionAfterCompletion DELETE): `dbfork-<fork id>` starts the
 * delete workflow at expiresAt, `dbfork-warn-<fork id>` invokes the expiry-warning function (which
 * publishes `Fork Expiring`) a lead time before. And the optional recurring refresh schedule
 * `dbfork-<fork id>-refresh` (a cron expression, UTC) that starts the refresh workflow.
 */
export interface ScheduleTarget {
  groupName: string;
  deleteStateMachineArn: string;
  expiryWarningFunctionArn: string;
  roleArn: string;
}

export interface RefreshScheduleTarget {
  groupName: string;
  refreshStateMachineArn: string;
  roleArn: string;
}

/** What a scheduled refresh starts RefreshFork with: the workflow claims the refresh itself. */
export interface ScheduledRefreshInput {
  forkId: string;
  scheduled: true;
}

/**
 * Scheduler's at() takes local time without zone or fractions: yyyy-mm-ddThh:mm:ss, zone given apart.
 * Fractions round UP to the next second: truncating would fire (and delete the fork) before its expiry.
 */
export function atExpression(expiresAt: string): string {
  const wholeSecond = Math.ceil(Date.parse(expiresAt) / 1000) * 1000;
  return `at(${new Date(wholeSecond).toISOString().slice(0, 19)})`;
}

/** Retried for up to a day (Scheduler's maximum event age), as often as Scheduler allows. */
const RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 };

function oneTime(
  name: string,
  at: string,
  description: string,
  groupName: string,
  target: { Arn: string; RoleArn: string; Input: string },
): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: groupName,
    Description: description,
    ScheduleExpression: atExpression(at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { ...target, RetryPolicy: RETRY_POLICY },
  };
}

export class ExpirySchedules {
  constructor(private readonly scheduler: SchedulerClient) {}

  private async existsNamed(name: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  /** Creates or updates one schedule (idempotent under retry and under a concurrent create). */
  private async upsert(request: CreateScheduleCommandInput): Promise<void> {
    const { Name, GroupName } = request;
    if (Name !== undefined && (await this.existsNamed(Name, GroupName ?? 'default'))) {
      await this.scheduler.send(new UpdateScheduleCommand(request));
      return;
    }
    try {
      await this.scheduler.send(new CreateScheduleCommand(request));
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw error;
      await this.scheduler.send(new UpdateScheduleCommand(request));
    }
  }

  /** Missing is success (a one-time schedule deletes itself after firing); true when it was there. */
  private async deleteNamed(name: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  /** Whether the fork's expiry (delete) schedule exists. */
  exists(forkId: string, groupName: string): Promise<boolean> {
    return this.existsNamed(scheduleName(forkId), groupName);
  }

  /** Creates or moves the schedule that starts the delete workflow at `expiresAt`. */
  put(forkId: string, expiresAt: string, target: ScheduleTarget): Promise<void> {
    return this.upsert(
      oneTime(
        scheduleName(forkId),
        expiresAt,
        `Deletes dbfork fork ${forkId} when it expires`,
        target.groupName,
        {
          Arn: target.deleteStateMachineArn,
          RoleArn: target.roleArn,
          Input: JSON.stringify({ forkId }),
        },
      ),
    );
  }

  /** Creates or moves the schedule that announces, at `warningAt`, that the fork expires at `expiresAt`. */
  putWarning(forkId: string, warningAt: string, expiresAt: string, target: ScheduleTarget): Promise<void> {
    const input: ExpiryWarningInput = { forkId, expiresAt };
    return this.upsert(
      oneTime(
        warningScheduleName(forkId),
        warningAt,
        `Announces that dbfork fork ${forkId} expires at ${expiresAt}`,
        target.groupName,
        {
          Arn: target.expiryWarningFunctionArn,
          RoleArn: target.roleArn,
          Input: JSON.stringify(input),
        },
      ),
    );
  }

  /** Deletes the warning schedule only (a fork with no time left to warn). */
  deleteWarning(forkId: string, groupName: string): Promise<boolean> {
    return this.deleteNamed(warningScheduleName(forkId), groupName);
  }

  /** Deletes the expiry and its warning schedule; true when either was there. */
  async delete(forkId: string, groupName: string): Promise<boolean> {
    const expiry = await this.deleteNamed(scheduleName(forkId), groupName);
    const warning = await this.deleteWarning(forkId, groupName);
    return expiry || warning;
  }

  /** Whether the fork's recurring refresh schedule exists. */
  refreshExists(forkId: string, groupName: string): Promise<boolean> {
    return this.existsNamed(refreshScheduleName(forkId), groupName);
  }

  /** Creates or changes the recurring refresh schedule (idempotent under retry). */
  putRefresh(forkId: string, cron: string, target: RefreshScheduleTarget): Promise<void> {
    const input: ScheduledRefreshInput = { forkId, scheduled: true };
    return this.upsert({
      Name: refreshScheduleName(forkId),
      GroupName: target.groupName,
      Description: `Refreshes dbfork fork ${forkId} from the latest backup`,
      ScheduleExpression: cron,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: target.refreshStateMachineArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(input),
        // A refresh that could not start within the hour waits for the next one.
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
  }

  /** Removes the recurring refresh schedule; missing is success. */
  deleteRefresh(forkId: string, groupName: string): Promise<boolean> {
    return this.deleteNamed(refreshScheduleName(forkId), groupName);
  }

  /** Every schedule of the fork: the expiry, its warning and the recurring refresh (its teardown). */
  async deleteAll(forkId: string, groupName: string): Promise<void> {
    await this.delete(forkId, groupName);
    await this.deleteRefresh(forkId, groupName);
  }
}
