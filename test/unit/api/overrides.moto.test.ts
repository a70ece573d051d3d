/**
 * Overrides checked against the orderable catalogue a real (emulated) RDS API serves: moto answers
 * DescribeOrderableDBInstanceOptions for aurora-postgresql (its data stops at 15.2), paged by Marker.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../lambdas/api/handler.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { seedAuroraSource } from '../../../local/seed.js';
import { motoEndpoint } from '../../support/moto.js';
import { motoClients, motoRuntime } from '../../support/runtime.js';
import { apiEvent, bodyOf, expectError } from './support.js';

const SOURCE = `overrides-aurora-${Date.now().toString(36)}`;
let api: ReturnType<typeof createApi>;

beforeAll(async () => {
  const endpoint = motoEndpoint();
  await seedAuroraSource(endpoint, motoClients(endpoint).rds, {
    id: SOURCE,
    engine: 'aurora-postgresql',
    engineVersion: '15.2',
    tags: { [TAG.allowFork]: 'true' },
  });
  const { rt } = await motoRuntime(endpoint);
  api = createApi(rt);
}, 60_000);

const post = (overrides: Record<string, unknown>) =>
  api(apiEvent('POST', '/v1/forks', { body: { source: SOURCE, overrides } }));

describe('POST /v1/forks overrides on moto', () => {
  it('refuses a class aurora-postgresql 15.2 does not order, listing classes moto serves', async () => {
    const error = expectError(await post({ instanceClass: 'db.x99.gigantic' }), 400, 'validation_failed');

    expect(error.details[0]).toMatchObject({
      path: 'overrides.instanceClass',
      engine: 'aurora-postgresql',
      engineVersion: '15.2',
    });
    const choices = error.details[0]?.choices as string[];
    expect(choices).toHaveLength(8);
    expect(choices.every((c) => /^db\./.test(c))).toBe(true);
  });

  it('accepts an orderable class and db.serverless, and refuses multiAz on the cluster', async () => {
    const provisioned = await post({ instanceClass: 'db.r6g.large' });
    const serverless = await post({ instanceClass: 'db.serverless' });
    const multiAz = expectError(await post({ multiAz: true }), 400, 'validation_failed');

    expect([provisioned.statusCode, serverless.statusCode]).toEqual([202, 202]);
    expect(bodyOf<{ overrides: unknown }>(serverless).overrides).toEqual({ instanceClass: 'db.serverless' });
    expect(multiAz.details[0]?.path).toBe('overrides.multiAz');
  });
});
