/**
 * An example post-restore hook: masks personal data in a new fork before anyone can reach it by its
 * name. dbfork invokes it after the fork's database is available and its credentials are rotated,
 * before the fork gets its DNS name or is `ready` — as a Lambda function on AWS (`postRestoreHook`
 * in the stack config), as this module offline (`DBFORK_POST_RESTORE_HOOK=examples/hooks/mask.mjs
 * npm run local`). The event is the fork, never a password:
 *
 *   { trigger: 'create', hook: 'mask', id: 'fork-…', name: 'pr-1234',
 *     source: { id, arn, engine, kind }, endpoint: '<the database host>', port: 5432,
 *     engine: 'postgres', secretArn: 'arn:aws:secretsmanager:…', dnsName: 'pr-1234.forks.…',
 *     restore: { requested, resolved }, owner, tags, expiresAt }
 *
 * Fail closed: throw (or return `{ error: 'why' }`) and the fork fails; dbfork removes everything it
 * made and the fork's error names this hook. dbfork starts a hook at most once per fork.
 *
 * A real masking function reads the credentials with its own role (secretsmanager:GetSecretValue on
 * `event.secretArn`; the secret holds the standard RDS JSON: host, port, username, password,
 * dbname), connects to `event.endpoint` with TLS (the certificate names that host), and runs
 * STATEMENTS[engine] in one transaction. Offline the emulator has no real database, so this module
 * checks the event and reports what it would run.
 */

/** What masking means per engine family: one statement a table. */
export const STATEMENTS = {
  postgres: [
    "UPDATE customers SET email = 'user' || id || '@example.invalid', phone = NULL",
    "UPDATE payment_methods SET card_last4 = '0000', holder_name = 'MASKED'",
  ],
  mysql: [
    "UPDATE customers SET email = CONCAT('user', id, '@example.invalid'), phone = NULL",
    "UPDATE payment_methods SET card_last4 = '0000', holder_name = 'MASKED'",
  ],
  docdb: [
    "db.customers.updateMany({}, [{ $set: { email: { $concat: ['user', { $toString: '$_id' }, '@example.invalid'] }, phone: null } }])",
  ],
};

/** postgres and aurora-postgresql mask alike; so do mysql, mariadb and aurora-mysql. */
function family(engine) {
  if (engine.includes('postgres')) return 'postgres';
  if (engine.includes('mysql') || engine === 'mariadb') return 'mysql';
  if (engine === 'docdb') return 'docdb';
  return undefined;
}

export async function handler(event, context) {
  for (const field of ['id', 'endpoint', 'port', 'engine', 'secretArn']) {
    if (event[field] === undefined) throw new Error(`the event has no ${field}`);
  }
  const statements = STATEMENTS[family(event.engine)];
  if (!statements) throw new Error(`mask does not know how to mask ${event.engine}`);
  console.error(
    `mask: fork ${event.name} (${event.engine} at ${event.endpoint}:${event.port}): ${statements.length} statements, ${Math.round(context.getRemainingTimeInMillis() / 1000)} s left`,
  );
  return { masked: statements.length };
}
