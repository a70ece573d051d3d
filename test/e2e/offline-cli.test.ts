import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backups, Fork, Source } from '../../cli/http.js';
import { backupsSchema, forkSchema, sourceListSchema } from '../../lambdas/api/openapi/response-schemas.js';
import { setEmulatorConfigAt } from '../../local/emulator-config.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { deployedStackEnv } from './deployed-stack.js';
import { leftovers, NOTHING_LEFT, secretIn } from './leftovers.js';

/**
 * The README's quick start, as a user types it: `npm run local` (a child process on a free port,
 * starting its own moto), then only the built CLI (`node dist/cli.mjs … --api <url>`) and plain
 * HTTP. A look at the emulator checks that deleted and expired forks leave nothing behind.
 */

/** The demo sources `npm run local` seeds, one per engine. */
const DEMO_SOURCES = [
  { id: 'orders-postgres', kind: 'rds-instance', short: 'rds' },
  { id: 'analytics-aurora', kind: 'aurora-cluster', short: 'aurora' },
  { id: 'catalog-docdb', kind: 'docdb-cluster', short: 'docdb' },
] as const;
/** Every seeded source: the above and the production-shaped MySQL one (test/e2e/production-sources.test.ts). */
const SEEDED_IDS = [...DEMO_SOURCES.map((s) => s.id), 'shop-mysql'];

const DOMAIN = 'forks.dbfork.internal';
const LOCAL_USER = 'arn:aws:iam::123456789012:user/local-developer';
const MALLORY = 'arn:aws:iam::123456789012:user/mallory';

let app: OfflineProcess;
const cli = (...args: string[]) => runCli(app.apiUrl, args);

