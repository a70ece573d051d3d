import { describe, expect, it } from 'vitest';
import type { ForkSecret } from '../../../cli/connection.js';
import type { Deps, Io } from '../../../cli/context.js';
import { ApiClient, type Fork } from '../../../cli/http.js';
import { runCli } from '../../../cli/program.js';

/** The CLI driven in-process: a fake terminal and a fetch that records requests and answers from a script. */

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Responder = (sent: Sent) => { status: number; body: unknown };

const NOW = new Date('2026-11-20T12:00:00Z');

function fork(overrides: Partial<Fork> = {}): Fork {
  return {
    id: 'fork-abcdef123456',
    name: 'pr-1',
    source: { id: 'orders-postgres', kind: 'rds-instance', engine: 'postgres' },
    restore: { requested: { type: 'latest-backup' } },
    status: 'creating',
    step: 'resolving-source',
    progress: 0,
    owner: 'arn:aws:iam::123456789012:user/local-developer',
    createdAt: '2026-11-20T12:00:00.000Z',
    expiresAt: '2026-11-21T12:00:00.000Z',
    ...overrides,
  };
}

function harness(
  respond: Responder,
  options: { tty?: boolean; answer?: string; secrets?: Record<string, ForkSecret>; exitCode?: number } = {},
) {
  const sent: Sent[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stderrIsTTY: options.tty ?? false,
    stdinIsTTY: options.tty ?? false,
    prompt: async (q) => {
      prompts.push(q);
      return options.answer ?? '';
    },
    env: {},
    now: () => NOW,
    sleep: async () => {},
  };
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const entry: Sent = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(entry);
    const { status, body } = respond(entry);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const secretsRead: string[] = [];
  const execs: { command: string; args: string[]; env: Record<string, string> }[] = [];
  const deps: Deps = {
    io,
    connect: async (opts) =>
      new ApiClient({
        baseUrl: opts.api ?? 'http://127.0.0.1:3000',
        fetch: fakeFetch,
        principal: opts.principal,
      }),
    secrets: async () => async (arn) => {
      secretsRead.push(arn);
      const secret = options.secrets?.[arn];
      if (!secret) throw new Error(`no secret ${arn}`);
      return secret;
    },
    exec: async (command, args, env) => {
      execs.push({ command, args, env });
      return options.exitCode ?? 0;
    },
  };
  return {
    sent,
    prompts,
    secretsRead,
    execs,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    run: (...args: string[]) => runCli(args, deps),
  };
}

const accepted: Responder = (s) => ({
  status: 202,
  body: fork({ name: (s.body as { name?: string })?.name ?? 'pr-1' }),
});

