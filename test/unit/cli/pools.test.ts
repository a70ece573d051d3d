import { describe, expect, it } from 'vitest';
import type { Deps, Io } from '../../../cli/context.js';
import { ApiClient, type Fork, type Pool } from '../../../cli/http.js';
import { runCli } from '../../../cli/program.js';

/** `dbfork pools` and the warm-pool line of `dbfork show`, driven in-process against a scripted API. */

const NOW = new Date('2026-11-20T12:00:00Z');

function harness(answers: Record<string, unknown>) {
  const out: string[] = [];
  const err: string[] = [];
  const urls: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stderrIsTTY: false,
    stdinIsTTY: false,
    prompt: async () => '',
    env: {},
    now: () => NOW,
    sleep: async () => {},
  };
  const fakeFetch = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    urls.push(`${url.pathname}${url.search}`);
    const body = answers[url.pathname];
    return body === undefined
      ? new Response(
          JSON.stringify({ error: { code: 'route_not_found', message: 'no route', details: [] } }),
          {
            status: 404,
          },
        )
      : new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const deps: Deps = {
    io,
    connect: async (opts) =>
      new ApiClient({ baseUrl: opts.api ?? 'http://127.0.0.1:3000', fetch: fakeFetch }),
    secrets: async () => async () => {
      throw new Error('no secret is read here');
    },
    exec: async () => 0,
  };
  return {
    urls,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    run: (...args: string[]) => runCli(args, deps),
  };
}

const POOLS: Pool[] = [
  {
    source: 'orders-postgres',
    configured: true,
    size: 2,
    ready: 1,
    warming: 1,
    leaving: 0,
    oldestMemberAgeMinutes: 95,
    maxAgeHours: 24,
    instanceClass: 'db.t4g.medium',
    cost: {
      instanceClass: 'db.t4g.medium',
      members: 2,
      description: '2 × db.t4g.medium running all the time, plus their storage',
    },
  },
  {
    source: 'analytics-aurora',
    configured: true,
    size: 1,
    ready: 0,
    warming: 0,
    leaving: 0,
    oldestMemberAgeMinutes: null,
    maxAgeHours: 6,
    instanceClass: null,
    cost: {
      instanceClass: null,
      members: 0,
      description: '1 member database (class unknown) running all the time (0 now), plus their storage',
    },
  },
  {
    source: 'shop-mysql',
    configured: false,
    size: 0,
    ready: 1,
    warming: 0,
    leaving: 1,
    oldestMemberAgeMinutes: 3,
    maxAgeHours: null,
    instanceClass: 'db.t4g.small',
    cost: {
      instanceClass: 'db.t4g.small',
      members: 1,
      description:
        '1 × db.t4g.small running until drained (the pool is no longer configured), plus their storage; 1 more being removed',
    },
  },
];

describe('dbfork pools', () => {
  it('shows each pool in a table, then what each keeps running', async () => {
    const h = harness({ '/v1/pools': { pools: POOLS } });

    expect(await h.run('pools')).toBe(0);

    expect(h.urls).toEqual(['/v1/pools']);
    expect(h.stdout()).toBe(
      [
        'SOURCE            SIZE          READY  WARMING  OLDEST  CLASS',
        'orders-postgres   2             1      1        1h 35m  db.t4g.medium',
        'analytics-aurora  1             0      0        -       -',
        'shop-mysql        0 (draining)  1      0        3m      db.t4g.small',
        '',
        'Cost drivers (dbfork knows no prices):',
        '  orders-postgres   2 × db.t4g.medium running all the time, plus their storage',
        '  analytics-aurora  1 member database (class unknown) running all the time (0 now), plus their storage',
        '  shop-mysql        1 × db.t4g.small running until drained (the pool is no longer configured), plus their storage; 1 more being removed',
        '',
      ].join('\n'),
    );
  });

  it('prints the API answer as it is with --json', async () => {
    const h = harness({ '/v1/pools': { pools: POOLS } });

    expect(await h.run('pools', '--json')).toBe(0);

    expect(JSON.parse(h.stdout())).toEqual({ pools: POOLS });
  });

  it('says so when there is no pool', async () => {
    const h = harness({ '/v1/pools': { pools: [] } });

    expect(await h.run('pools')).toBe(0);

    expect(h.stdout()).toBe('No warm pools.\n');
  });

  it("prints the API's refusal and exits 1", async () => {
    const h = harness({});

    expect(await h.run('pools')).toBe(1);

    expect(h.stderr()).toContain('error: no route');
  });
});

describe('dbfork show of a fork that took a warm-pool member', () => {
  const fork: Fork = {
    id: 'fork-abcdef123456',
    name: 'pr-1',
    source: { id: 'orders-postgres', kind: 'rds-instance', engine: 'postgres' },
    restore: {
      requested: { type: 'latest-backup' },
      resolved: { snapshotId: 'rds:orders-postgres-2026-11-20-03-00' },
      pool: {
        source: 'orders-postgres',
        memberReadyAt: '2026-11-20T10:00:00.000Z',
        claimedAt: '2026-11-20T11:59:00.000Z',
      },
    },
    status: 'ready',
    step: 'ready',
    progress: 100,
    owner: 'arn:aws:iam::123456789012:user/local-developer',
    createdAt: '2026-11-20T11:59:00.000Z',
    expiresAt: '2026-11-21T11:59:00.000Z',
    lineage: { sourceId: 'orders-postgres', snapshotId: 'rds:orders-postgres-2026-11-20-03-00' },
  };

  it('says which pool it came from and since when its member was ready, under where its data is from', async () => {
    const h = harness({ [`/v1/forks/${fork.name}`]: fork });

    expect(await h.run('show', fork.name)).toBe(0);

    expect(h.stdout()).toMatch(
      /^ {2}from {7}the latest backup → snapshot rds:orders-postgres-2026-11-20-03-00\n {2}warm pool {2}came from the warm pool of orders-postgres \(member ready since 2026-11-20 10:00:00Z, 2h ago\)$/m,
    );
  });

  it('says when it was claimed when the member’s ready time is not known', async () => {
    const { memberReadyAt: _unknown, ...pool } = fork.restore.pool ?? { source: '', claimedAt: '' };
    const h = harness({ [`/v1/forks/${fork.name}`]: { ...fork, restore: { ...fork.restore, pool } } });

    await h.run('show', fork.name);

    expect(h.stdout()).toContain(
      'warm pool  came from the warm pool of orders-postgres (claimed 2026-11-20 11:59:00Z)',
    );
  });

  it('prints no warm-pool line for a fork restored on its own', async () => {
    const { pool: _none, ...restore } = fork.restore;
    const h = harness({ [`/v1/forks/${fork.name}`]: { ...fork, restore } });

    await h.run('show', fork.name);

    expect(h.stdout()).not.toContain('warm pool');
  });
});
