import { describe, expect, it } from 'vitest';
import type { Backup, SourceDatabase } from '../../../lambdas/core/engines/engine.js';
import { type ForkRecord, type ForkStep, POOL_OWNER } from '../../../lambdas/core/fork.js';
import type { PoolConfig } from '../../../lambdas/core/pool-config.js';
import {
  createPoolKeeper,
  MEMBER_RETIRED,
  type PoolKeeperRuntime,
} from '../../../lambdas/events/pool-keeper.js';
import { testLogger } from '../../support/runtime.js';
import { forkRecord } from '../core/fixtures.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const POOL: PoolConfig = { source: 'orders-prod', size: 2, maxAgeHours: 24, recycleOnNewBackup: false };

function member(id: string, step: ForkStep, ageHours: number, extra: Partial<ForkRecord> = {}): ForkRecord {
  return forkRecord({
    id,
    name: id,
    owner: POOL_OWNER,
    status: 'creating',
    step,
    createdAt: hoursAgo(ageHours),
    pool: {
      source: 'orders-prod',
      ...(step === 'pooled' ? { readyAt: hoursAgo(ageHours - 0.5), claimToken: `token-${id}` } : {}),
    },
    restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'rds:orders-prod-old' } },
    ...extra,
  });
}

const SOURCE = {
  id: 'orders-prod',
  arn: 'arn:aws:rds:us-east-1:123456789012:db:orders-prod',
  engine: 'postgres',
  kind: 'rds-instance',
} as SourceDatabase;

/** The keeper's runtime, faked: what it reads and every call it makes. */
function fakeRuntime(
  members: ForkRecord[],
  pools: PoolConfig[],
  options: {
    claimed?: string[];
    stale?: string[];
    backups?: Backup[];
    startFails?: boolean;
    failed?: ForkRecord[];
  } = {},
) {
  const calls: string[] = [];
  const added: ForkRecord[] = [];
  const rt = {
    env: { hostedZoneDomain: 'forks.test.internal', policy: { pools } },
    logger: testLogger(),
    now: () => NOW,
    store: {
      pools: {
        members: async () => members,
        failed: async () => options.failed ?? [],
        add: async (record: ForkRecord) => {
          added.push(record);
          calls.push(`add ${record.pool?.source}`);
        },
        retire: async (m: ForkRecord, why: string) => {
          calls.push(`retire ${m.id}: ${why}`);
          return options.claimed?.includes(m.id) ? undefined : m.pool?.claimToken;
        },
      },
      transition: async (id: string, request: { step: string }) => {
        calls.push(`transition ${id} ${request.step}`);
      },
    },
    engines: {
      resolve: async () => ({
        source: SOURCE,
        engine: { listBackups: async () => options.backups ?? [] },
      }),
    },
    workflows: {
      startCreate: async (id: string, m: { source: string; timeoutSeconds: number }) => {
        calls.push(`start ${m.source} ${m.timeoutSeconds}s`);
        if (options.startFails) throw new Error('Step Functions refused');
        return id;
      },
      startCleanup: async (id: string, reason: string, error: { Error: string }) => {
        calls.push(`cleanup ${id} ${reason} ${error.Error}`);
      },
    },
    tasks: {
      fail: async (token: string, error: string) => {
        calls.push(`fail ${token} ${error}`);
        return options.stale?.some((id) => token === `token-${id}`) ? 'stale' : 'completed';
      },
    },
    metrics: {
      pool: (source: string, counts: object) => calls.push(`metrics ${source} ${JSON.stringify(counts)}`),
    },
  };
  return { rt: rt as unknown as PoolKeeperRuntime, calls, added };
}

