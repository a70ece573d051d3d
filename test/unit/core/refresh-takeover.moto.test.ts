/**
 * The take-over write of a refresh (lambdas/core/refresh-takeover.ts) on the fork store on moto:
 * conditional on the refresh switching, idempotent, and keeping the lineage to its latest entries.
 */
import { describe, expect, it } from 'vitest';
import { ForkStateConflictError } from '../../../lambdas/core/errors.js';
import { MAX_REFRESH_LINEAGE, type RefreshLineageEntry } from '../../../lambdas/core/fork.js';
import { takeOverRefresh } from '../../../lambdas/core/refresh-takeover.js';
import { forkAt, stepTest } from '../steps/support.js';
import { FORK_ID } from './fixtures.js';

const NEW_ENDPOINT = { host: `${FORK_ID}-r2.cnew.us-east-1.rds.amazonaws.com`, port: 5432 };

function entry(n: number): RefreshLineageEntry {
  return {
    at: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString(),
    requestedBy: 'schedule',
    restore: { requested: { type: 'latest-backup' } },
    databaseId: `${FORK_ID}-r${n}`,
    replaced: n === 1 ? FORK_ID : `${FORK_ID}-r${n - 1}`,
  };
}

function switching(attempt: number, lineage: RefreshLineageEntry[]) {
  return forkAt('ready', {
    databaseId: `${FORK_ID}-r${attempt - 1}`,
    refreshes: lineage,
    refresh: {
      state: 'switching',
      attempt,
      step: 'switching',
      startedAt: '2026-11-20T11:00:00.000Z',
      requestedBy: 'schedule',
      restore: { requested: { type: 'latest-backup' } },
      databaseId: `${FORK_ID}-r${attempt}`,
      previousDatabaseId: `${FORK_ID}-r${attempt - 1}`,
      endpoint: NEW_ENDPOINT,
    },
  });
}

describe('takeOverRefresh', () => {
  it('names the new database, appends the lineage keeping its latest entries, and changes nothing on a retry', async () => {
    const attempt = MAX_REFRESH_LINEAGE + 1;
    const lineage = Array.from({ length: MAX_REFRESH_LINEAGE }, (_, i) => entry(i + 1));
    const test = await stepTest(switching(attempt, lineage));
    const takeOver = {
      databaseId: `${FORK_ID}-r${attempt}`,
      endpoint: NEW_ENDPOINT,
      entry: entry(attempt),
      message: 'switched',
    };

    const fork = await takeOverRefresh(test.rt.store, test.rt.now(), FORK_ID, attempt, takeOver);

    expect(fork).toMatchObject({ databaseId: `${FORK_ID}-r${attempt}`, endpoint: NEW_ENDPOINT });
    expect(fork.refresh).toMatchObject({ state: 'retiring', step: 'deleting the old database' });
    const stored = await test.rt.store.mustGet(FORK_ID);
    expect(stored.refreshes).toHaveLength(MAX_REFRESH_LINEAGE);
    expect(stored.refreshes?.at(0)).toEqual(entry(2));
    expect(stored.refreshes?.at(-1)).toEqual(entry(attempt));

    await takeOverRefresh(test.rt.store, test.rt.now(), FORK_ID, attempt, takeOver);
    expect((await test.rt.store.mustGet(FORK_ID)).refreshes).toEqual(stored.refreshes);
  });

  it('refuses a refresh that is not switching', async () => {
    const test = await stepTest(switching(2, [entry(1)]));
    await expect(
      takeOverRefresh(test.rt.store, test.rt.now(), FORK_ID, 3, {
        databaseId: `${FORK_ID}-r3`,
        endpoint: NEW_ENDPOINT,
        entry: entry(3),
        message: 'switched',
      }),
    ).rejects.toThrow(ForkStateConflictError);
  });
});
