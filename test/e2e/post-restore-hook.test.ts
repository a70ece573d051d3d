import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fork } from '../../cli/http.js';
import { forkSchema } from '../../lambdas/api/openapi/response-schemas.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { leftovers, NOTHING_LEFT, secretIn } from './leftovers.js';

/**
 * Post-restore hooks offline, as the README shows them: `DBFORK_POST_RESTORE_HOOK` names the
 * example masking hook (the default) and two more a create may ask for by name — one that records
 * the event it gets, one that throws. Driven through the built CLI.
 */

const dir = mkdtempSync(join(tmpdir(), 'dbfork-hook-e2e-'));
const EVENTS = join(dir, 'events.jsonl');
const HOOKS = [
  'examples/hooks/mask.mjs',
  'test/fixtures/hooks/throws.mjs',
  'test/fixtures/hooks/records.mjs',
];

let app: OfflineProcess;
const cli = (...args: string[]) => runCli(app.apiUrl, args);

async function forkNow(ref: string): Promise<Fork> {
  const shown = await cli('show', ref, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return json<Fork>(shown);
}

/** The events the hooks that record them (records, throws) got, by fork id. */
function recordedEvents(): Record<string, unknown>[] {
  try {
    return readFileSync(EVENTS, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

describe('post-restore hooks offline (DBFORK_POST_RESTORE_HOOK), driven through the CLI', () => {
  beforeAll(async () => {
    app = await startOfflineProcess({
      env: { DBFORK_POST_RESTORE_HOOK: HOOKS.join(','), DBFORK_TEST_HOOK_EVENTS: EVENTS },
    });
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('names its hooks, the first the default', () => {
    expect(app.stdout()).toContain(
      '  hooks:    mask (default, examples/hooks/mask.mjs), throws (test/fixtures/hooks/throws.mjs), records (test/fixtures/hooks/records.mjs); another: dbfork create … --hook throws',
    );
  });

  it('runs the default hook (the example masking hook) before the fork is ready, and shows it', async () => {
    const result = await cli(
      'create',
      'orders-postgres',
      '--name',
      'masked',
      '--ttl',
      '2h',
      '--wait',
      '--json',
    );

    expect(result.code, result.stderr).toBe(0);
    const fork = json<Fork>(result);
    expect(forkSchema.safeParse(fork).error).toBeUndefined();
    expect(fork).toMatchObject({ status: 'ready', hook: { name: 'mask', status: 'succeeded' } });
    expect(fork.history?.map((h) => h.step)).toEqual(
      expect.arrayContaining(['rotating-credentials', 'running-hook', 'registering-dns', 'ready']),
    );
    // The example hook says what it would mask, on the offline mode's stderr (its logs).
    expect(app.stderr()).toContain(
      `mask: fork masked (postgres at ${fork.endpoint?.host}:${fork.endpoint?.port}): 2 statements`,
    );
    const shown = await cli('show', 'masked');
    expect(shown.stdout).toMatch(/\n {2}hook +mask: succeeded in \d+s \(/);
    expect(shown.stdout).toMatch(/running-hook +post-restore hook mask succeeded in/);
  });

  it('gives a hook the fork, never its password', async () => {
    const result = await cli(
      'create',
      'catalog-docdb',
      '--name',
      'recorded',
      '--hook',
      'records',
      '--wait',
      '--json',
    );

    expect(result.code, result.stderr).toBe(0);
    const fork = json<Fork>(result);
    expect(fork.hook).toMatchObject({ name: 'records', status: 'succeeded' });
    const [event] = recordedEvents().filter((e) => e.id === fork.id);
    expect(event).toMatchObject({
      trigger: 'create',
      hook: 'records',
      id: fork.id,
      name: 'recorded',
      endpoint: fork.endpoint?.host,
      port: fork.endpoint?.port,
      engine: 'docdb',
      secretArn: fork.secretArn,
      dnsName: fork.dnsName,
      source: { id: 'catalog-docdb', kind: 'docdb-cluster' },
    });
    const { password } = await secretIn(app.emulator, fork.secretArn ?? '');
    expect(JSON.stringify(event)).not.toContain(password);
  });

  it('runs the fork’s hook again when it is refreshed, on the new database, before it takes over', async () => {
    const result = await cli('refresh', 'recorded', '--wait', '--json');

    expect(result.code, result.stderr).toBe(0);
    const fork = json<Fork>(result);
    expect(fork.refresh).toMatchObject({
      state: 'succeeded',
      hook: { name: 'records', status: 'succeeded' },
    });
    const events = recordedEvents().filter((e) => e.id === fork.id);
    expect(events.map((e) => e.trigger)).toEqual(['create', 'refresh']);
    expect(events[1]).toMatchObject({
      hook: 'records',
      name: 'recorded',
      endpoint: fork.endpoint?.host,
      dnsName: fork.dnsName,
      secretArn: fork.secretArn,
    });
    expect(fork.databaseId).toBe(`${fork.id}-r1`);
    const { password } = await secretIn(app.emulator, fork.secretArn ?? '');
    expect(JSON.stringify(events[1])).not.toContain(password);
  }, 120_000);

  it('fails the fork when its hook throws, names the hook, and leaves nothing behind', async () => {
    const result = await cli('create', 'orders-postgres', '--name', 'unmasked', '--hook', 'throws', '--wait');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'post-restore hook throws failed: TypeError: masking unmasked failed: column customers.ssn does not exist',
    );
    const forks = json<{ forks: Fork[] }>(await cli('list', '--json')).forks;
    const failed = forks.find((f) => f.name === 'unmasked');
    if (!failed) throw new Error('the failed fork is not listed');
    const fork = await forkNow(failed.id);
    expect(fork).toMatchObject({
      status: 'failed',
      hook: { name: 'throws', status: 'failed' },
      error: {
        code: 'PostRestoreHookError',
        message:
          'post-restore hook throws failed: TypeError: masking unmasked failed: column customers.ssn does not exist',
      },
    });
    // The hook did get to run, once, on the database (which is gone now).
    expect(recordedEvents().filter((e) => e.id === fork.id)).toHaveLength(1);
    expect(fork.history?.map((h) => h.step)).not.toContain('registering-dns');
    expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
  });

  it('refuses a hook it does not allow, naming those it does, and creates nothing', async () => {
    const before = json<{ forks: Fork[] }>(await cli('list', '--json')).forks.length;

    const result = await cli('create', 'orders-postgres', '--name', 'sneaky', '--hook', 'drop-everything');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: post-restore hook "drop-everything" is not allowed (allowed: mask, throws, records)',
    );
    expect(json<{ forks: Fork[] }>(await cli('list', '--json')).forks).toHaveLength(before);
  });
});
