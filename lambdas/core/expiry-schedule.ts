import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { errorName } from './errors.js';
import { refreshScheduleName, scheduleName } from './ids.js';

/**
 * A fork's schedules in dbfork's EventBridge Scheduler group: the one-time expiry schedule that
 * starts the delete workflow at expiresAt, and the optional recurring refresh schedule (a cron
 * expression, UTC) that starts the refresh workflow.
 */
export interface ScheduleTarget {
  groupName: string;
  deleteStateMachineArn: string;
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

export class ExpirySchedules {
  constructor(private readonly scheduler: SchedulerClient) {}

  private request(forkId: string, expiresAt: string, target: ScheduleTarget) {
    return {
      Name: scheduleName(forkId),
      GroupName: target.groupName,
      Description: `Deletes dbfork fork ${forkId} when it expires`,
      ScheduleExpression: atExpression(expiresAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: target.deleteStateMachineArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify({ forkId }),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    };
  }

  private refreshRequest(forkId: string, cron: string, target: RefreshScheduleTarget) {
    const input: ScheduledRefreshInput = { forkId, scheduled: true };
    return {
      Name: refreshScheduleName(forkId),
      GroupName: target.groupName,
      Description: `Refreshes dbfork fork ${forkId} from the latest backup`,
      ScheduleExpression: cron,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: {
        Arn: target.refreshStateMachineArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(input),
        // A refresh that could not start within the hour waits for the next one.
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    };
  }

  async exists(forkId: string, groupName: string): Promise<boolean> {
    return this.named(scheduleName(forkId), groupName);
  }

  async refreshExists(forkId: string, groupName: string): Promise<boolean> {
    return this.named(refreshScheduleName(forkId), groupName);
  }

  private async named(name: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  /** Creates or moves the expiry schedule (idempotent under retry). */
  async put(forkId: string, expiresAt: string, target: ScheduleTarget): Promise<void> {
    await this.upsert(this.request(forkId, expiresAt, target), await this.exists(forkId, target.groupName));
  }

  /** Creates or changes the recurring refresh schedule (idempotent under retry). */
  async putRefresh(forkId: string, cron: string, target: RefreshScheduleTarget): Promise<void> {
    const exists = await this.refreshExists(forkId, target.groupName);
    await this.upsert(this.refreshRequest(forkId, cron, target), exists);
  }

  private async upsert(
    request: ConstructorParameters<typeof CreateScheduleCommand>[0],
    exists: boolean,
  ): Promise<void> {
    if (exists) {
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

  /** The expiry schedule lives in dbfork's own group under a name derived from the fork id. Missing is success. */
  async delete(forkId: string, groupName: string): Promise<boolean> {
    return this.remove(scheduleName(forkId), groupName);
  }

  /** Removes the recurring refresh schedule; missing is success. */
  async deleteRefresh(forkId: string, groupName: string): Promise<boolean> {
    return this.remove(refreshScheduleName(forkId), groupName);
  }

  /** Every schedule of the fork (its teardown). */
  async deleteAll(forkId: string, groupName: string): Promise<void> {
    await this.delete(forkId, groupName);
    await this.deleteRefresh(forkId, groupName);
  }

  private async remove(name: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }
}
