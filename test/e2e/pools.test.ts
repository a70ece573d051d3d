import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backups, Fork, Pool } from '../../cli/http.js';
import { forkSchema, poolListSchema } from '../../lambdas/api/openapi/response-schemas.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { leftovers, NOTHING_LEFT } from './leftovers.js';

/**
 * Warm pools as a user sees them, against `npm run local` started with DBFORK_POOLS (its own
 * emulator, faithful mode) and only the built CLI: the pool fills, a plain create takes a ready
 * member and the keeper (on the reconciler's tick, made short) refills the pool; a create asking
 * for a snapshot or another instance class is restored on its own; `dbfork list` never shows a
 * member. Every fork made here is deleted and leaves nothing behind.
 */

const SOURCE = 'orders-postgres';
const SIZE = 2;
/** The demo source's class (local/seed.ts), which its members run on: the pool names none. */
const SOURCE_CLASS = 'db.m6g.large';

let app: OfflineProcess;
const cli = (...args: string[]) => runCli(app.apiUrl, args);
const created: Fork[] = [];

async function pools(): Promise<Pool[]> {
  const result = await cli('pools', '--json');
  expect(result.code, result.stderr).toBe(0);
  const body = json<{ pools: Pool[] }>(result);
  expect(poolListSchema.safeParse(body).error).toBeUndefined();
  return body.pools;
}

async function listedForks(): Promise<Fork[]> {
  const result = await cli('list', '--json');
  expect(result.code, result.stderr).toBe(0);
  return json<{ forks: Fork[] }>(result).forks;
}

/** `dbfork pools` until the pool is full (every member ready), each answer seen on the way kept. */
async function untilFull(seen: Pool[] = []): Promise<Pool[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [pool] = await pools();
    if (pool) seen.push(pool);
    if (pool?.ready === SIZE && pool.warming === 0) return seen;
    if (Date.now() > deadline) throw new Error(`the pool did not fill: ${JSON.stringify(seen.at(-1))}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function create(...args: string[]): Promise<Fork> {
  const result = await cli('create', SOURCE, '--ttl', '1h', '--wait', '--json', ...args);
  expect(result.code, result.stderr).toBe(0);
  const fork = json<Fork>(result);
  created.push(fork);
  expect(forkSchema.safeParse(fork).error).toBeUndefined();
  expect(fork.status).toBe('ready');
  return fork;
}

describe('warm pools (npm run local with DBFORK_POOLS, the built CLI)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess({
      env: { DBFORK_POOLS: `${SOURCE}=${SIZE}`, DBFORK_RECONCILE_MS: '1000' },
    });
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('fills the pool to its size, and no member is anyone’s fork', async () => {
    // The banner names the pool and the command that shows it.
    expect(app?.stdout()).toContain(`pools:    ${SOURCE} (${SIZE})`);
    expect(app?.stdout()).toContain('dbfork pools');
    const seen = await untilFull();

    // Never more members than the size on the way, and the last answer is full.
    for (const pool of seen) {
      expect(pool).toMatchObject({ source: SOURCE, configured: true, size: SIZE, maxAgeHours: 24 });
      expect(pool.ready + pool.warming).toBeLessThanOrEqual(SIZE);
    }
    expect(seen.at(-1)).toMatchObject({
      ready: SIZE,
      warming: 0,
      leaving: 0,
      instanceClass: SOURCE_CLASS,
      cost: {
        instanceClass: SOURCE_CLASS,
        members: SIZE,
        description: `${SIZE} × ${SOURCE_CLASS} running all the time, plus their storage`,
      },
    });
    expect(seen.at(-1)?.oldestMemberAgeMinutes).toEqual(expect.any(Number));
    const table = await cli('pools');
    expect(table.stdout).toMatch(/^SOURCE +SIZE +READY +WARMING +OLDEST +CLASS$/m);
    expect(table.stdout).toMatch(new RegExp(`^${SOURCE} +${SIZE} +${SIZE} +0 +\\S+ +${SOURCE_CLASS}$`, 'm'));
    expect(table.stdout).toContain(`${SOURCE}  ${SIZE} × ${SOURCE_CLASS} running all the time`);
    expect(await listedForks()).toEqual([]);
    expect((await cli('list')).stdout).toBe('No forks.\n');
  }, 150_000);

  it('gives a plain create a ready member, says so in dbfork show, and refills the pool', async () => {
    const fork = await create('--name', 'from-pool');

    expect(fork.restore.pool).toEqual({
      source: SOURCE,
      memberReadyAt: expect.any(String),
      claimedAt: fork.createdAt,
    });
    expect(Date.parse(fork.restore.pool?.memberReadyAt ?? '')).toBeLessThan(Date.parse(fork.createdAt));
    expect(fork).toMatchObject({
      name: 'from-pool',
      restore: { requested: { type: 'latest-backup' } },
      endpoint: expect.any(Object),
      secretArn: expect.any(String),
    });
    const shown = await cli('show', 'from-pool');
    expect(shown.stdout).toMatch(
      new RegExp(
        `^ {2}warm pool +came from the warm pool of ${SOURCE} \\(member ready since \\S+ \\S+Z, .+ ago\\)$`,
        'm',
      ),
    );
    expect(shown.stdout).toContain('took a ready member of its warm pool');

    // The keeper warms a new member in place of the one taken.
    const seen = await untilFull();
    expect(seen.at(-1)).toMatchObject({ ready: SIZE, warming: 0 });
    expect((await listedForks()).map((f) => f.name)).toEqual(['from-pool']);
  }, 240_000);

  it('restores a create from a snapshot, or of another class, on its own, leaving the pool as it was', async () => {
    const backups = json<Backups>(await cli('backups', SOURCE, '--json'));
    const manual = backups.backups.find((b) => b.type === 'manual' && b.status === 'available');
    expect(manual).toBeDefined();

    const fromSnapshot = await create('--name', 'from-snapshot', '--from', `snapshot:${manual?.id}`);
    const otherClass = await create('--name', 'other-class', '--instance-class', 'db.t4g.medium');

    for (const fork of [fromSnapshot, otherClass]) {
      expect(fork.restore.pool).toBeUndefined();
      expect((await cli('show', fork.name)).stdout).not.toContain('warm pool');
      expect(fork.history?.map((h) => h.step)).toContain('restoring');
    }
    expect(fromSnapshot.lineage?.snapshotId).toBe(manual?.id);
    expect(otherClass.overrides).toEqual({ instanceClass: 'db.t4g.medium' });
    // Both members are still there, ready.
    expect((await pools())[0]).toMatchObject({ ready: SIZE, warming: 0 });
    expect((await listedForks()).map((f) => f.name).sort()).toEqual([
      'from-pool',
      'from-snapshot',
      'other-class',
    ]);
  }, 240_000);

  it('deletes every fork made here, leaving nothing of them behind', async () => {
    for (const fork of created) {
      const deleted = await cli('delete', fork.name, '--yes', '--wait', '--json');
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(json<Fork>(deleted)).toMatchObject({ id: fork.id, status: 'deleted' });
      expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
    }
    expect((await listedForks()).every((f) => f.status === 'deleted')).toBe(true);
  }, 180_000);
});