describe('dbfork create', () => {
  it('sends the options as the create body: restore, TTL, overrides, tags', async () => {
    const h = harness(accepted);

    const code = await h.run(
      'create',
      'orders-postgres',
      '--name',
      'pr-1',
      '--from',
      'time:2026-11-20T10:00:00Z',
      '--ttl',
      '90m',
      '--instance-class',
      'db.t4g.medium',
      '--tag',
      'team=payments',
      '--tag',
      'pr=1',
      '--principal',
      'arn:aws:iam::123456789012:user/alice',
      '--idempotency-key',
      'ci-run-7',
    );

    expect(code).toBe(0);
    expect(h.sent).toEqual([
      {
        method: 'POST',
        url: 'http://127.0.0.1:3000/v1/forks',
        headers: expect.objectContaining({
          'content-type': 'application/json',
          'idempotency-key': 'ci-run-7',
          'x-dbfork-principal': 'arn:aws:iam::123456789012:user/alice',
        }),
        body: {
          source: 'orders-postgres',
          name: 'pr-1',
          restore: { type: 'point-in-time', time: '2026-11-20T10:00:00Z' },
          ttlMinutes: 90,
          overrides: { instanceClass: 'db.t4g.medium' },
          tags: { team: 'payments', pr: '1' },
        },
      },
    ]);
    expect(h.stdout()).toContain('dbfork wait pr-1');
  });

  it('defaults to the latest backup and the configured TTL, and sends whole hours as ttlHours', async () => {
    const h = harness(accepted);

    await h.run('create', 'orders-postgres');
    await h.run('create', 'orders-postgres', '--ttl', '2d', '--from', 'latest-time');

    expect(h.sent.map((s) => s.body)).toEqual([
      { source: 'orders-postgres', restore: { type: 'latest-backup' } },
      { source: 'orders-postgres', restore: { type: 'point-in-time', latest: true }, ttlHours: 48 },
    ]);
  });

  it('sends storage type, iops and Multi-AZ overrides, and refuses iops that are not a number', async () => {
    const h = harness(accepted);

    await h.run('create', 'orders', '--storage-type', 'io2', '--iops', '12000', '--multi-az');
    const bad = await h.run('create', 'orders', '--iops', 'lots');

    expect(h.sent.map((s) => s.body)).toEqual([
      {
        source: 'orders',
        restore: { type: 'latest-backup' },
        overrides: { storageType: 'io2', iops: 12000, multiAz: true },
      },
    ]);
    expect({ code: bad, stderr: h.stderr() }).toEqual({
      code: 2,
      stderr: expect.stringContaining('--iops "lots"'),
    });
  });

  it('sends a snapshot id that itself contains colons whole (automated rds: snapshots, snapshot ARNs)', async () => {
    const h = harness(accepted);
    const arn = 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-2026-11-30-03-10';

    await h.run('create', 'orders', '--from', 'snapshot:rds:orders-2026-11-30-03-10');
    await h.run('create', 'orders', '--from', `snapshot:${arn}`);

    expect(h.sent.map((s) => s.body)).toEqual([
      { source: 'orders', restore: { type: 'snapshot', snapshotId: 'rds:orders-2026-11-30-03-10' } },
      { source: 'orders', restore: { type: 'snapshot', snapshotId: arn } },
    ]);
  });

  it('sends --hook as the post-restore hook to run, and shows which hook ran and how', async () => {
    const h = harness(accepted);
    await h.run('create', 'orders-postgres', '--hook', 'seed-demo-data');
    expect(h.sent.map((s) => s.body)).toEqual([
      { source: 'orders-postgres', restore: { type: 'latest-backup' }, hook: 'seed-demo-data' },
    ]);

    const shown = harness(() => ({
      status: 200,
      body: fork({
        status: 'failed',
        step: 'failed',
        hook: {
          name: 'seed-demo-data',
          status: 'failed',
          startedAt: '2026-11-20T11:58:00.000Z',
          finishedAt: '2026-11-20T11:58:12.500Z',
          durationMs: 12_500,
        },
        error: { code: 'PostRestoreHookError', message: 'post-restore hook seed-demo-data failed: boom' },
      }),
    }));
    await shown.run('show', 'pr-1');
    expect(shown.stdout()).toContain('  hook     seed-demo-data: failed in 13s (2026-11-20 11:58:00Z)\n');
    expect(shown.stdout()).toContain(
      '  error    PostRestoreHookError: post-restore hook seed-demo-data failed: boom',
    );
  });

  it('prints only the fork as JSON with --json', async () => {
    const h = harness(accepted);

    await h.run('create', 'orders-postgres', '--json');

    expect(JSON.parse(h.stdout())).toMatchObject({ id: 'fork-abcdef123456', status: 'creating' });
  });

  it.each([
    [['--ttl', '5x'], 'TTL "5x" is not a duration'],
    [['--from', 'yesterday'], '--from "yesterday" is not one of'],
    [['--tag', 'team'], '--tag "team" is not key=value'],
  ])('refuses %o before sending anything, with exit code 2', async (args, message) => {
    const h = harness(accepted);

    expect(await h.run('create', 'orders-postgres', ...args)).toBe(2);
    expect(h.stderr()).toContain(message);
    expect(h.sent).toEqual([]);
  });

  it("prints the API's message with a hint and exits 1 when the API refuses", async () => {
    const h = harness(() => ({
      status: 404,
      body: { error: { code: 'source_not_found', message: 'no RDS instance named "nope"', details: [] } },
    }));

    expect(await h.run('create', 'nope')).toBe(1);
    expect(h.stderr()).toBe(
      'error: no RDS instance named "nope"\nhint: list the databases you can fork: dbfork sources\n',
    );
  });

  it('prints the error as JSON on stdout with --json', async () => {
    const h = harness(() => ({
      status: 400,
      body: {
        error: { code: 'validation_failed', message: 'bad', details: [{ path: 'ttlHours', message: 'x' }] },
      },
    }));

    expect(await h.run('create', 'orders-postgres', '--json')).toBe(1);
    expect(JSON.parse(h.stdout())).toEqual({
      error: {
        code: 'validation_failed',
        status: 400,
        message: 'bad',
        details: [{ path: 'ttlHours', message: 'x' }],
        hint: 'see the options: dbfork create --help',
      },
    });
  });

  it('with --wait, follows the fork to ready, printing a plain line per step without a terminal', async () => {
    const states = [
      fork({ status: 'creating', step: 'restoring', progress: 25 }),
      fork({ status: 'creating', step: 'restoring', progress: 25 }),
      fork({ status: 'creating', step: 'registering-dns', progress: 85 }),
      fork({ status: 'ready', step: 'ready', progress: 100, dnsName: 'pr-1.forks.example.internal' }),
    ];
    const h = harness((s) =>
      s.method === 'POST' ? { status: 202, body: fork() } : { status: 200, body: states.shift() },
    );

    expect(await h.run('create', 'orders-postgres', '--wait')).toBe(0);

    const lines = h.stderr().trim().split('\n');
    expect(lines).toEqual([
      'Creating pr-1 (fork-abcdef123456) from the latest backup of orders-postgres',
      expect.stringMatching(/\] pr-1: creating · resolving-source · 0%$/),
      expect.stringMatching(/\] pr-1: creating · restoring · 25%$/),
      expect.stringMatching(/\] pr-1: creating · registering-dns · 85%$/),
      expect.stringMatching(/\] pr-1: ready$/),
      expect.stringMatching(/^✓ pr-1 ready after /),
    ]);
    expect(h.stdout()).toContain('pr-1.forks.example.internal');
    expect(h.sent.slice(1).every((s) => s.url.endsWith('/v1/forks/fork-abcdef123456'))).toBe(true);
  });
});

