import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from './errors.js';

/** Starts the create, delete and refresh workflows. Offline, the local runtime supplies its own. */
/**
 * Name of a delete execution: one per fork and reason (api / expiry / reconcile-…), so a repeated
 * start for the same reason is the same Standard execution, not a second one.
 */
export function deleteExecutionName(forkId: string, reason: string): string {
  return `${forkId}-${reason}`.slice(0, 80);
}

/** The error a cleanup records on the fork, in the shape of a Step Functions Catch. */
export interface CleanupCause {
  Error: string;
  Cause: string;
}

/** Name of refresh number `attempt`'s execution: one per refresh, so a repeated start is the same one. */
export function refreshExecutionName(forkId: string, attempt: number): string {
  return `${forkId}-refresh-${attempt}`;
}

/** What RefreshFork is started with by the API: the refresh it claimed on the record. */
export type RefreshInput =
  | { forkId: string; refresh: { attempt: number } }
  | { forkId: string; refresh: { attempt: number }; mode: 'abandon'; error: CleanupCause };

/** What DeleteFork is started with: a delete, or the cleanup of a create that cannot finish. */
export type DeleteInput = { forkId: string } | { forkId: string; mode: 'cleanup'; error: CleanupCause };

/** What a warm-pool member's CreateFork carries: its pool, and how long it may wait parked (ParkMember). */
export interface MemberInput {
  source: string;
  timeoutSeconds: number;
}

export interface WorkflowStarter {
  /** CreateFork of a fork, or of a warm-pool member when `member` is given. */
  startCreate(forkId: string, member?: MemberInput): Promise<void>;
  /** `reason` keeps delete executions apart in names (api / expiry / reconcile). */
  startDelete(forkId: string, reason: string): Promise<void>;
  /**
   * DeleteFork in cleanup mode: the teardown of a create whose own workflow is gone, ending in
   * `failed` with `error` kept on the record (the reconciler's stuck creates).
   */
  startCleanup(forkId: string, reason: string, error: CleanupCause): Promise<void>;
  /** RefreshFork for the refresh the caller claimed on the record (number `attempt`). */
  startRefresh(forkId: string, attempt: number): Promise<void>;
  /**
   * RefreshFork in `abandon` mode: undoes refresh number `attempt`, whose own workflow is gone, and
   * removes its new database, ending `failed` with `error` (the reconciler's stuck refreshes).
   */
  startRefreshCleanup(forkId: string, attempt: number, reason: string, error: CleanupCause): Promise<void>;
}

export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly createArn: () => string,
    private readonly deleteArn: () => string,
    private readonly refreshArn: () => string = () => {
      throw new Error('this function starts no refresh');
    },
  ) {}

  async startCreate(forkId: string, member?: MemberInput): Promise<void> {
    await this.start(this.createArn(), forkId, { forkId, ...(member ? { pool: member } : {}) });
  }

  async startDelete(forkId: string, reason: string): Promise<void> {
    await this.start(this.deleteArn(), deleteExecutionName(forkId, reason), { forkId });
  }

  async startCleanup(forkId: string, reason: string, error: CleanupCause): Promise<void> {
    const input: DeleteInput = { forkId, mode: 'cleanup', error };
    await this.start(this.deleteArn(), deleteExecutionName(forkId, reason), input);
  }

  async startRefresh(forkId: string, attempt: number): Promise<void> {
    const input: RefreshInput = { forkId, refresh: { attempt } };
    await this.start(this.refreshArn(), refreshExecutionName(forkId, attempt), input);
  }

  async startRefreshCleanup(
    forkId: string,
    attempt: number,
    reason: string,
    error: CleanupCause,
  ): Promise<void> {
    const input: RefreshInput = { forkId, refresh: { attempt }, mode: 'abandon', error };
    const name = `${refreshExecutionName(forkId, attempt)}-${reason}`.slice(0, 80);
    await this.start(this.refreshArn(), name, input);
  }

  /**
   * Same name + same input is idempotent in a Standard workflow; an existing run is success (also
   * when its input differed: a name is used once, and the first start of it wins).
   */
  private async start(stateMachineArn: string, name: string, input: object): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
    }
  }
}
