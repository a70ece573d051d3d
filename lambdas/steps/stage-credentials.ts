import { RestoreFailedError } from '../core/errors.js';
import { forkSource } from '../core/fork-source.js';
import { generatePassword } from '../core/password.js';
import * as parts from '../core/runtime-parts.js';
import { databaseSecret } from '../core/secret-value.js';
import { databaseOfSecret, PENDING } from '../core/secret-versions.js';
import { assertWanted, databaseTarget, recordProgress } from './database-target.js';
import { defineStep } from './step.js';

/**
 * Gives a refresh's new database its own password. The credentials (the new database's endpoint
 * and password) are written first, as the AWSPENDING version of the fork's secret, which readers
 * do not get (lambdas/core/secret-versions.ts): the password is never lost, a retry reuses it, and
 * the secret keeps serving the old database until the switch.
 */
export const step = defineStep(
  'stage-credentials',
  [parts.store, parts.engines, parts.secrets],
  async (state, rt) => {
    const target = await databaseTarget(state, rt);
    assertWanted(target);
    const { fork, databaseId } = target;
    await recordProgress(target, rt, 'rotating-credentials', 'setting the new database password');
    const { engine, source } = await forkSource(fork, rt);
    let staged = (await rt.secrets.versions.read(fork.id, PENDING))?.value;
    if (!staged || databaseOfSecret(staged) !== databaseId) {
      const database = await engine.describeFork(databaseId);
      if (!database?.endpoint) throw new RestoreFailedError(`the new database ${databaseId} has no endpoint`);
      staged = databaseSecret({
        kind: source.kind,
        engine: source.engine,
        databaseId,
        endpoint: database.endpoint,
        dnsName: fork.dnsName,
        username: source.masterUsername ?? 'admin',
        password: generatePassword(source.engine),
        ...(source.dbName ? { dbName: source.dbName } : {}),
      });
      await rt.secrets.versions.putPending(fork.id, databaseId, staged);
    }
    await engine.setMasterPassword(databaseId, fork.id, staged.password);
    return { ready: false, poll: undefined };
  },
);
export const handler = step.handler;
