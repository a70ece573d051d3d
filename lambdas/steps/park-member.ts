import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { annotate, traced } from '../core/tracing.js';
import { asStepError } from '../core/transient-errors.js';
import { awaitEnvelopeSchema } from './await-event.js';
import { type Step, type WorkflowState, workflowStateSchema } from './step.js';

/**
 * ParkMember: a warm-pool member whose database is ready parks its create workflow here, on the
 * task token of a `.waitForTaskToken` Task (`{ state, taskToken }`), until a create claims it
 * (SendTaskSuccess with `{ forkId }`: the create goes on as that fork's) or the pool keeper retires
 * it (SendTaskFailure: the Catch tears it down). The Task's timeout (`$.pool.timeoutSeconds`) is
 * the backstop when neither comes. The token is stored on the member's record, never logged.
 */
async function run(input: unknown, rt: RuntimeWith<'store'>): Promise<WorkflowState> {
  const { taskToken, state } = awaitEnvelopeSchema.parse(input);
  const parsed = workflowStateSchema.parse(state);
  annotate('forkId', parsed.forkId);
  try {
    await rt.store.pools.park(parsed.forkId, taskToken);
  } catch (error) {
    throw asStepError(error);
  }
  rt.logger.info('pool member parked', { forkId: parsed.forkId, source: parsed.pool?.source });
  return parsed;
}

const runtime = lazyRuntime([parts.store]);

export const step: Step<'store'> = {
  name: 'park-member',
  services: ['store'],
  run,
  handler: traced('park-member', (input: unknown) => run(input, runtime())),
};
export const handler = step.handler;
