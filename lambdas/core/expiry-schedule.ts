import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { errorName } from './errors.js';
import { scheduleName } from './ids.js';

/** One-time EventBridge Scheduler schedule per fork that starts the delete workflow at expiresAt. */
export interface ScheduleTarget {
  groupName: string;
  deleteStateMachineArn: string;
  roleArn: string;
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

  async exists(forkId: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(new GetScheduleCommand({ Name: scheduleName(forkId), GroupName: groupName }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  /** Creates or moves the schedule (idempotent under retry). */
  async put(forkId: string, expiresAt: string, target: ScheduleTarget): Promise<void> {
    const request = this.request(forkId, expiresAt, target);
    if (await this.exists(forkId, target.groupName)) {
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

  /** The schedule lives in dbfork's own group under a name derived from the fork id. Missing is success. */
  async delete(forkId: string, groupName: string): Promise<boolean> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({ Name: scheduleName(forkId), GroupName: groupName }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }
}
