/**
 * Overrides checked against the orderable catalogue the emulated RDS API serves: the faithful
 * emulator answers DescribeOrderableDBInstanceOptions from local/moto/faithful/orderable.json
 * (per engine and version), paged by Marker.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../lambdas/api/routes.js';
import { MAX_CLASS_CHOICES } from '../../../lambdas/core/override-rules.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { seedAuroraSource } from '../../../local/seed.js';
import { motoEndpoint } from '../../support/moto.js';
import { motoClients, motoRuntime } from '../../support/runtime.js';
import { apiEvent, bodyOf, expectError } from './support.js';

interface OrderableData {
  families: Record<string, { classes: string[] }>;
  engines: Record<string, { family: string; versions: string[] }>;
}
const ORDERABLE = JSON.parse(
  readFileSync(new URL('../../../local/moto/faithful/orderable.json', import.meta.url), 'utf8'),
) as OrderableData;
const AURORA_PG = ORDERABLE.engines['aurora-postgresql'];
/** A 15.x version the emulator lists (the seed's cluster parameter group family is aurora-postgresql15). */
const VERSION = AURORA_PG?.versions.find((v) => v.startsWith('15.')) ?? '';
const AURORA_CLASSES = ORDERABLE.families[AURORA_PG?.family ?? '']?.classes ?? [];
/** Orderable for RDS PostgreSQL, not for Aurora: refused for this source. */
const NOT_ORDERABLE = 'db.t4g.micro';

const SOURCE = `overrides-aurora-${Date.now().toString(36)}`;
let api: ReturnType<typeof createApi>;

beforeAll(async () => {
  expect(VERSION).not.toBe('');
  expect(AURORA_CLASSES).toEqual(expect.arrayContaining(['db.r6g.large', 'db.serverless']));
  expect(AURORA_CLASSES).not.toContain(NOT_ORDERABLE);
  const endpoint = motoEndpoint();
  await seedAuroraSource(endpoint, motoClients(endpoint).rds, {
    id: SOURCE,
    engine: 'aurora-postgresql',
    engineVersion: VERSION,
    tags: { [TAG.allowFork]: 'true' },
  });
  const { rt } = await motoRuntime(endpoint);
  api = createApi(rt);
}, 60_000);

const post = (overrides: Record<string, unknown>) =>
  api(apiEvent('POST', '/v1/forks', { body: { source: SOURCE, overrides } }));

describe('POST /v1/forks overrides on moto', () => {
  it('refuses a class aurora-postgresql does not order, listing classes the emulator serves', async () => {
    const error = expectError(await post({ instanceClass: NOT_ORDERABLE }), 400, 'validation_failed');

    expect(error.details[0]).toMatchObject({
      path: 'overrides.instanceClass',
      engine: 'aurora-postgresql',
      engineVersion: VERSION,
    });
    const choices = error.details[0]?.choices as string[];
    expect(choices).toHaveLength(Math.min(MAX_CLASS_CHOICES, AURORA_CLASSES.length));
    expect(AURORA_CLASSES).toEqual(expect.arrayContaining(choices));
    // The nearest first: Aurora's classes of the family asked for (db.t4g), smallest first.
    const sameFamily = AURORA_CLASSES.filter((c) => c.startsWith('db.t4g.'));
    expect(sameFamily.length).toBeGreaterThan(0);
    expect(choices.slice(0, sameFamily.length).sort()).toEqual([...sameFamily].sort());
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
