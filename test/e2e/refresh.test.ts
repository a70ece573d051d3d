import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fork } from '../../cli/http.js';
import { forkSchema } from '../../lambdas/api/openapi/response-schemas.js';
import { setEmulatorConfigAt } from '../../local/emulator-config.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { cnameIn, instanceStatusIn, leftovers, NOTHING_LEFT, secretIn } from './leftovers.js';

/**
 * `dbfork refresh <fork> --wait` as a user types it, against `npm run local` (a child process with
 * its own emulator in faithful mode) and only the built CLI: a refresh moves the fork's secret and
 * DNS name to a new database and deletes the old one; a refresh whose new database fails leaves
 * the old one serving, with the secret and the CNAME as they were.
 */

let app: OfflineProcess;
const cli = (...args: string[]) => runCli(app.apiUrl, args);

async function forkNow(ref: string): Promise<Fork> {
  const shown = await cli('show', ref, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return json<Fork>(shown);
}

let fork: Fork;

describe('dbfork refresh (npm run local, the built CLI)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess();
    const created = await cli(
      'create',
      'orders-postgres',
      '--name',
      'nightly',
      '--ttl',
      '2h',
      '--wait',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    fork = json<Fork>(created);
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('moves the secret and the DNS name to a new database, deletes the old one, keeps name, secret ARN and expiry', async () => {
    const before = await secretIn(app.emulator, fork.secretArn ?? '');
    expect(await cnameIn(app.emulator, fork.dnsName ?? '')).toBe(fork.endpoint?.host);
    // A restore that outlasts the CLI's one-second progress poll, so `restoring` is on screen.
    await setEmulatorConfigAt(app.emulator, { delaysMs: { restore: 2_500 } });

    const result = await cli('refresh', 'nightly', '--wait', '--json');

    expect(result.code, result.stderr).toBe(0);
    const refreshed = json<Fork>(result);
    expect(forkSchema.safeParse(refreshed).error).toBeUndefined();
    expect(refreshed).toMatchObject({
      id: fork.id,
      name: 'nightly',
      status: 'ready',
      dnsName: fork.dnsName,
      secretArn: fork.secretArn,
      expiresAt: fork.expiresAt,
      databaseId: `${fork.id}-r1`,
      refresh: { state: 'succeeded', attempt: 1, previousDatabaseId: fork.id },
    });
    expect(refreshed.lineage?.refreshes).toEqual([
      expect.objectContaining({ databaseId: `${fork.id}-r1`, replaced: fork.id }),
    ]);
    expect(result.stderr).toMatch(/nightly: refreshing · running · restoring/);
    expect(result.stderr).toMatch(new RegExp(`✓ nightly refreshed after .*: ${fork.id}-r1 serves it`));

    const after = await secretIn(app.emulator, fork.secretArn ?? '');
    expect(after.host).toBe(refreshed.endpoint?.host);
    expect(after.host).not.toBe(before.host);
    expect(after.password).not.toBe(before.password);
    expect(await cnameIn(app.emulator, fork.dnsName ?? '')).toBe(refreshed.endpoint?.host);
    expect(await instanceStatusIn(app.emulator, fork.id)).toBeUndefined();
    expect(await instanceStatusIn(app.emulator, `${fork.id}-r1`)).toBe('available');
    // `dbfork connect` hands over the new database.
    const url = await cli('connect', 'nightly', '--url');
    expect(new URL(url.stdout.trim()).hostname).toBe(refreshed.endpoint?.host);
  }, 120_000);

  it('fails without touching the old database, the secret or the CNAME when the new database fails', async () => {
    const current = await forkNow('nightly');
    const before = await secretIn(app.emulator, fork.secretArn ?? '');
    await setEmulatorConfigAt(app.emulator, {
      failures: { restoreTargets: { [`${fork.id}-r2`]: 'incompatible-network' } },
    });

    const result = await cli('refresh', 'nightly', '--wait');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: the refresh of nightly failed:');
    expect(result.stderr).toContain('incompatible-network');
    expect(result.stderr).toContain(`hint: ${fork.id}-r1 still serves the fork`);
    const after = await forkNow('nightly');
    expect(after).toMatchObject({
      status: 'ready',
      databaseId: `${fork.id}-r1`,
      endpoint: current.endpoint,
      secretArn: fork.secretArn,
      expiresAt: fork.expiresAt,
      refresh: { state: 'failed', attempt: 2 },
    });
    expect(after.history?.at(-1)?.message).toMatch(/^refresh 2 failed \(RestoreFailedError\)/);
    expect(await secretIn(app.emulator, fork.secretArn ?? '')).toEqual(before);
    expect(await cnameIn(app.emulator, fork.dnsName ?? '')).toBe(current.endpoint?.host);
    expect(await instanceStatusIn(app.emulator, `${fork.id}-r1`)).toBe('available');
    expect(await instanceStatusIn(app.emulator, `${fork.id}-r2`)).toBeUndefined();
  }, 120_000);

  it('refuses a refresh of a fork that is being refreshed (409), and one of a fork that is gone', async () => {
    const first = await cli('refresh', 'nightly', '--json');
    expect(first.code, first.stderr).toBe(0);
    const second = await cli('refresh', 'nightly');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/error: fork .* is being refreshed \(refresh 3 is running/);

    // Deleting it while it refreshes leaves nothing behind.
    const deleted = await cli('delete', 'nightly', '--yes', '--wait', '--json');
    expect(deleted.code, deleted.stderr).toBe(0);
    const settle = Date.now() + 30_000;
    let left = await leftovers(app.emulator, fork);
    while (JSON.stringify(left) !== JSON.stringify(NOTHING_LEFT) && Date.now() < settle) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      left = await leftovers(app.emulator, fork);
    }
    expect(left).toEqual(NOTHING_LEFT);
    const gone = await cli('refresh', fork.id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('only a ready fork can be refreshed');
  }, 120_000);
});
