import { describe, expect, it } from 'vitest';
import {
  clientPlan,
  connectionEnv,
  connectionUrl,
  envLines,
  type ForkSecret,
} from '../../../cli/connection.js';

/** One secret per engine family, shaped as lambdas/core/secret-value.ts writes them. */
const base = {
  host: 'fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com',
  username: 'admin',
  password: 'p@ss w:rd',
};
const SECRETS: Record<string, ForkSecret> = {
  postgres: { ...base, engine: 'postgres', port: 5432, dbname: 'orders' },
  'aurora-mysql': { ...base, engine: 'mysql', port: 3306, dbname: 'shop' },
  mariadb: { ...base, engine: 'mariadb', port: 3306 },
  docdb: {
    ...base,
    engine: 'mongo',
    port: 27017,
    host: 'fork-abcdef123456.cluster-cxyz.us-east-1.docdb.amazonaws.com',
  },
};

describe('connection URIs per engine', () => {
  it.each([
    [
      'postgres',
      'postgresql://admin:p%40ss%20w%3Ard@fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com:5432/orders?sslmode=require',
    ],
    [
      'aurora-mysql',
      'mysql://admin:p%40ss%20w%3Ard@fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com:3306/shop',
    ],
    ['mariadb', 'mysql://admin:p%40ss%20w%3Ard@fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com:3306/'],
    [
      'docdb',
      'mongodb://admin:p%40ss%20w%3Ard@fork-abcdef123456.cluster-cxyz.us-east-1.docdb.amazonaws.com:27017/?tls=true&retryWrites=false',
    ],
  ])('%s → %s', (engine, url) => {
    const secret = SECRETS[engine] as ForkSecret;
    expect(connectionUrl(secret)).toBe(url);
    // The URI parses back to the same credentials.
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe(base.password);
    expect(parsed.hostname).toBe(secret.host);
  });
});

describe('connection variables per engine', () => {
  it('gives PostgreSQL its PG* variables', () => {
    expect(connectionEnv(SECRETS.postgres as ForkSecret)).toEqual({
      DATABASE_URL: connectionUrl(SECRETS.postgres as ForkSecret),
      PGHOST: base.host,
      PGPORT: '5432',
      PGUSER: 'admin',
      PGPASSWORD: base.password,
      PGDATABASE: 'orders',
      PGSSLMODE: 'require',
    });
  });

  it('gives MySQL and MariaDB the variables the mysql client reads', () => {
    expect(connectionEnv(SECRETS['aurora-mysql'] as ForkSecret)).toMatchObject({
      MYSQL_HOST: base.host,
      MYSQL_TCP_PORT: '3306',
      MYSQL_PWD: base.password,
      MYSQL_DATABASE: 'shop',
    });
    expect(connectionEnv(SECRETS.mariadb as ForkSecret)).not.toHaveProperty('MYSQL_DATABASE');
  });

  it('gives DocumentDB a MongoDB URI', () => {
    const env = connectionEnv(SECRETS.docdb as ForkSecret);
    expect(env.MONGODB_URI).toBe(env.DATABASE_URL);
  });

  it('quotes values for a shell, quotes inside them included', () => {
    expect(envLines({ A: "it's", B: 'plain' })).toBe("A='it'\\''s'\nB='plain'");
  });
});

describe('client command lines', () => {
  it('keeps passwords off the command line of psql and mysql', () => {
    for (const [engine, tool] of [
      ['postgres', 'psql'],
      ['aurora-mysql', 'mysql'],
    ] as const) {
      const plan = clientPlan(SECRETS[engine] as ForkSecret, tool);
      expect(plan.command).toBe(tool);
      expect(plan.args.join(' ')).not.toContain(base.password);
      expect(Object.values(plan.env)).toContain(base.password);
    }
    expect(clientPlan(SECRETS['aurora-mysql'] as ForkSecret, 'mysql').args).toEqual(['--user=admin', 'shop']);
  });

  it('refuses a client of another engine', () => {
    expect(() => clientPlan(SECRETS.docdb as ForkSecret, 'psql')).toThrow('use --mongosh, not --psql');
  });
});