describe('dbfork wait', () => {
  it('redraws one line on a terminal', async () => {
    const states = [
      fork({ step: 'restoring', progress: 25 }),
      fork({ status: 'ready', step: 'ready', progress: 100 }),
    ];
    const h = harness(() => ({ status: 200, body: states.shift() }), { tty: true });

    expect(await h.run('wait', 'pr-1')).toBe(0);

    expect(h.stderr()).toContain('\r\x1b[2K');
    expect(h.stderr()).toMatch(/pr-1 {2}creating · restoring · 25%/);
    expect(
      h
        .stderr()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    ).toHaveLength(1);
  });

  it('exits 1 printing the cause when the fork fails', async () => {
    const failed = fork({
      status: 'failed',
      step: 'failed',
      progress: 100,
      error: { code: 'InjectedFaultError', message: 'restore failed: quota' },
      history: [
        { at: '2026-11-20T12:00:00Z', step: 'restoring', status: 'creating', message: 'restoring' },
        { at: '2026-11-20T12:00:01Z', step: 'cleaning-up', status: 'creating', message: 'cleaning up' },
        { at: '2026-11-20T12:00:02Z', step: 'failed', status: 'failed', message: 'failed' },
      ],
    });
    const h = harness(() => ({ status: 200, body: failed }));

    expect(await h.run('wait', 'pr-1')).toBe(1);
    expect(h.stderr()).toContain(
      'error: fork pr-1 failed while restoring: restore failed: quota (InjectedFaultError)',
    );
  });
});

