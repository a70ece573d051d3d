import { describe, expect, it } from 'vitest';
import { poolFor } from '../../../lambdas/api/routes/pool-claim.js';
import { forkPolicySchema } from '../../../lambdas/core/config.js';
import { createForkBodySchema, POOL_OWNER } from '../../../lambdas/core/fork.js';
import { parsePoolsSpec, poolsSchema } from '../../../lambdas/core/pool-config.js';
import { poolMembers } from '../../../lambdas/core/pool-state.js';
import { forkRecord } from './fixtures.js';

describe('pools in the config', () => {
  it('applies the defaults: 24 h max age, no class of its own, no recycling on a new backup', () => {
    expect(poolsSchema.parse([{ source: 'orders-prod', size: 2 }])).toEqual([
      { source: 'orders-prod', size: 2, maxAgeHours: 24, recycleOnNewBackup: false },
    ]);
    expect(forkPolicySchema.parse({}).pools).toEqual([]);
  });

  it.each([
    [[{ source: 'orders-prod', size: 0 }], 'size'],
    [[{ source: 'orders-prod', size: 21 }], 'size'],
    [[{ source: 'orders-prod', size: 1, maxAgeHours: 0 }], 'maxAgeHours'],
    [[{ source: 'orders-prod', size: 1, instanceClass: 'large' }], 'instanceClass'],
    [[{ source: 'arn:aws:rds:x', size: 1 }], 'source'],
    [[{ source: 'orders-prod', size: 1, colour: 'blue' }], ''],
    [
      [
        { source: 'orders-prod', size: 1 },
        { source: 'orders-prod', size: 2 },
      ],
      '',
    ],
  ])('refuses %j (%s)', (pools, path) => {
    const parsed = poolsSchema.safeParse(pools);
    expect(parsed.success).toBe(false);
    if (path) expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(`0.${path}`);
  });

  it('reads the offline form source=size,source=size', () => {
    expect(parsePoolsSpec('orders-postgres=2, analytics-aurora=1')).toEqual([
      { source: 'orders-postgres', size: 2, maxAgeHours: 24, recycleOnNewBackup: false },
      { source: 'analytics-aurora', size: 1, maxAgeHours: 24, recycleOnNewBackup: false },
    ]);
    expect(parsePoolsSpec('')).toEqual([]);
    expect(() => parsePoolsSpec('orders-postgres')).toThrow(/"orders-postgres" is not source=size/);
    expect(() => parsePoolsSpec('orders-postgres=0')).toThrow(/DBFORK_POOLS: 0.size/);
    expect(() => parsePoolsSpec('a=1,a=2')).toThrow(/each source once/);
  });
});

describe('which creates a pool member satisfies', () => {
  const policy = forkPolicySchema.parse({
    pools: [{ source: 'orders-prod', size: 1, instanceClass: 'db.t4g.small' }],
  });
  const body = (extra: Record<string, unknown> = {}) =>
    createForkBodySchema.parse({ source: 'orders-prod', ...extra });

  it('the latest backup with no overrides, or exactly the members’ own', () => {
    expect(poolFor(policy, 'orders-prod', body())?.source).toBe('orders-prod');
    expect(
      poolFor(policy, 'orders-prod', body({ overrides: { instanceClass: 'db.t4g.small' } })),
    ).toBeDefined();
    expect(
      poolFor(policy, 'orders-prod', body({ name: 'pr-1', ttlHours: 3, tags: { pr: '1' } })),
    ).toBeDefined();
  });

  it('not another restore, another class or more overrides, nor another source', () => {
    expect(
      poolFor(policy, 'orders-prod', body({ restore: { type: 'point-in-time', latest: true } })),
    ).toBeUndefined();
    expect(
      poolFor(policy, 'orders-prod', body({ overrides: { instanceClass: 'db.t4g.large' } })),
    ).toBeUndefined();
    expect(poolFor(policy, 'orders-prod', body({ overrides: { multiAz: true } }))).toBeUndefined();
    expect(poolFor(policy, 'other-db', body({ source: 'other-db' }))).toBeUndefined();
  });
});

describe('pool members by pool', () => {
  it('groups ready, warming and leaving members, keeps empty configured pools, and lists drained ones after', () => {
    const m = (id: string, source: string, step: 'pooled' | 'restoring' | 'cleaning-up', createdAt: string) =>
      forkRecord({ id, owner: POOL_OWNER, status: 'creating', step, createdAt, pool: { source } });
    const pools = poolsSchema.parse([
      { source: 'orders-prod', size: 2 },
      { source: 'empty', size: 1 },
    ]);
    const grouped = poolMembers(pools, [
      m('fork-aaaaaaaaaaa2', 'orders-prod', 'pooled', '2026-12-01T02:00:00Z'),
      m('fork-aaaaaaaaaaa1', 'orders-prod', 'pooled', '2026-12-01T01:00:00Z'),
      m('fork-aaaaaaaaaaa3', 'orders-prod', 'restoring', '2026-12-01T03:00:00Z'),
      m('fork-aaaaaaaaaaa4', 'orders-prod', 'cleaning-up', '2026-12-01T00:00:00Z'),
      m('fork-bbbbbbbbbbb1', 'gone', 'pooled', '2026-12-01T00:00:00Z'),
    ]);
    const ids = (records: { id: string }[]) => records.map((r) => r.id);
    expect(
      grouped.map((p) => [p.source, Boolean(p.config), ids(p.ready), ids(p.warming), ids(p.leaving)]),
    ).toEqual([
      [
        'orders-prod',
        true,
        ['fork-aaaaaaaaaaa1', 'fork-aaaaaaaaaaa2'],
        ['fork-aaaaaaaaaaa3'],
        ['fork-aaaaaaaaaaa4'],
      ],
      ['empty', true, [], [], []],
      ['gone', false, ['fork-bbbbbbbbbbb1'], [], []],
    ]);
  });
});
