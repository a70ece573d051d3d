/**
 * How to reach a fork's database from its secret (the JSON Secrets Manager documents for database
 * credentials, lambdas/core/secret-value.ts): a URI for the engine, the engine's own environment
 * variables, and the command line of its client. `host` is the database's own endpoint, the name
 * its TLS certificate carries; the fork's stable DNS name is `dnsName`.
 */
import type { RdsSecret } from '../lambdas/core/secret-value.js';
import { UsageError } from './errors.js';

/**
 * What `connect` reads of a fork's secret: the keys both shapes of lambdas/core/secret-value.ts
 * share (`engine` is `postgres`, `mysql` or `mariadb` for RDS and Aurora, `mongo` for DocumentDB).
 */
export type ForkSecret = Pick<RdsSecret, 'engine' | 'host' | 'port' | 'username' | 'password' | 'dbname'> & {
  dnsName?: string;
};

export type Family = 'postgres' | 'mysql' | 'mongo';
export type ClientTool = 'psql' | 'mysql' | 'mongosh';

const TOOL_OF: Record<Family, ClientTool> = { postgres: 'psql', mysql: 'mysql', mongo: 'mongosh' };

export function familyOf(secret: ForkSecret): Family {
  if (secret.engine === 'postgres') return 'postgres';
  if (secret.engine === 'mysql' || secret.engine === 'mariadb') return 'mysql';
  if (secret.engine === 'mongo') return 'mongo';
  throw new UsageError(`dbfork does not know how to connect to a ${secret.engine} database`);
}

const enc = encodeURIComponent;

/**
 * A URI the engine's drivers take. PostgreSQL asks for TLS (`sslmode=require`); DocumentDB needs
 * TLS and no retryable writes ("Connecting programmatically to Amazon DocumentDB").
 */
export function connectionUrl(secret: ForkSecret): string {
  const auth = `${enc(secret.username)}:${enc(secret.password)}@${secret.host}:${secret.port}`;
  switch (familyOf(secret)) {
    case 'postgres':
      return `postgresql://${auth}/${enc(secret.dbname ?? 'postgres')}?sslmode=require`;
    case 'mysql':
      return `mysql://${auth}/${secret.dbname ? enc(secret.dbname) : ''}`;
    case 'mongo':
      return `mongodb://${auth}/?tls=true&retryWrites=false`;
  }
}

/** `DATABASE_URL` and the variables the engine's own client reads. */
export function connectionEnv(secret: ForkSecret): Record<string, string> {
  const url = connectionUrl(secret);
  switch (familyOf(secret)) {
    case 'postgres':
      return {
        DATABASE_URL: url,
        PGHOST: secret.host,
        PGPORT: String(secret.port),
        PGUSER: secret.username,
        PGPASSWORD: secret.password,
        PGDATABASE: secret.dbname ?? 'postgres',
        PGSSLMODE: 'require',
      };
    case 'mysql':
      // The mysql client reads MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_PWD; MYSQL_USER and
      // MYSQL_DATABASE are for applications.
      return {
        DATABASE_URL: url,
        MYSQL_HOST: secret.host,
        MYSQL_TCP_PORT: String(secret.port),
        MYSQL_USER: secret.username,
        MYSQL_PWD: secret.password,
        ...(secret.dbname ? { MYSQL_DATABASE: secret.dbname } : {}),
      };
    case 'mongo':
      return { DATABASE_URL: url, MONGODB_URI: url };
  }
}

/** `KEY='value'` lines a shell can `eval` or a `.env` file can hold. */
export function envLines(vars: Record<string, string>): string {
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join('\n');
}

export interface ClientPlan {
  command: ClientTool;
  args: string[];
  /** Given to the client in its environment, never on its command line (where `ps` shows it). */
  env: Record<string, string>;
}

/** How to start the engine's client: psql and mysql take the password from their environment. */
export function clientPlan(secret: ForkSecret, tool: ClientTool): ClientPlan {
  const family = familyOf(secret);
  if (TOOL_OF[family] !== tool) {
    throw new UsageError(`this fork is a ${secret.engine} database: use --${TOOL_OF[family]}, not --${tool}`);
  }
  switch (family) {
    case 'postgres':
      return { command: 'psql', args: [], env: connectionEnv(secret) };
    case 'mysql':
      return {
        command: 'mysql',
        args: [`--user=${secret.username}`, ...(secret.dbname ? [secret.dbname] : [])],
        env: { MYSQL_HOST: secret.host, MYSQL_TCP_PORT: String(secret.port), MYSQL_PWD: secret.password },
      };
    case 'mongo':
      // mongosh reads no password variable: it is in the URI (DocumentDB also wants its CA bundle,
      // --tlsCAFile global-bundle.pem, unless the system trusts Amazon's roots).
      return { command: 'mongosh', args: [connectionUrl(secret)], env: {} };
  }
}