describe('pool keeper', () => {
  it('fills an empty pool to its size with members restored from the latest backup, owned by nobody', async () => {
    const { rt, calls, added } = fakeRuntime([], [POOL]);

    const keeping = await createPoolKeeper(rt)();

    expect(keeping.actions.map((a) => a.action)).toEqual(['warm', 'warm']);
    expect(calls.filter((c) => c.startsWith('start'))).toEqual([
      // Its parked wait lasts twice the pool's max age: the deadline after which it removes itself.
      'start orders-prod 172800s',
      'start orders-prod 172800s',
    ]);
    expect(added[0]).toMatchObject({
      owner: POOL_OWNER,
      status: 'creating',
      pool: { source: 'orders-prod' },
      restore: { requested: { type: 'latest-backup' } },
      tags: { 'dbfork:pool': 'orders-prod' },
      overrides: {},
      expiresAt: '2026-12-03T12:00:00.000Z',
    });
    expect(added[0]?.id).not.toBe(added[1]?.id);
    expect(calls.at(-1)).toBe('metrics orders-prod {"size":2,"ready":0,"warming":2}');
  });

  it('counts warming members and starts nothing more for a full pool; the pool’s class is the members’ override', async () => {
    const { rt, calls, added } = fakeRuntime(
      [member('fork-aaaaaaaaaaa1', 'restoring', 1)],
      [{ ...POOL, instanceClass: 'db.t4g.small' }],
    );

    await createPoolKeeper(rt)();

    expect(added).toHaveLength(1);
    expect(added[0]?.overrides).toEqual({ instanceClass: 'db.t4g.small' });
    expect(calls.filter((c) => c.startsWith('retire'))).toEqual([]);
  });

  it('replaces a member past its age first, and retires it once enough fresh ones are ready', async () => {
    const old = member('fork-aaaaaaaaaaa1', 'pooled', 30);
    const fresh = member('fork-aaaaaaaaaaa2', 'pooled', 2);

    const before = fakeRuntime([old, fresh], [POOL]);
    await createPoolKeeper(before.rt)();
    expect(before.calls.filter((c) => /^(start|retire)/.test(c))).toEqual(['start orders-prod 172800s']);

    const after = fakeRuntime([old, fresh, member('fork-aaaaaaaaaaa3', 'pooled', 0.5)], [POOL]);
    const keeping = await createPoolKeeper(after.rt)();
    expect(after.calls.filter((c) => /^(start|retire|fail)/.test(c))).toEqual([
      'retire fork-aaaaaaaaaaa1: retired from its pool: older than 24 h; replaced',
      `fail token-fork-aaaaaaaaaaa1 ${MEMBER_RETIRED}`,
    ]);
    expect(keeping.actions).toEqual([
      { source: 'orders-prod', forkId: old.id, action: 'retire', detail: 'older than 24 h; replaced' },
    ]);
  });

  it('retires a member at twice its age even when no replacement could be made ready', async () => {
    const { rt, calls } = fakeRuntime([member('fork-aaaaaaaaaaa1', 'pooled', 49)], [{ ...POOL, size: 1 }]);

    await createPoolKeeper(rt)();

    expect(calls).toContain(
      'retire fork-aaaaaaaaaaa1: retired from its pool: older than 24 h; past its deadline',
    );
  });

  it('with recycleOnNewBackup, replaces members restored from an older backup than the source’s latest', async () => {
    const backups = [
      { id: 'rds:orders-prod-old', type: 'automated', status: 'available', createdAt: hoursAgo(30) },
      { id: 'rds:orders-prod-new', type: 'automated', status: 'available', createdAt: hoursAgo(6) },
    ] as Backup[];
    const members = [member('fork-aaaaaaaaaaa1', 'pooled', 3), member('fork-aaaaaaaaaaa2', 'pooled', 3)];
    const { rt, calls } = fakeRuntime(members, [{ ...POOL, recycleOnNewBackup: true }], { backups });

    await createPoolKeeper(rt)();

    expect(calls.filter((c) => c.startsWith('start'))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('retire'))).toEqual([]);
  });

  it('drains ready members beyond the size, oldest first, and every member of a pool no longer configured', async () => {
    const members = [
      member('fork-aaaaaaaaaaa1', 'pooled', 5),
      member('fork-aaaaaaaaaaa2', 'pooled', 3),
      member('fork-aaaaaaaaaaa3', 'pooled', 1),
      member('fork-bbbbbbbbbbb1', 'pooled', 1, {
        pool: { source: 'gone', claimToken: 'token-fork-bbbbbbbbbbb1' },
      }),
      member('fork-bbbbbbbbbbb2', 'restoring', 1, { pool: { source: 'gone' } }),
    ];
    const { rt, calls } = fakeRuntime(members, [{ ...POOL, size: 2 }]);

    await createPoolKeeper(rt)();

    expect(calls.filter((c) => c.startsWith('retire'))).toEqual([
      // The configured pools first, then the drained ones.
      'retire fork-aaaaaaaaaaa1: retired from its pool: the pool of orders-prod keeps 2',
      'retire fork-bbbbbbbbbbb1: retired from its pool: its pool (gone) is no longer configured',
    ]);
    expect(calls.filter((c) => c.startsWith('start'))).toEqual([]);
  });

  it('reports nothing for a member a claim took first, and cleans up one whose parked workflow is gone', async () => {
    const members = [member('fork-aaaaaaaaaaa1', 'pooled', 30), member('fork-aaaaaaaaaaa2', 'pooled', 30)];
    const { rt, calls } = fakeRuntime(members, [{ ...POOL, size: 0 as unknown as number }], {
      claimed: ['fork-aaaaaaaaaaa1'],
      stale: ['fork-aaaaaaaaaaa2'],
    });

    const keeping = await createPoolKeeper(rt)();

    expect(calls).toContain(`cleanup fork-aaaaaaaaaaa2 pool ${MEMBER_RETIRED}`);
    expect(keeping.actions.map((a) => a.forkId)).toEqual(['fork-aaaaaaaaaaa2']);
  });

  it('marks a member whose workflow could not start failed, and reports the error', async () => {
    const { rt, calls } = fakeRuntime([], [{ ...POOL, size: 1 }], { startFails: true });

    const keeping = await createPoolKeeper(rt)();

    expect(calls.some((c) => /^transition fork-\w+ failed$/.test(c))).toBe(true);
    expect(keeping.errors).toEqual([
      expect.objectContaining({
        source: 'orders-prod',
        action: 'warm',
        detail: 'Error: Step Functions refused',
      }),
    ]);
  });

  it('stops warming a pool whose members keep failing, and says why; retired members do not count', async () => {
    const failedMember = (id: string, code: string, minutesAgo: number) =>
      member(id, 'failed', 3, {
        status: 'failed',
        updatedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
        error: { code, message: `${code} happened` },
      });
    const failed = [
      failedMember('fork-fffffffffff1', 'RestoreFailedError', 10),
      failedMember('fork-fffffffffff2', 'RestoreFailedError', 30),
      failedMember('fork-fffffffffff3', MEMBER_RETIRED, 5),
    ];

    const paused = fakeRuntime([], [POOL], { failed });
    const keeping = await createPoolKeeper(paused.rt)();
    expect(paused.added).toEqual([]);
    expect(keeping.errors).toEqual([
      {
        source: 'orders-prod',
        forkId: 'fork-fffffffffff1',
        action: 'warm',
        detail:
          'warming paused: 2 members failed in the last 60 minutes (latest: RestoreFailedError: RestoreFailedError happened)',
      },
    ]);

    // One failure in the window (the other aged out) and retirements: warming goes on.
    const resumed = fakeRuntime([], [POOL], {
      failed: [failed[0], failedMember('fork-fffffffffff2', 'RestoreFailedError', 90), failed[2]].filter(
        (m): m is ForkRecord => m !== undefined,
      ),
    });
    await createPoolKeeper(resumed.rt)();
    expect(resumed.added).toHaveLength(2);
  });
});
