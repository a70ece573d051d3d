import { describe, expect, it } from 'vitest';
import { databaseSecret } from '../../../lambdas/core/secret-value.js';

const base = {
  databaseId: 'fork-abcdef123456',
  dnsName: 'pr-1234.forks.example.com',
  username: 'admin_user',
  password: 'Pw-32-characters-long-xxxxxxxxxx',
};

describe('databaseSecret', () => {
  it('gives DocumentDB the Secrets Manager DocumentDB shape: engine mongo, ssl on, the cluster endpoint', () => {
    const host = 'fork-abcdef123456.cluster-cxyz.us-east-1.docdb.amazonaws.com';

    expect(
      databaseSecret({ ...base, kind: 'docdb-cluster', engine: 'docdb', endpoint: { host, port: 27017 } }),
    ).toEqual({
      engine: 'mongo',
      host,
      port: 27017,
      username: 'admin_user',
      password: base.password,
      ssl: true,
      dbClusterIdentifier: 'fork-abcdef123456',
      dnsName: 'pr-1234.forks.example.com',
    });
  });

  it('gives Aurora the RDS shape with its engine family and cluster identifier', () => {
    const host = 'fork-abcdef123456.cluster-cxyz.us-east-1.rds.amazonaws.com';
    const endpoint = { host, port: 3306 };

    expect(
      databaseSecret({ ...base, kind: 'aurora-cluster', engine: 'aurora-mysql', endpoint, dbName: 'shop' }),
    ).toEqual({
      engine: 'mysql',
      host,
      port: 3306,
      username: 'admin_user',
      password: base.password,
      dbname: 'shop',
      dbClusterIdentifier: 'fork-abcdef123456',
      dnsName: 'pr-1234.forks.example.com',
    });
    expect(
      databaseSecret({ ...base, kind: 'aurora-cluster', engine: 'aurora-postgresql', endpoint }).engine,
    ).toBe('postgres');
  });

  it('gives an RDS instance its engine and instance identifier, host = the instance endpoint', () => {
    const host = 'fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com';

    const secret = databaseSecret({
      ...base,
      kind: 'rds-instance',
      engine: 'oracle-se2',
      endpoint: { host, port: 1521 },
    });

    expect(secret).toMatchObject({ engine: 'oracle', host, dbInstanceIdentifier: 'fork-abcdef123456' });
    expect(secret).not.toHaveProperty('dbClusterIdentifier');
  });
});
