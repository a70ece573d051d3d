import { UnsupportedRestoreError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { assertForkable } from '../core/source-policy.js';
import { defineStep } from './step.js';

/** The history message of the step's start: its first appearance marks the fork's first run. */
const LOOKING_UP = 'looking up ';

/**
 * Finds the source (any engine), checks it is allow-listed and available, and records what it is.
 * Its first run announces `Fork Requested` (the API accepted the fork, with its source, and started
 * this workflow): the event comes from here rather than the API so the POST answers one call sooner
 * and the event can never come after the fork's later ones.
 */
export const step = defineStep(
  'resolve-source',
  [parts.store, parts.engines, parts.events, parts.metrics],
  async (state, rt) => {
    const fork = await rt.store.mustGet(state.forkId);
    const first = !fork.history.some((entry) => entry.message.startsWith(LOOKING_UP));
    const started = await rt.store.transition(fork.id, {
      step: 'resolving-source',
      message: `${LOOKING_UP}${fork.sourceRef}`,
      onlyFrom: ['creating'],
    });
    // A pool member is nobody's fork: it is announced when a create claims it (rotate-credentials).
    if (first && !fork.pool) {
      rt.metrics.requested(started);
      try {
        await rt.events.publish('Fork Requested', started);
      } catch (error) {
        // A lost notification must not fail the fork (nor be announced twice by a retry).
        rt.logger.error('could not publish Fork Requested', { forkId: fork.id, error });
      }
    }
    const { engine, source } = await rt.engines.resolve(fork.sourceRef);
    assertForkable(source, rt.env.policy, fork.restore.requested.type);
    if (!engine.supportedRestores.includes(fork.restore.requested.type)) {
      throw new UnsupportedRestoreError(
        `${source.kind} sources cannot be restored by "${fork.restore.requested.type}"; use one of ${engine.supportedRestores.join(', ')}`,
      );
    }
    await rt.store.transition(fork.id, {
      step: 'resolving-source',
      message: `source ${source.id} is an available ${source.engine} ${source.kind}`,
      patch: { source: { id: source.id, arn: source.arn, engine: source.engine, kind: source.kind } },
    });
    return {};
  },
);
export const handler = step.handler;