describe('dbfork list / extend', () => {
  it('passes --source, --status and --mine (owner=me) and follows every page', async () => {
    const pages = [
      { forks: [fork({ name: 'a' })], nextToken: 'page-2' },
      { forks: [fork({ name: 'b', id: 'fork-bbbbbbbbbbbb' })] },
    ];
    const h = harness(() => ({ status: 200, body: pages.shift() }));

    await h.run('list', '--source', 'orders-postgres', '--status', 'ready', '--mine', '--json');

    expect(h.sent.map((s) => s.url)).toEqual([
      'http://127.0.0.1:3000/v1/forks?source=orders-postgres&status=ready&owner=me&limit=100',
      'http://127.0.0.1:3000/v1/forks?source=orders-postgres&status=ready&owner=me&limit=100&nextToken=page-2',
    ]);
    expect(JSON.parse(h.stdout()).forks.map((f: Fork) => f.name)).toEqual(['a', 'b']);
  });

  it('extends with the TTL in the right unit', async () => {
    const h = harness(() => ({ status: 200, body: fork({ status: 'ready' }) }));

    await h.run('extend', 'pr-1', '--ttl', '90m');
    await h.run('extend', 'pr-1', '--ttl', '48h');

    expect(h.sent.map((s) => [s.method, s.url, s.body])).toEqual([
      ['PATCH', 'http://127.0.0.1:3000/v1/forks/pr-1', { ttlMinutes: 90 }],
      ['PATCH', 'http://127.0.0.1:3000/v1/forks/pr-1', { ttlHours: 48 }],
    ]);
  });

  it('needs --ttl to extend', async () => {
    const h = harness(() => ({ status: 200, body: fork() }));

    expect(await h.run('extend', 'pr-1')).not.toBe(0);
    expect(h.stderr()).toContain("required option '--ttl <duration>' not specified");
    expect(h.sent).toEqual([]);
  });
});

describe('dbfork delete', () => {
  const answer: Responder = (s) => ({
    status: s.method === 'DELETE' ? 202 : 200,
    body: fork({ status: 'ready' }),
  });

  it('refuses without --yes when there is no terminal to ask on, deleting nothing', async () => {
    const h = harness(answer);

    expect(await h.run('delete', 'pr-1')).toBe(2);
    expect(h.stderr()).toContain('hint: pass --yes');
    expect(h.sent).toEqual([]);
  });

  it("asks to type the fork's name on a terminal and deletes when it matches", async () => {
    const h = harness(answer, { tty: true, answer: 'pr-1' });

    expect(await h.run('delete', 'fork-abcdef123456')).toBe(0);
    expect(h.prompts[0]).toContain('Type pr-1 to confirm');
    expect(h.sent.map((s) => s.method)).toEqual(['GET', 'DELETE']);
  });

  it('deletes nothing when the typed name does not match', async () => {
    const h = harness(answer, { tty: true, answer: 'pr-2' });

    expect(await h.run('delete', 'pr-1')).toBe(1);
    expect(h.stderr()).toContain('nothing was deleted');
    expect(h.sent.map((s) => s.method)).toEqual(['GET']);
  });

  it('deletes at once with --yes', async () => {
    const h = harness(answer);

    expect(await h.run('delete', 'pr-1', '--yes')).toBe(0);
    expect(h.sent.map((s) => [s.method, s.url])).toEqual([['DELETE', 'http://127.0.0.1:3000/v1/forks/pr-1']]);
  });
});

describe('--help', () => {
  it.each(['create', 'list', 'show', 'wait', 'extend', 'refresh', 'delete', 'sources', 'backups'])(
    'shows options and examples for %s',
    async (command) => {
      const h = harness(accepted);

      expect(await h.run(command, '--help')).toBe(0);
      expect(h.stdout()).toContain(`Usage: dbfork ${command}`);
      expect(h.stdout()).toContain('--json');
      expect(h.stdout()).toContain('Examples:');
    },
  );
});

describe('options before the command', () => {
  it('takes --api, --principal and --json before the command as after it', async () => {
    const list: Responder = () => ({ status: 200, body: { forks: [fork()] } });
    const before = harness(list);
    const after = harness(list);

    const codes = [
      await before.run(
        '--api',
        'http://forks.example:8080',
        '--principal',
        'arn:aws:iam::123456789012:user/bob',
        '--json',
        'list',
      ),
      await after.run(
        'list',
        '--api',
        'http://forks.example:8080',
        '--principal',
        'arn:aws:iam::123456789012:user/bob',
        '--json',
      ),
    ];

    expect(codes).toEqual([0, 0]);
    expect(before.sent.map((s) => s.url)).toEqual(['http://forks.example:8080/v1/forks?limit=100']);
    expect(before.sent).toEqual(after.sent);
    expect(before.stdout()).toBe(after.stdout());
    expect(JSON.parse(before.stdout())).toMatchObject({ forks: [{ id: 'fork-abcdef123456' }] });
  });

  it("lets the command's own option win over the one before it", async () => {
    const h = harness(() => ({ status: 200, body: fork() }));

    await h.run('--api', 'http://before.example', 'show', 'pr-1', '--api', 'http://after.example');

    expect(h.sent.map((s) => s.url)).toEqual(['http://after.example/v1/forks/pr-1']);
  });

  it('shows examples in the help of every command', async () => {
    for (const command of [
      'create',
      'list',
      'show',
      'connect',
      'wait',
      'extend',
      'delete',
      'sources',
      'backups',
    ]) {
      const h = harness(() => ({ status: 500, body: {} }));
      await h.run(command, '--help');
      expect(h.stdout(), command).toContain(`Examples:\n  $ dbfork ${command}`);
    }
  });
});

