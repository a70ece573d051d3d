import { generatePassword } from '../core/password.js';
import type { DatabaseSecret } from '../core/secrets.js';
import { forkTags } from '../core/tags.js';
import { forkSource } from './fork-engine.js';
import { defineStep } from './step.js';

/** Secret engine names of the standard RDS secret JSON. */
function secretEngine(engine: string): string {
  if (engine.startsWith('aurora-postgresql')) return 'postgres';
  if (engine.startsWith('aurora')) return 'mysql';
  if (engine.startsWith('oracle')) return 'oracle';
  if (engine.startsWith('sqlserver')) return 'sqlserver';
  return engine;
}

/**
 * Gives the fork its own password. The secret is written before the database is changed, so the
 * password is never lost; a retry reuses the stored password instead of minting another.
 */
export const step = defineStep('rotate-credentials', async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, {
    step: 'rotating-credentials',
    message: 'setting a new master password',
  });
  const { engine, source } = await forkSource(fork, rt);
  const database = await engine.describeFork(fork.id);
  let secret = await rt.secrets.read(fork.id);
  if (!secret) {
    const value: DatabaseSecret = {
      engine: secretEngine(source.engine),
      host: fork.dnsName,
      port: database?.endpoint?.port ?? source.port ?? 0,
      username: source.masterUsername ?? 'admin',
      password: generatePassword(),
      ...(source.dbName ? { dbname: source.dbName } : {}),
      ...(source.kind === 'rds-instance'
        ? { dbInstanceIdentifier: fork.id }
        : { dbClusterIdentifier: fork.id }),
    };
    secret = { arn: await rt.secrets.create(fork.id, value, forkTags(fork)), value };
  }
  await engine.setMasterPassword(fork.id, fork.id, secret.value.password);
  await rt.store.transition(fork.id, {
    step: 'rotating-credentials',
    message: 'master password changed; credentials stored in Secrets Manager',
    patch: { secretArn: secret.arn },
  });
  return { ready: false, poll: undefined };
});
export const handler = step.handler;
