import { RestoreFailedError } from '../core/errors.js';
import { forkSource } from '../core/fork-source.js';
import { generatePassword } from '../core/password.js';
import * as parts from '../core/runtime-parts.js';
import { databaseSecret } from '../core/secret-value.js';
import { forkTags, TAG } from '../core/tags.js';
import { defineStep } from './step.js';

/** Where the fork took a pool member, its history says so at the claim; this is its first rotation. */
const ANNOUNCED = 'announced: fork of ';

/**
 * Gives the fork its own password. The secret is written before the database is changed, so the
 * password is never lost; a retry reuses the stored password instead of minting another.
 *
 * A warm-pool member gets a password nobody keeps instead (no secret): restored from a backup, it
 * would otherwise take the source's credentials, and a member must be reachable by none. A fork
 * that claimed a member comes here next, and announces `Fork Requested` first (the API does not
 * publish events).
 */
export const step = defineStep(
  'rotate-credentials',
  [parts.store, parts.engines, parts.secrets, parts.events],
  async (state, rt) => {
    const fork = await rt.store.mustGet(state.forkId);
    const { engine, source } = await forkSource(fork, rt);
    if (fork.pool) {
      await rt.store.transition(fork.id, {
        step: 'scrambling-credentials',
        message: 'setting a master password nobody keeps (a pool member is reachable by no one)',
        onlyFrom: ['creating'],
      });
      await engine.setMasterPassword(fork.id, fork.id, generatePassword(source.engine));
      return { ready: false, poll: undefined };
    }
    if (fork.restore.pool && !fork.history.some((entry) => entry.message.startsWith(ANNOUNCED))) {
      const announced = await rt.store.transition(fork.id, {
        step: 'rotating-credentials',
        message: `${ANNOUNCED}${source.id}, from its warm pool`,
      });
      try {
        await rt.events.publish('Fork Requested', announced);
      } catch (error) {
        rt.logger.error('could not publish Fork Requested', { forkId: fork.id, error });
      }
    }
    if (fork.restore.pool) {
      // The member's database takes the fork's tags (its owner, expiry and the caller's tags) and
      // leaves its pool; the fork id tag is already the fork's (a member's id is its fork's).
      // (dbfork:managed is there already, and IAM lets no retag touch it.)
      const tags = forkTags(fork).filter((tag) => tag.Key !== TAG.managed);
      await engine.retag(fork.id, fork.id, tags, [TAG.pool]);
    }
    await rt.store.transition(fork.id, {
      step: 'rotating-credentials',
      message: 'setting a new master password',
    });
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
