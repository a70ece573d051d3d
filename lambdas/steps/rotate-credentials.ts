import { RestoreFailedError } from '../core/errors.js';
import { forkSource } from '../core/fork-source.js';
import { generatePassword } from '../core/password.js';
import * as parts from '../core/runtime-parts.js';
import { databaseSecret } from '../core/secret-value.js';
import { forkTags } from '../core/tags.js';
import { defineStep } from './step.js';

/**
 * Gives the fork its own password. The secret is written before the database is changed, so the
 * password is never lost; a retry reuses the stored password instead of minting another.
 */
export const step = defineStep(
  'rotate-credentials',
  [parts.store, parts.engines, parts.secrets],
  async (state, rt) => {
    const fork = await rt.store.mustGet(state.forkId);
    await rt.store.transition(fork.id, {
      step: 'rotating-credentials',
      message: 'setting a new master password',
    });
    const { engine, source } = await forkSource(fork, rt);
    let secret = await rt.secrets.read(fork.id);
    if (!secret) {
      const database = await engine.describeFork(fork.id);
      if (!database?.endpoint) throw new RestoreFailedError(`the fork database ${fork.id} has no endpoint`);
      const value = databaseSecret({
        kind: source.kind,
        engine: source.engine,
        databaseId: fork.id,
        endpoint: database.endpoint,
        dnsName: fork.dnsName,
        username: source.masterUsername ?? 'admin',
        password: generatePassword(source.engine),
        ...(source.dbName ? { dbName: source.dbName } : {}),
      });
      secret = { arn: await rt.secrets.create(fork.id, value, forkTags(fork)), value };
    }
    await engine.setMasterPassword(fork.id, fork.id, secret.value.password);
    await rt.store.transition(fork.id, {
      step: 'rotating-credentials',
      message: 'master password changed; credentials stored in Secrets Manager',
      patch: { secretArn: secret.arn },
    });
    return { ready: false, poll: undefined };
  },
);
export const handler = step.handler;
