import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from './errors.js';

/** Starts the create and delete workflows. Offline, the local runtime supplies its own. */
/**
 * Name of a delete execution: one per fork and reason (api / expiry / reconcile-…), so a repeated
 * start for the same reason is the same Standard execution, not a second one.
 */
export function deleteExecutionName(forkId: string, reason: string): string {
  return `${forkId}-${reason}`.slice(0, 80);
}

export interface WorkflowStarter {
  startCreate(forkId: string): Promise<void>;
  /** `reason` keeps delete executions apart in names (api / expiry / reconcile). */
  startDelete(forkId: string, reason: string): Promise<void>;
}

export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly createArn: () => string,
    private readonly deleteArn: () => string,
  ) {}

  async startCreate(forkId: string): Promise<void> {
    await this.start(this.createArn(), forkId, forkId);
  }

  async startDelete(forkId: string, reason: string): Promise<void> {
    await this.start(this.deleteArn(), deleteExecutionName(forkId, reason), forkId);
  }

  /** Same name + same input is idempotent in a Standard workflow; an existing run is success. */
  private async start(stateMachineArn: string, name: string, forkId: string): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ forkId }) }),
      );
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
    }
  }
}