describe('dbfork connect', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/fork-abcdef123456-AbCdEf';
  const PG: ForkSecret = {
    engine: 'postgres',
    host: 'fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com',
    port: 5432,
    username: 'app',
    password: 's3cr:t/p@ss',
    dbname: 'orders',
    dnsName: 'pr-1.forks.example.internal',
  };
  const ready = () => ({
    status: 200,
    body: fork({ status: 'ready', secretArn: SECRET_ARN, dnsName: PG.dnsName }),
  });

  it('prints where to connect but never the password without being asked', async () => {
    const h = harness(ready, { secrets: { [SECRET_ARN]: PG } });

    expect(await h.run('connect', 'pr-1')).toBe(0);

    expect(h.secretsRead).toEqual([SECRET_ARN]);
    expect(h.stdout()).toContain('host:      fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com');
    expect(h.stdout()).toContain('dbname:    orders');
    expect(h.stdout()).not.toContain(PG.password);
    const json = harness(ready, { secrets: { [SECRET_ARN]: PG } });
    await json.run('connect', 'pr-1', '--json');
    expect(JSON.parse(json.stdout())).toMatchObject({ host: PG.host, port: 5432, secretArn: SECRET_ARN });
    expect(json.stdout()).not.toContain(PG.password);
  });

  it('prints the URI with --url and the variables with --env, the password escaped and quoted', async () => {
    const url = harness(ready, { secrets: { [SECRET_ARN]: PG } });
    const env = harness(ready, { secrets: { [SECRET_ARN]: PG } });

    await url.run('connect', 'pr-1', '--url');
    await env.run('connect', 'pr-1', '--env');

    expect(url.stdout()).toBe(
      'postgresql://app:s3cr%3At%2Fp%40ss@fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com:5432/orders?sslmode=require\n',
    );
    expect(env.stdout()).toContain("PGPASSWORD='s3cr:t/p@ss'\n");
    expect(env.stdout()).toContain("PGHOST='fork-abcdef123456.cxyz.us-east-1.rds.amazonaws.com'");
    expect(env.stdout()).toMatch(/^DATABASE_URL='postgresql:\/\/app:/);
  });

  it('runs psql with the password in its environment, never on its command line', async () => {
    const h = harness(ready, { secrets: { [SECRET_ARN]: PG } });

    expect(await h.run('connect', 'pr-1', '--psql')).toBe(0);

    expect(h.execs).toHaveLength(1);
    expect(h.execs[0]?.command).toBe('psql');
    expect(h.execs[0]?.args.join(' ')).not.toContain(PG.password);
    expect(h.execs[0]?.env).toMatchObject({ PGPASSWORD: PG.password, PGHOST: PG.host, PGDATABASE: 'orders' });
  });

  it('refuses the wrong client for the engine, and two modes at once', async () => {
    const wrong = harness(ready, { secrets: { [SECRET_ARN]: PG } });
    const both = harness(ready, { secrets: { [SECRET_ARN]: PG } });

    expect(await wrong.run('connect', 'pr-1', '--mongosh')).toBe(2);
    expect(wrong.stderr()).toContain('use --psql, not --mongosh');
    expect(wrong.execs).toEqual([]);
    expect(await both.run('connect', 'pr-1', '--url', '--env')).not.toBe(0);
    expect(both.secretsRead).toEqual([]);
  });

  it('says to wait for a fork that is not ready, reading no secret', async () => {
    const h = harness(() => ({ status: 200, body: fork({ status: 'creating' }) }), { secrets: {} });

    expect(await h.run('connect', 'pr-1', '--url')).toBe(1);

    expect(h.stderr()).toContain('fork pr-1 is creating');
    expect(h.stderr()).toContain('hint: dbfork wait pr-1');
    expect(h.secretsRead).toEqual([]);
  });
});

