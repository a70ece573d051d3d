import type { EngineKind } from './fork.js';

/**
 * The fork's secret, in the JSON structures Secrets Manager documents for database credentials
 * ("JSON structure of AWS Secrets Manager secrets",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html),
 * so RDS-aware tools, drivers and the rotation functions read it as is.
 *
 * `host` is the database's OWN endpoint: RDS and DocumentDB TLS certificates name that endpoint,
 * so `sslmode=verify-full` and the MongoDB drivers' hostname check fail through the fork's CNAME.
 * The fork's stable DNS name is the extra `dnsName` key ("You can add more key/value pairs").
 */

/** "Amazon RDS and Aurora credentials": engine is mariadb, mysql, oracle, postgres or sqlserver. */
export interface RdsSecret {
  engine: string;
  host: string;
  port: number;
  username: string;
  password: string;
  dbname?: string;
  dbInstanceIdentifier?: string;
  dbClusterIdentifier?: string;
  dnsName: string;
}

/** "Amazon DocumentDB credentials": engine `mongo`, TLS on. */
export interface DocDbSecret {
  engine: 'mongo';
  host: string;
  port: number;
  username: string;
  password: string;
  ssl: true;
  dbClusterIdentifier: string;
  dnsName: string;
}

export type DatabaseSecret = RdsSecret | DocDbSecret;

/** The `engine` key of the RDS shape: Aurora PostgreSQL is `postgres`, Aurora MySQL `mysql`. */
export function rdsSecretEngine(engine: string): string {
  if (engine.startsWith('aurora-postgresql')) return 'postgres';
  if (engine.startsWith('aurora')) return 'mysql';
  if (engine.startsWith('oracle')) return 'oracle';
  if (engine.startsWith('sqlserver')) return 'sqlserver';
  return engine;
}

export interface SecretInput {
  kind: EngineKind;
  /** The source's engine (`postgres`, `aurora-mysql`, `docdb`…). */
  engine: string;
  /** The fork database's identifier (instance or cluster). */
  databaseId: string;
  endpoint: { host: string; port: number };
  dnsName: string;
  username: string;
  password: string;
  dbName?: string;
}

export function databaseSecret(input: SecretInput): DatabaseSecret {
  const common = {
    host: input.endpoint.host,
    port: input.endpoint.port,
    username: input.username,
    password: input.password,
  };
  if (input.kind === 'docdb-cluster') {
    return {
      engine: 'mongo',
      ...common,
      ssl: true,
      dbClusterIdentifier: input.databaseId,
      dnsName: input.dnsName,
    };
  }
  return {
    engine: rdsSecretEngine(input.engine),
    ...common,
    ...(input.dbName ? { dbname: input.dbName } : {}),
    ...(input.kind === 'rds-instance'
      ? { dbInstanceIdentifier: input.databaseId }
      : { dbClusterIdentifier: input.databaseId }),
    dnsName: input.dnsName,
  };
}
