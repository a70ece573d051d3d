import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../lambdas/api/openapi/document.js';
import { poolListSchema } from '../../../lambdas/api/openapi/response-schemas.js';
import { type ForkRecord, POOL_OWNER, STEPS } from '../../../lambdas/core/fork.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { type PolicyInput, TEST_NOW } from '../../support/runtime.js';
import { forkRecord, SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import { apiHarness, bodyOf, expectError, givenRds, OTHER_CALLER } from './support.js';

const minutesAgo = (minutes: number) => new Date(Date.parse(TEST_NOW) - minutes * 60_000).toISOString();

/** A pool member's record as the pool keeper writes it and its workflow moves it. */
function member(
  source: string,
  id: string,
  step: 'restoring' | 'pooled' | 'cleaning-up',
  ageMinutes: number,
  overrides: ForkRecord['overrides'] = {},
): ForkRecord {
  const at = minutesAgo(ageMinutes);
  return forkRecord({
    id,
    name: id,
    sourceRef: source,
    owner: POOL_OWNER,
    overrides,
    step,
    order: STEPS[step].order,
    progress: STEPS[step].progress,
    createdAt: at,
    updatedAt: at,
    tags: { [TAG.pool]: source },
    pool: {
      source,
      ...(step === 'pooled' ? { readyAt: minutesAgo(ageMinutes - 5), claimToken: `token-${id}` } : {}),
    },
  });
}

const POOLS: PolicyInput = {
  allowedSources: [SOURCE_ID],
  pools: [
    { source: SOURCE_ID, size: 2 },
    { source: 'analytics-aurora', size: 1, maxAgeHours: 6, instanceClass: 'db.r6g.xlarge' },
    { source: 'gone-prod', size: 1 },
  ],
};

const MEMBERS = [
  member(SOURCE_ID, 'fork-000000000001', 'pooled', 90),
  member(SOURCE_ID, 'fork-000000000002', 'restoring', 10),
  member(SOURCE_ID, 'fork-000000000003', 'cleaning-up', 2 * 24 * 60),
  member('analytics-aurora', 'fork-000000000004', 'restoring', 3, { instanceClass: 'db.r6g.xlarge' }),
  // A pool no longer configured: its ready member is retired next, its other one is on its way out.
  member('billing-prod', 'fork-000000000005', 'pooled', 30, { instanceClass: 'db.t4g.small' }),
  member('billing-prod', 'fork-000000000006', 'cleaning-up', 40, { instanceClass: 'db.t4g.small' }),
];

function harness(policy: PolicyInput = POOLS, members: ForkRecord[] = MEMBERS) {
  const h = apiHarness({ env: { policy } });
  givenRds(h.mocks, [sourceInstance({ DBInstanceClass: 'db.r6g.large' })]);
  h.mocks.dynamo?.on(QueryCommand).resolves({ Items: members });
  return h;
}

type PoolList = { pools: Record<string, unknown>[] };

describe('GET /v1/pools', () => {
  it('shows every configured pool, then each drained one, with its members by state and its cost drivers', async () => {
    const h = harness();

    const result = await h.call('GET', '/v1/pools');

    expect(result.statusCode).toBe(200);
    expect(bodyOf<PoolList>(result).pools).toEqual([
      {
        source: SOURCE_ID,
        configured: true,
        size: 2,
        ready: 1,
        warming: 1,
        leaving: 1,
        // The ready member's age; the one being removed no longer counts.
        oldestMemberAgeMinutes: 90,
        maxAgeHours: 24,
        // No class configured: the source's own.
        instanceClass: 'db.r6g.large',
        cost: {
          instanceClass: 'db.r6g.large',
          members: 2,
          description: '2 × db.r6g.large running all the time, plus their storage; 1 more being removed',
        },
      },
      {
        source: 'analytics-aurora',
        configured: true,
        size: 1,
        ready: 0,
        warming: 1,
        leaving: 0,
        oldestMemberAgeMinutes: 3,
        maxAgeHours: 6,
        instanceClass: 'db.r6g.xlarge',
        cost: {
          instanceClass: 'db.r6g.xlarge',
          members: 1,
          description: '1 × db.r6g.xlarge running all the time, plus their storage',
        },
      },
      {
        source: 'gone-prod',
        configured: true,
        size: 1,
        ready: 0,
        warming: 0,
        leaving: 0,
        oldestMemberAgeMinutes: null,
        maxAgeHours: 24,
        // The source cannot be described (gone) and nothing configures a class.
        instanceClass: null,
        cost: {
          instanceClass: null,
          members: 0,
          description: '1 member database (class unknown) running all the time (0 now), plus their storage',
        },
      },
      {
        source: 'billing-prod',
        configured: false,
        size: 0,
        ready: 1,
        warming: 0,
        leaving: 1,
        oldestMemberAgeMinutes: 30,
        maxAgeHours: null,
        // What the members were restored with.
        instanceClass: 'db.t4g.small',
        cost: {
          instanceClass: 'db.t4g.small',
          members: 1,
          description:
            '1 × db.t4g.small running until drained (the pool is no longer configured), plus their storage; 1 more being removed',
        },
      },
    ]);
    expect(poolListSchema.safeParse(bodyOf(result)).success).toBe(true);
  });

  it('reads the members from the status index and describes only the sources whose class nothing else says', async () => {
    const h = harness();

    await h.call('GET', '/v1/pools');

    expect(h.mocks.dynamo?.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        IndexName: 'byStatus',
        FilterExpression: 'attribute_exists(#pool)',
        ExpressionAttributeValues: { ':creating': 'creating' },
      }),
    ]);
    const described = h.mocks.rds
      .commandCalls(DescribeDBInstancesCommand)
      .map((c) => c.args[0].input.DBInstanceIdentifier);
    expect([...new Set(described)].sort()).toEqual(['gone-prod', SOURCE_ID]);
    const clusters = h.mocks.rds
      .commandCalls(DescribeDBClustersCommand)
      .map((c) => c.args[0].input.DBClusterIdentifier);
    expect(clusters).not.toContain('analytics-aurora');
  });

  it("takes the stack's default instance class over the source's", async () => {
    const h = harness({ ...POOLS, defaultOverrides: { instanceClass: 'db.t4g.medium' } });

    const [orders] = bodyOf<PoolList>(await h.call('GET', '/v1/pools')).pools;

    expect(orders).toMatchObject({ source: SOURCE_ID, instanceClass: 'db.t4g.medium' });
    expect(h.mocks.rds.commandCalls(DescribeDBInstancesCommand)).toEqual([]);
  });

  it('says nothing about any member: no id, no name, no token', async () => {
    const h = harness();

    const text = (await h.call('GET', '/v1/pools', { caller: OTHER_CALLER })).body;

    for (const m of MEMBERS) {
      expect(text).not.toContain(m.id);
      expect(text).not.toContain(`token-${m.id}`);
    }
  });

  it('answers an empty list when no pool is configured and no member is left', async () => {
    const h = harness({ allowedSources: [SOURCE_ID] }, []);

    expect(bodyOf(await h.call('GET', '/v1/pools'))).toEqual({ pools: [] });
  });

  it('shows a configured pool with no member yet, full size to warm', async () => {
    const h = harness({ allowedSources: [SOURCE_ID], pools: [{ source: SOURCE_ID, size: 3 }] }, []);

    expect(bodyOf<PoolList>(await h.call('GET', '/v1/pools')).pools).toEqual([
      expect.objectContaining({
        size: 3,
        ready: 0,
        warming: 0,
        leaving: 0,
        oldestMemberAgeMinutes: null,
        cost: {
          instanceClass: 'db.r6g.large',
          members: 0,
          description: '3 × db.r6g.large running all the time (0 now), plus their storage',
        },
      }),
    ]);
  });

  it('answers 400 to a query parameter, 405 to another method, and 503 when RDS throttles', async () => {
    const h = harness();

    expectError(await h.call('GET', '/v1/pools', { query: { source: SOURCE_ID } }), 400, 'validation_failed');
    expectError(await h.call('POST', '/v1/pools', { body: {} }), 405, 'method_not_allowed');
    h.mocks.rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expectError(await h.call('GET', '/v1/pools'), 503, 'service_unavailable');
  });

  it('has an OpenAPI example of the shape it sends', () => {
    const operation = OPERATIONS['GET /v1/pools'] as {
      responses: { '200': { content: { 'application/json': { example: unknown } } } };
    };
    const example = operation.responses['200'].content['application/json'].example;
    expect(poolListSchema.safeParse(example).success).toBe(true);
  });
});