describe('dbfork refresh', () => {
  const ready = fork({ status: 'ready', step: 'ready', progress: 100 });
  const refreshing = (state: NonNullable<Fork['refresh']>['state'], step = 'restoring', extra = {}) =>
    fork({
      ...ready,
      refresh: {
        state,
        attempt: 2,
        step,
        startedAt: '2026-11-20T12:00:00.000Z',
        databaseId: 'fork-abcdef123456-r2',
        previousDatabaseId: 'fork-abcdef123456-r1',
        restore: { requested: { type: 'latest-backup' } },
        ...extra,
      },
    });

  it('posts the restore and TTL, and with --wait follows the refresh to the end', async () => {
    const states = [
      refreshing('switching', 'switching'),
      refreshing('retiring', 'deleting the old database'),
    ];
    const done = { ...refreshing('succeeded', 'done'), databaseId: 'fork-abcdef123456-r2' };
    const h = harness((s) =>
      s.method === 'POST'
        ? { status: 202, body: refreshing('running') }
        : { status: 200, body: states.shift() ?? done },
    );

    const code = await h.run(
      'refresh',
      'pr-1',
      '--from',
      'snapshot:orders-manual-1',
      '--ttl',
      '48h',
      '--wait',
    );

    expect(code, h.stderr()).toBe(0);
    expect(h.sent[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/v1/forks/pr-1/refresh',
      body: { restore: { type: 'snapshot', snapshotId: 'orders-manual-1' }, ttlHours: 48 },
    });
    expect(h.stderr()).toContain('refreshing · switching · switching');
    expect(h.stderr()).toContain('refreshing · retiring · deleting the old database');
    expect(h.stderr()).toMatch(/✓ pr-1 refreshed after .*: fork-abcdef123456-r2 serves it/);
    expect(h.stdout()).toContain('database  fork-abcdef123456-r2');
  });

  it('exits 1 with the cause when the refresh fails, saying the old database still serves', async () => {
    const failed = refreshing('failed', 'failed', {
      error: { code: 'RestoreFailedError', message: 'restore-error' },
    });
    const h = harness((s) =>
      s.method === 'POST' ? { status: 202, body: refreshing('running') } : { status: 200, body: failed },
    );

    expect(await h.run('refresh', 'pr-1', '--wait')).toBe(1);
    expect(h.stderr()).toContain('error: the refresh of pr-1 failed: restore-error (RestoreFailedError)');
    expect(h.stderr()).toContain('hint: fork-abcdef123456-r1 still serves the fork');
  });

  it('sets and removes the recurring refresh without refreshing now', async () => {
    const h = harness((s) => ({
      status: 200,
      body: fork({
        ...ready,
        ...((s.body as { refreshSchedule?: string }).refreshSchedule
          ? { refreshSchedule: 'cron(0 3 * * ? *)' }
          : {}),
      }),
    }));

    expect(await h.run('refresh', 'pr-1', '--schedule', 'cron(0 3 * * ? *)')).toBe(0);
    expect(await h.run('refresh', 'pr-1', '--no-schedule')).toBe(0);
    expect(h.sent.map((s) => [s.method, s.body])).toEqual([
      ['PATCH', { refreshSchedule: 'cron(0 3 * * ? *)' }],
      ['PATCH', { refreshSchedule: null }],
    ]);
    expect(h.stdout()).toContain('refreshes on cron(0 3 * * ? *) (UTC)');
    expect(h.stdout()).toContain('has no recurring refresh');
  });

  it('sends --refresh-schedule with a create', async () => {
    const h = harness(accepted);
    expect(await h.run('create', 'orders-postgres', '--refresh-schedule', 'cron(0 3 * * ? *)')).toBe(0);
    expect(h.sent[0]?.body).toMatchObject({ refreshSchedule: 'cron(0 3 * * ? *)' });
  });
});
