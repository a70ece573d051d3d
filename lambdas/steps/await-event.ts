import type { RuntimeWith } from '../core/runtime-types.js';
import type { WaitSlot } from '../core/wait-tokens.js';
import * as z from '../core/zod.js';
import type { StepName } from './step-names.js';

/**
 * The input of a check step invoked by an event-driven wait (`lambda:invoke.waitForTaskToken`):
 * the workflow state and the Task's token, `{ "state.$": "$", "taskToken.$": "$$.Task.Token" }`.
 */
export const awaitEnvelopeSchema = z.object({
  taskToken: z.string().check(z.minLength(1)),
  state: z.record(z.string(), z.unknown()),
});
export type AwaitEnvelope = z.infer<typeof awaitEnvelopeSchema>;

export function isAwaitEnvelope(input: unknown): input is AwaitEnvelope {
  return awaitEnvelopeSchema.safeParse(input).success;
}

/** The wait slot of a workflow state: a refresh's state carries `refresh` (lambdas/steps/step.ts). */
export function waitSlotOf(state: Record<string, unknown>): WaitSlot {
  return state.refresh === undefined ? 'fork' : 'refresh';
}

/**
 * Parks the wait, then checks once. The token is stored *before* the check, so an RDS event that
 * lands between the two finds it; whoever sees the database ready first (this check or the event
 * handler) takes the wait with a conditional delete and completes it, exactly once. When not ready
 * the Task stays open until an RDS event completes it or its heartbeat times out into the
 * safety-net check (docs/workflows.md). The token is never logged nor put in the state.
 */
export async function parkAndCheck<Output extends { ready?: boolean | undefined }>(
  step: StepName,
  envelope: AwaitEnvelope,
  forkId: string,
  rt: RuntimeWith<'waits' | 'tasks'>,
  check: (state: Record<string, unknown>) => Promise<Output>,
): Promise<Output> {
  const { taskToken: token, state } = envelope;
  const slot = waitSlotOf(state);
  await rt.waits.park(forkId, { token, step, state }, slot);
  const output = await check(state);
  if (output.ready === true) await completeWait(rt, forkId, token, output, slot);
  return output;
}

/** Takes the wait and completes its Task with the check's output; false when someone else did. */
export async function completeWait(
  rt: RuntimeWith<'waits' | 'tasks'>,
  forkId: string,
  token: string,
  output: unknown,
  slot: WaitSlot = 'fork',
): Promise<boolean> {
  if (!(await rt.waits.release(forkId, token, slot))) return false;
  return (await rt.tasks.succeed(token, output)) === 'completed';
}

/** Takes the wait and fails its Task with the check's error (the Task's Catch then cleans up). */
export async function failWait(
  rt: RuntimeWith<'waits' | 'tasks'>,
  forkId: string,
  token: string,
  error: Error,
  slot: WaitSlot = 'fork',
): Promise<boolean> {
  if (!(await rt.waits.release(forkId, token, slot))) return false;
  return (await rt.tasks.fail(token, error.name, error.message)) === 'completed';
}
