import { randomBytes } from 'node:crypto';
import type { TaskCompletion, TaskCompletionOutcome } from '../lambdas/core/task-completion.js';

/**
 * Task tokens of the in-process runner's `.waitForTaskToken` Tasks, and their completion: the
 * offline stand-in for Step Functions' SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.
 * aws-local-stepfunctions 3 has no task tokens, so the runner issues them here and awaits them.
 */

/** The Task failed as Step Functions fails it: `name` is the error its Catch/Retry match. */
export class LocalTaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export interface IssueOptions {
  /** No completion nor heartbeat for this long → `States.HeartbeatTimeout`. */
  heartbeatMs?: number;
  /** No completion for this long → `States.Timeout`. */
  timeoutMs?: number;
}

interface OpenTask {
  resolve(output: unknown): void;
  reject(error: Error): void;
  restartHeartbeat(): void;
}

export class LocalTaskTokens implements TaskCompletion {
  private readonly open = new Map<string, OpenTask>();

  /** A new token and the Task's result: the output of succeed(), or the error of fail() or a timer. */
  issue(options: IssueOptions = {}): { token: string; result: Promise<unknown> } {
    // Opaque and long, like Step Functions' tokens (up to 1024 characters).
    const token = `local-${randomBytes(48).toString('base64url')}`;
    const result = new Promise<unknown>((resolve, reject) => {
      let heartbeat: NodeJS.Timeout | undefined;
      let timeout: NodeJS.Timeout | undefined;
      const settle = () => {
        clearTimeout(heartbeat);
        clearTimeout(timeout);
        this.open.delete(token);
      };
      const restartHeartbeat = () => {
        if (options.heartbeatMs === undefined) return;
        clearTimeout(heartbeat);
        heartbeat = setTimeout(() => {
          settle();
          reject(new LocalTaskError('States.HeartbeatTimeout', 'no heartbeat within the heartbeat interval'));
        }, options.heartbeatMs);
      };
      if (options.timeoutMs !== undefined) {
        timeout = setTimeout(() => {
          settle();
          reject(new LocalTaskError('States.Timeout', 'the task timed out'));
        }, options.timeoutMs);
        // A wait with no heartbeat is idle by design (a pool member parked for a claim, for hours):
        // its deadline alone does not keep the process alive.
        if (options.heartbeatMs === undefined) timeout.unref();
      }
      restartHeartbeat();
      this.open.set(token, {
        resolve: (output) => {
          settle();
          resolve(output);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        restartHeartbeat,
      });
    });
    return { token, result };
  }

  /** Tokens still waiting (never their values in logs: they are credentials to complete a wait). */
  get pending(): number {
    return this.open.size;
  }

  async succeed(token: string, output: unknown): Promise<TaskCompletionOutcome> {
    const task = this.open.get(token);
    if (!task) return 'stale';
    // Step Functions takes the output as JSON text.
    task.resolve(JSON.parse(JSON.stringify(output ?? null)));
    return 'completed';
  }

  async fail(token: string, error: string, cause: string): Promise<TaskCompletionOutcome> {
    const task = this.open.get(token);
    if (!task) return 'stale';
    task.reject(new LocalTaskError(error, cause));
    return 'completed';
  }

  /** SendTaskHeartbeat: restarts the heartbeat interval. */
  async heartbeat(token: string): Promise<TaskCompletionOutcome> {
    const task = this.open.get(token);
    if (!task) return 'stale';
    task.restartHeartbeat();
    return 'completed';
  }
}