async function forkNow(ref: string): Promise<Fork> {
  const shown = await cli('show', ref, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return json<Fork>(shown);
}

async function allForks(): Promise<Fork[]> {
  return json<{ forks: Fork[] }>(await cli('list', '--json')).forks;
}

/** Started first: its minute runs while the other tests do. */
let blink: Fork;
const created = new Map<string, Fork>();

describe('dbfork offline (npm run local), driven through the CLI', () => {
  beforeAll(async () => {
    app = await startOfflineProcess();
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('answers GET /v1/health and prints how to try it', async () => {
    const response = await fetch(`${app.apiUrl}/v1/health`);

    expect(response.status).toBe(200);
    // …and names its emulator, where `dbfork connect` reads fork secrets.
    expect(await response.json()).toEqual({ status: 'ok', awsEndpoint: app.emulator });
    expect(app.stdout()).toContain(`export DBFORK_API_URL=${app.apiUrl}`);
    expect(app.stdout()).toContain('dbfork create orders-postgres --name demo --ttl 90m --wait');
  });

  it('accepts a fork with a one-minute TTL', async () => {
    const result = await cli('create', 'orders-postgres', '--name', 'blink', '--ttl', '1m', '--json');

    expect(result.code, result.stderr).toBe(0);
    blink = json<Fork>(result);
    expect(blink).toMatchObject({ name: 'blink', status: 'creating', owner: LOCAL_USER });
    expect(Date.parse(blink.expiresAt) - Date.parse(blink.createdAt)).toBe(60_000);
  });

  it('lists the seeded demo sources, each forkable, with their snapshots', async () => {
    const listed = json<{ sources: Source[] }>(await cli('sources', '--json'));
    expect(sourceListSchema.safeParse(listed).error).toBeUndefined();
    const { sources } = listed;

    expect(sources.map((s) => [s.id, s.kind, s.allowed])).toEqual(
      expect.arrayContaining(DEMO_SOURCES.map((s) => [s.id, s.kind, true])),
    );
    for (const source of DEMO_SOURCES) {
      const backups = json<Backups>(await cli('backups', source.id, '--json'));
      expect(backupsSchema.safeParse(backups).error).toBeUndefined();
      expect(backups.backups.map((b) => b.type)).toEqual(expect.arrayContaining(['manual', 'automated']));
    }
    const human = await cli('sources');
    expect(human.stdout).toMatch(/^SOURCE +KIND +ENGINE +STATUS +FORKABLE/);
    // Without --api nor DBFORK_API_URL, the CLI asks CloudFormation for the deployed stack's ApiUrl.
    const viaStack = await runCli(
      undefined,
      ['sources', '--json'],
      await deployedStackEnv(app.emulator, app.apiUrl),
    );
    expect(viaStack.code, viaStack.stderr).toBe(0);
    expect(
      json<{ sources: Source[] }>(viaStack)
        .sources.map((s) => s.id)
        .sort(),
    ).toEqual(sources.map((s) => s.id).sort());
    // The options may come before the command too.
    const first = await runCli(app.apiUrl, ['--json', 'sources'], {}, { apiFirst: true });
    expect(first.code, first.stderr).toBe(0);
    // (the same sources; their latest restorable time moves on between the two calls)
    const ids = (list: Source[]) => list.map((s) => s.id).sort();
    expect(ids(json<{ sources: Source[] }>(first).sources)).toEqual(ids(sources));
  });

  it.each(DEMO_SOURCES)('creates a fork of $id ($kind) with --wait, showing its progress', async (source) => {
    const name = `e2e-${source.short}`;
    // RDS events end a wait as soon as the restore does: a restore that outlasts the CLI's one-second
    // progress poll, so `restoring` is on screen.
    await setEmulatorConfigAt(app.emulator, { delaysMs: { restore: 2_500 } });
    const result = await cli(
      'create',
      source.id,
      '--name',
      name,
      '--ttl',
      '2h',
      '--tag',
      'suite=e2e',
      '--wait',
      '--json',
    );

    expect(result.code, result.stderr).toBe(0);
    const fork = json<Fork>(result);
    // The answer is what the OpenAPI document says a fork is.
    expect(forkSchema.safeParse(fork).error).toBeUndefined();
    expect(fork).toMatchObject({
      name,
      status: 'ready',
      progress: 100,
      source: { id: source.id, kind: source.kind },
      dnsName: `${name}.${DOMAIN}`,
      tags: { suite: 'e2e' },
      owner: LOCAL_USER,
    });
    expect(fork.endpoint?.host).toEqual(expect.any(String));
    expect(fork.secretArn).toMatch(/^arn:aws:secretsmanager:/);
    // No terminal: one plain progress line per step, then the outcome.
    expect(result.stderr).toMatch(new RegExp(`${name}: creating · restoring · \\d+%`));
    expect(result.stderr).toMatch(new RegExp(`✓ ${name} ready after`));
    created.set(source.id, fork);

    // Connect as a user would: the fork's secret, read by the CLI from the emulator.
    const secret = await secretIn(app.emulator, fork.secretArn ?? '');
    const url = await cli('connect', name, '--url');
    expect(url.code, url.stderr).toBe(0);
    const parsed = new URL(url.stdout.trim());
    expect(parsed.protocol).toBe(source.kind === 'docdb-cluster' ? 'mongodb:' : 'postgresql:');
    expect(parsed.hostname).toBe(fork.endpoint?.host);
    expect(decodeURIComponent(parsed.password)).toBe(secret.password);
    const env = await cli('connect', name, '--env');
    expect(env.stdout).toContain(source.kind === 'docdb-cluster' ? 'MONGODB_URI=' : `PGPASSWORD='`);
    const plain = await cli('connect', name);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`host:      ${fork.endpoint?.host}`);
    expect(plain.stdout).not.toContain(secret.password);
  });

  it('lists, shows, extends and deletes a fork', async () => {
    const fork = created.get('orders-postgres');
    if (!fork) throw new Error('the orders-postgres fork was not created');

    const listed = await allForks();
    expect(listed.map((f) => f.name)).toEqual(expect.arrayContaining(['blink', 'e2e-rds']));
    const bySource = json<{ forks: Fork[] }>(
      await cli('list', '--source', 'orders-postgres', '--status', 'ready', '--json'),
    );
    expect(bySource.forks.map((f) => f.name)).toContain('e2e-rds');
    const table = await cli('list');
    expect(table.stdout).toMatch(/^NAME +ID +SOURCE +STATUS/);
    expect(table.stdout).toMatch(/e2e-rds +fork-\w+ +orders-postgres +ready/);
    const theirs = json<{ forks: Fork[] }>(
      await runCli(app.apiUrl, ['list', '--mine', '--json', '--principal', MALLORY]),
    );
    expect(theirs.forks).toEqual([]);

    const shown = await cli('show', 'e2e-rds');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`e2e-rds (${fork.id})  ready`);
    expect(shown.stdout).toContain(`dns name  e2e-rds.${DOMAIN}`);
    expect(shown.stdout).toContain('history:');

    const before = Date.now();
    const extended = await cli('extend', 'e2e-rds', '--ttl', '2d', '--json');
    expect(extended.code, extended.stderr).toBe(0);
    const expiresIn = Date.parse(json<Fork>(extended).expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(48 * 3_600_000 - 60_000);
    expect(expiresIn).toBeLessThan(48 * 3_600_000 + 60_000);

    // Only the owner (or an admin) may delete it.
    const refused = await runCli(app.apiUrl, ['delete', 'e2e-rds', '--yes', '--principal', MALLORY]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: only the fork's owner (${LOCAL_USER})`);
    expect((await forkNow(fork.id)).status).toBe('ready');

    // Without a terminal and without --yes, nothing is deleted.
    const unconfirmed = await cli('delete', 'e2e-rds');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('hint: pass --yes');
    expect((await forkNow(fork.id)).status).toBe('ready');

    const deleted = await cli('delete', 'e2e-rds', '--yes', '--wait', '--json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(json<Fork>(deleted)).toMatchObject({ id: fork.id, status: 'deleted' });
    const history = (await forkNow(fork.id)).history?.map((h) => h.step);
    expect(history).toEqual(
      expect.arrayContaining(['removing-dns', 'deleting-database', 'deleting-secret', 'deleted']),
    );
    expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
  });

  it('refuses a bad source, a bad time and a bad TTL with a clear message, and changes nothing', async () => {
    const before = await allForks();

    const cases: [string[], number, RegExp][] = [
      [
        ['create', 'no-such-db', '--name', 'bad-source'],
        1,
        /error: no RDS instance, Aurora cluster or DocumentDB cluster named "no-such-db"\nhint: list the databases you can fork: dbfork sources/,
      ],
      [
        ['create', 'orders-postgres', '--name', 'bad-time', '--from', 'time:2001-01-01T00:00:00Z'],
        1,
        /error: 2001-01-01T00:00:00Z is outside orders-postgres's restorable window .*\nhint: dbfork backups orders-postgres shows the restorable window/,
      ],
      [
        ['create', 'orders-postgres', '--name', 'bad-time-2', '--from', 'time:yesterday'],
        2,
        /error: --from time:yesterday is not an ISO-8601 time with a zone; give e\.g\. time:2026-11-20T10:00:00Z/,
      ],
      [
        ['create', 'orders-postgres', '--name', 'bad-ttl', '--ttl', '31d'],
        1,
        /error: invalid request body: ttlHours: must be at most 720 \(30 days, the longest TTL dbfork allows\)/,
      ],
      [
        ['create', 'orders-postgres', '--name', 'bad-ttl-2', '--ttl', '0m'],
        2,
        /error: TTL "0m" must be longer than zero/,
      ],
      [
        ['create', 'orders-postgres', '--name', 'bad-ttl-3', '--ttl', 'soon'],
        2,
        /error: TTL "soon" is not a duration/,
      ],
    ];
    // By id: the body is refused before the fork is looked at, whether blink is still live or not.
    cases.push([
      ['extend', blink.id, '--ttl', '800h'],
      1,
      /error: invalid request body: ttlHours: must be at most 720/,
    ]);
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }

    // Plain HTTP: a TTL under the minimum and two TTLs at once are 400s with an error object.
    const zero = await fetch(`${app.apiUrl}/v1/forks`, {
      method: 'POST',
      body: JSON.stringify({ source: 'orders-postgres', name: 'bad-http', ttlMinutes: 0 }),
    });
    expect(zero.status).toBe(400);
    expect(((await zero.json()) as { error: unknown }).error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'ttlMinutes' }],
    });
    const both = await fetch(`${app.apiUrl}/v1/forks/blink`, {
      method: 'PATCH',
      body: JSON.stringify({ ttlHours: 1, ttlMinutes: 60 }),
    });
    expect(both.status).toBe(400);

    const after = await allForks();
    expect(after.map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(after.map((f) => f.name)).not.toContain('bad-source');
    const blinkNow = after.find((f) => f.id === blink.id);
    expect(blinkNow?.expiresAt).toBe(blink.expiresAt);
  });

  it('deletes the one-minute fork once it expires, leaving nothing behind', async () => {
    const deadline = Date.parse(blink.expiresAt) + 45_000;
    let fork = await forkNow(blink.id);
    while (fork.status !== 'deleted' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      fork = await forkNow(blink.id);
    }

    expect(fork.status).toBe('deleted');
    expect(Date.parse(fork.deletedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(blink.expiresAt));
    expect(fork.history?.map((h) => h.step)).toEqual(
      expect.arrayContaining(['ready', 'removing-dns', 'deleted']),
    );
    expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
    const live = json<{ forks: Fork[] }>(await cli('list', '--status', 'ready', '--json')).forks;
    expect(live.map((f) => f.name)).not.toContain('blink');
  }, 150_000);

  it('serves a running emulator given by DBFORK_AWS_ENDPOINT, starting and seeding none, and leaves it running', async () => {
    const second = await startOfflineProcess({ env: { DBFORK_AWS_ENDPOINT: app.emulator } });
    try {
      expect(second.emulator).toBe(app.emulator);
      expect(second.stdout()).not.toContain('started for this run');
      expect(second.stderr()).not.toContain('seeding demo sources');
      // The same emulator, so the same sources (tagged dbfork:allow-fork=true) and the same fork table.
      const sources = json<{ sources: Source[] }>(await runCli(second.apiUrl, ['sources', '--json'])).sources;
      expect(
        sources
          .filter((s) => s.allowed)
          .map((s) => s.id)
          .sort(),
      ).toEqual([...SEEDED_IDS].sort());
      const forks = json<{ forks: Fork[] }>(await runCli(second.apiUrl, ['list', '--json'])).forks;
      expect(forks.map((f) => f.id)).toContain(blink.id);
    } finally {
      await second.stop();
    }
    const emulator = await fetch(`${app.emulator}/moto-api/config`);
    expect(emulator.ok).toBe(true);
  }, 150_000);

  it('stops on SIGTERM, and stops the emulator it started', async () => {
    await app.stop();

    const refused = (url: string) =>
      fetch(url).then(
        () => false,
        () => true,
      );
    expect(await refused(`${app.apiUrl}/v1/health`)).toBe(true);
    expect(await refused(`${app.emulator}/moto-api/config`)).toBe(true);
  });
});
