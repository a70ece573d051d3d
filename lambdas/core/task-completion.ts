import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { errorName } from './errors.js';

/**
 * Completes a Step Functions task token (a `.waitForTaskToken` Task). In Lambda it calls
 * SendTaskSuccess / SendTaskFailure; offline the in-process runner completes its own tokens.
 *
 * `stale`: the wait is over already (it timed out into the safety-net check, or another caller
 * completed it). SendTaskSuccess answers TaskTimedOut, TaskDoesNotExist or InvalidToken then
 * (Step Functions API Reference, SendTaskSuccess "Errors"); a late or duplicate RDS event is not
 * an error.
 */
export type TaskCompletionOutcome = 'completed' | 'stale';

export interface TaskCompletion {
  succeed(token: string, output: unknown): Promise<TaskCompletionOutcome>;
  /** `error` is what the Task's Catch/Retry match (e.g. RestoreFailedError); `cause` its message. */
  fail(token: string, error: string, cause: string): Promise<TaskCompletionOutcome>;
}

const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** SendTaskFailure limits: error ≤ 256 and cause ≤ 32768 characters (Step Functions API Reference). */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export class StepFunctionsTaskCompletion implements TaskCompletion {
  constructor(private readonly sfn: SFNClient) {}

  succeed(token: string, output: unknown): Promise<TaskCompletionOutcome> {
    return this.send(() =>
      this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  fail(token: string, error: string, cause: string): Promise<TaskCompletionOutcome> {
    return this.send(() =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        }),
      ),
    );
  }

  private async send(call: () => Promise<unknown>): Promise<TaskCompletionOutcome> {
    try {
      await call();
      return 'completed';
    } catch (error) {
      if (STALE_TOKEN_ERRORS.has(errorName(error) ?? '')) return 'stale';
      throw error;
    }
  }
}
