import { UnsupportedRestoreError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { assertForkable } from '../core/source-policy.js';
import { defineStep } from './step.js';

/** Finds the source (any engine), checks it is allow-listed and available, and records what it is. */
export const step = defineStep('resolve-source', [parts.store, parts.engines], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, {
    step: 'resolving-source',
    message: `looking up ${fork.sourceRef}`,
    onlyFrom: ['creating'],
  });
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
});
export const handler = step.handler;
