/**
 * Hostile input at every route: fast-check throws random and adversarial bodies,
 * ids, names, times, tags, headers and query strings at `createApi`. Every answer must be a 4xx
 * with exactly the `{error: {code, message, details}}` object (reads may also answer 200), never a
 * 5xx or a crash, and nothing may be written: no successful DynamoDB write, no workflow started,
 * no event published, no schedule touched. Every AWS client is strict, so a call no test expects
 * fails the request with a 500, which the properties would catch.
 *
 * RUNS inputs per route (see the summary test at the end for the exact count).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../lambdas/api/request.js';
import { FORK_NAME_PATTERN } from '../../../lambdas/core/ids.js';
import { TEST_ACCOUNT } from '../../support/runtime.js';
import { forkRecord, SOURCE_ARN, SOURCE_ID, snapshot, sourceInstance } from '../core/fixtures.js';
import { type ApiHarness, apiEvent, apiHarness, CALLER, givenRds, OTHER_CALLER } from './support.js';

const RUNS = 200;
const SEED = Number(process.env.DBFORK_FC_SEED ?? 20261121);

/** A live fork someone else owns, one the caller owns, and an existing database nobody may fork. */
const THEIRS = forkRecord({
  id: 'fork-th3irs000001',
  name: 'live-fork',
  owner: OTHER_CALLER,
  status: 'ready',
  step: 'ready',
  order: 100,
});
const MINE = forkRecord({
  id: 'fork-m1ne00000001',
  name: 'my-fork',
  owner: CALLER,
  status: 'ready',
  step: 'ready',
  order: 100,
});
const OTHER_DB = 'billing-prod';

interface Counted extends ApiHarness {
  /** DynamoDB writes that went through (a refused conditional write writes nothing). */
  writes: number;
  requests: Map<string, number>;
}

function harness(): Counted {
  const h = apiHarness({ env: { policy: { allowedSources: [SOURCE_ID] } } }) as Counted;
  h.writes = 0;
  h.requests = new Map();
  givenRds(
    h.mocks,
    [
      sourceInstance(),
      sourceInstance({
        DBInstanceIdentifier: OTHER_DB,
        DBInstanceArn: SOURCE_ARN.replace(SOURCE_ID, OTHER_DB),
      }),
    ],
    [
      snapshot(),
      snapshot({ DBSnapshotIdentifier: 'rds:billing-prod-2026-11-20-03-00', DBInstanceIdentifier: OTHER_DB }),
    ],
  );
  const forks = new Map([THEIRS, MINE].map((fork) => [fork.id, fork]));
  const names = new Map([THEIRS, MINE].map((fork) => [fork.name, fork.id]));
  h.mocks.dynamo?.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    const [kind, rest] = [input.Key.pk.split('#')[0], input.Key.pk.slice(input.Key.pk.indexOf('#') + 1)];
    if (kind === 'FORK' && forks.has(rest)) return { Item: { ...input.Key, ...forks.get(rest) } };
    if (kind === 'NAME' && names.has(rest)) return { Item: { ...input.Key, forkId: names.get(rest) } };
    return {};
  });
  h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [] });
  h.mocks.dynamo
    ?.on(TransactWriteCommand)
    .callsFake((input: { TransactItems: { Put?: { Item: { pk: string } } }[] }) => {
      // The name guard of a live fork is taken: the transaction is cancelled and writes nothing.
      if (input.TransactItems.some((item) => names.has(String(item.Put?.Item.pk).replace('NAME#', '')))) {
        throw new TransactionCanceledException({
          message:
            'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
        });
      }
      h.writes++;
      return {};
    });
  h.mocks.dynamo?.on(UpdateCommand).callsFake(() => {
    h.writes++;
    return {};
  });
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  return h;
}

/** What a hostile request must leave: no write, no workflow, no event, no schedule. */
function nothingWritten(h: Counted) {
  return {
    writes: h.writes,
    workflows: h.workflows.started.length,
    events: h.mocks.events.commandCalls(PutEventsCommand).length,
    schedules: h.mocks.scheduler.calls().length,
  };
}
const NOTHING = { writes: 0, workflows: 0, events: 0, schedules: 0 };

function isErrorObject(result: APIGatewayProxyResult): boolean {
  const body = JSON.parse(result.body) as { error?: Record<string, unknown> };
  return (
    Object.keys(body).join() === 'error' &&
    Object.keys(body.error ?? {}).join() === 'code,message,details' &&
    typeof body.error?.code === 'string' &&
    typeof body.error?.message === 'string' &&
    Array.isArray(body.error?.details)
  );
}

/** A refusal: 4xx with the error object. `reads` also accepts a 200 (a GET of something that exists). */
const answers = new Map<number, number>();

function expectRefused(result: APIGatewayProxyResult, options: { reads?: boolean } = {}): void {
  answers.set(result.statusCode, (answers.get(result.statusCode) ?? 0) + 1);
  if (options.reads && result.statusCode === 200) return;
  expect(result.statusCode, result.body).toBeGreaterThanOrEqual(400);
  expect(result.statusCode, result.body).toBeLessThan(500);
  expect(isErrorObject(result), result.body).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '%00',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe, literally
    '${jndi:x}',
    "' OR 1=1 --",
    '<script>',
    '🦀',
    'NaN',
  ),
);
const overLong = fc.integer({ min: 256, max: 5000 }).map((n) => 'a'.repeat(n));
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Names that must be refused: taken by a live fork, existing databases, fork-id look-alikes, too long, malformed. */
const badName = fc.oneof(
  fc.constantFrom(
    THEIRS.name,
    MINE.name,
    SOURCE_ID,
    OTHER_DB,
    'fork-abcdef123456',
    'Upper',
    'a--b',
    '-a',
    'a-',
    'a',
    'x'.repeat(41),
  ),
  fc.integer({ min: 41, max: 300 }).map((n) => `n${'x'.repeat(n)}`),
  anyString.filter((s) => !FORK_NAME_PATTERN.test(s)),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
);

const outsideWindow = fc
  .oneof(
    fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2026-11-13T03:59:59Z'),
      noInvalidDate: true,
    }),
    fc.date({
      min: new Date('2026-11-20T11:55:01Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
  )
  .map((d) => d.toISOString());

const badRestore = fc.oneof(
  // `rds:` snapshot ids that do not exist, or belong to another database, or are malformed
  fc.stringMatching(/^rds:[a-z][a-z0-9-]{0,30}$/).map((snapshotId) => ({ type: 'snapshot', snapshotId })),
  fc.constant({ type: 'snapshot', snapshotId: 'rds:billing-prod-2026-11-20-03-00' }),
  anyString.map((s) => ({ type: 'snapshot', snapshotId: `rds:${s}!` })),
  fc.constant({ type: 'snapshot' }),
  outsideWindow.map((time) => ({ type: 'point-in-time', time })),
  anyString.map((time) => ({ type: 'point-in-time', time: `${time}x` })),
  fc.constant({ type: 'point-in-time', time: '2026-11-19T00:00:00Z', latest: true }),
  fc.constant({ type: 'point-in-time' }),
  fc.constant({ type: 'point-in-time', latest: false }),
  fc.constant({ type: 'clone' }), // an RDS instance cannot be cloned
  anyString.map((type) => ({ type })),
  fc.record({ type: fc.constant('latest-backup'), extra: anyJson }),
  anyJson.filter((v) => v === null || typeof v !== 'object'),
);

const badTtl = fc.oneof(
  fc.constantFrom<Record<string, unknown>>(
    { ttlHours: 0 },
    { ttlHours: 721 },
    { ttlHours: -1 },
    { ttlHours: '24' },
    { ttlHours: 1.5 },
    { ttlHours: null },
    { ttlHours: 1e308 },
    { ttlMinutes: 0 },
    { ttlMinutes: 59 },
    { ttlMinutes: 43_201 },
    { ttlMinutes: '90' },
    { ttlHours: 2, ttlMinutes: 120 },
  ),
  fc.integer({ min: 721 }).map((ttlHours) => ({ ttlHours })),
  fc.integer({ max: 0 }).map((ttlHours) => ({ ttlHours })),
  fc.double({ noInteger: true }).map((ttlHours) => ({ ttlHours })),
  anyString.map((ttlHours) => ({ ttlHours })),
);

const badTags = fc.oneof(
  fc.constantFrom<unknown>(
    { 'dbfork:managed': 'true' },
    { 'dbfork:fork-id': 'fork-abcdef123456' },
    { 'aws:cloudformation:stack-name': 'x' },
    { 'DBFORK:managed': 'true' },
    { team: 7 },
    { '': 'x' },
    { team: 'x'.repeat(257) },
    { ['k'.repeat(129)]: 'v' },
    { 'bad\nkey': 'v' },
    'team=payments',
    ['team'],
    null,
  ),
  fc
    .integer({ min: 41, max: 80 })
    .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))),
);

const badOverrides = fc.oneof(
  fc.constantFrom<unknown>(
    { instanceClass: 'db.x' },
    { instanceClass: 'm5.large' },
    { instanceClass: 'db.r6g.large; DROP' },
    { multiAz: 'yes' },
    { storageType: 'magnetic-tape' },
    { iops: 1000 },
    { publiclyAccessible: true },
    null,
    'db.t4g.medium',
  ),
);

const ALLOWED_FIELDS = new Set(['source', 'name', 'restore', 'ttlHours', 'ttlMinutes', 'overrides', 'tags']);
const unknownField = fc
  .tuple(
    fc.oneof(
      anyString,
      fc.constantFrom('__proto__', 'constructor', 'owner', 'status', 'id', 'expiresAt', 'Source'),
    ),
    anyJson,
  )
  .filter(([key]) => !ALLOWED_FIELDS.has(key));

const badSource = fc.oneof(
  fc.constantFrom<unknown>(
    OTHER_DB,
    'no-such-db',
    `arn:aws:rds:us-east-1:${TEST_ACCOUNT}:db:no-such-db`,
    THEIRS.id,
    '',
    null,
    42,
  ),
  overLong,
  anyString,
);

/** One poison is enough to make a create invalid; a body carries one to three. */
const createPoison = fc.oneof(
  badName.map((name) => ({ name })),
  badRestore.map((restore) => ({ restore })),
  badTtl,
  badTags.map((tags) => ({ tags })),
  badOverrides.map((overrides) => ({ overrides })),
  unknownField.map(
    ([key, value]) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`) as object,
  ),
  badSource.map((source) => ({ source })),
);

const validCreate = fc.record(
  {
    name: fc.stringMatching(/^pr-[a-z0-9]{1,8}$/),
    ttlHours: fc.integer({ min: 1, max: 720 }),
    tags: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/), {
      maxKeys: 3,
    }),
  },
  { requiredKeys: [] },
);

const hostileCreateBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(validCreate, fc.array(createPoison, { minLength: 1, maxLength: 3 }))
      .map(([base, poisons]) =>
        // fromEntries, not Object.assign: a `__proto__` poison must stay an own (and so serialised) field.
        Object.fromEntries(
          [{ source: SOURCE_ID, ...base }, ...poisons].flatMap((part) => Object.entries(part)),
        ),
      ),
  },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: anyString },
);

const hostileHeaders = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'Idempotency-Key',
      'idempotency-key',
      'Content-Type',
      'X-Forwarded-For',
      'Authorization',
      'Host',
    ),
    fc.stringMatching(/^[A-Za-z-]{1,20}$/),
  ),
  fc.oneof(anyString, overLong),
  { maxKeys: 4 },
);

/** Idempotency-Key values the API must refuse. */
const badIdempotencyKey = fc.oneof(
  fc.constantFrom('', ' ', 'has space', 'tab\tkey', 'é', '🦀', 'k'.repeat(256)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !/^[\x21-\x7e]{1,255}$/.test(s)),
);

const hostileQuery = fc.dictionary(
  fc.oneof(
    fc.constantFrom('source', 'status', 'owner', 'tag', 'limit', 'nextToken', 'x', '__proto__'),
    anyString,
  ),
  fc.oneof(
    anyString,
    overLong,
    fc.constantFrom('0', '-1', '101', '1e2', '25.5', 'me', 'ready', 'team:', ':x', 'eyJwayI6IkZPUksjeCJ9'),
    fc.array(anyString, { minLength: 2, maxLength: 3 }),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
  ),
  { maxKeys: 4 },
);

/** Path ids: random, over-long, encoded, traversal, other people's forks, names of databases. */
const hostileId = fc.oneof(
  anyString.filter((s) => s !== '' && !s.includes('/')),
  overLong,
  fc.constantFrom(
    THEIRS.id,
    THEIRS.name,
    SOURCE_ID,
    OTHER_DB,
    'fork-000000000000',
    '..',
    '%2e%2e',
    '%2F',
    'fork-ABCDEF123456',
    'a'.repeat(65),
  ),
  fc.stringMatching(/^fork-[a-z0-9]{12}$/),
);

const patchPoison = fc.oneof(
  badTtl,
  fc.constantFrom<Record<string, unknown>>(
    {},
    { expiresAt: '2026-11-20T11:00:00Z' }, // in the past
    { expiresAt: '2026-11-20T12:01:00Z' }, // too soon
    { expiresAt: '2026-12-21T12:00:01Z' }, // beyond the max TTL
    { expiresAt: 'tomorrow' },
    { expiresAt: 1_790_000_000 },
    { ttlHours: 24, expiresAt: '2026-11-21T12:00:00Z' },
    { ttlHours: 24, owner: OTHER_CALLER },
    { status: 'deleted' },
  ),
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2026-11-20T12:04:59Z'),
      noInvalidDate: true,
    })
    .map((d) => ({ expiresAt: d.toISOString() })),
  fc
    .date({
      min: new Date('2026-12-20T12:00:01Z'),
      max: new Date('9999-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => ({ expiresAt: d.toISOString() })),
  unknownField
    .filter(([key]) => !['ttlHours', 'ttlMinutes', 'expiresAt'].includes(key))
    .map(([key, value]) => ({ ttlHours: 24, [key]: value ?? null })),
);

const hostilePatchBody = fc.oneof(
  { weight: 6, arbitrary: patchPoison },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: anyString },
);

const path = (id: string) => `/v1/forks/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------------------------
// Properties, one per route
// ---------------------------------------------------------------------------------------------

const generated = new Map<string, number>();
const count = (route: string) => generated.set(route, (generated.get(route) ?? 0) + 1);
const PARAMS = { numRuns: RUNS, seed: SEED };

describe(`hostile input at every route (${RUNS} inputs per route)`, () => {
  it('POST /v1/forks: refuses every poisoned body with a 4xx and writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(hostileCreateBody, hostileHeaders, fc.boolean(), async (body, headers, base64) => {
        count('POST /v1/forks');
        delete headers['Idempotency-Key'];
        delete headers['idempotency-key'];
        const raw = typeof body === 'string' ? body : JSON.stringify(body);
        expectRefused(await h.call('POST', '/v1/forks', { body: raw ?? 'null', headers, base64 }));
        expect(nothingWritten(h)).toEqual(NOTHING);
      }),
      PARAMS,
    );
  });

  it('POST /v1/forks: refuses a valid body with a bad Idempotency-Key or no IAM identity', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(validCreate, fc.oneof(badIdempotencyKey, fc.constant(null)), async (base, key) => {
        count('POST /v1/forks');
        const options = key === null ? { caller: null } : { headers: { 'Idempotency-Key': key } };
        expectRefused(
          await h.call('POST', '/v1/forks', { body: { source: SOURCE_ID, ...base }, ...options }),
        );
        expect(nothingWritten(h)).toEqual(NOTHING);
      }),
      { ...PARAMS, numRuns: RUNS / 4 },
    );
  });

  it('GET /v1/forks: answers 200 or a 4xx to any query and writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(hostileQuery, hostileHeaders, async (query, headers) => {
        count('GET /v1/forks');
        expectRefused(await h.call('GET', '/v1/forks', { query, headers }), { reads: true });
        expect(nothingWritten(h)).toEqual(NOTHING);
      }),
      PARAMS,
    );
  });

  it('GET /v1/forks/{id}: answers 200 or a 4xx to any id and writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(hostileId, hostileQuery, async (id, query) => {
        count('GET /v1/forks/{id}');
        expectRefused(await h.call('GET', path(id), { query }), { reads: true });
        expect(nothingWritten(h)).toEqual(NOTHING);
      }),
      PARAMS,
    );
  });

  it('PATCH /v1/forks/{id}: refuses hostile bodies and ids, and other people’s forks, with a 4xx; writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileId, fc.constant(MINE.id), fc.constant(MINE.name)),
        hostilePatchBody,
        hostileHeaders,
        async (id, body, headers) => {
          count('PATCH /v1/forks/{id}');
          const raw = typeof body === 'string' ? body : JSON.stringify(body);
          expectRefused(await h.call('PATCH', path(id), { body: raw ?? 'null', headers }));
          expect(nothingWritten(h)).toEqual(NOTHING);
        },
      ),
      PARAMS,
    );
  });

  it('PATCH /v1/forks/{id}: refuses even a valid body from someone who is not the owner', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(THEIRS.id, THEIRS.name),
        fc.integer({ min: 1, max: 720 }),
        async (id, ttlHours) => {
          count('PATCH /v1/forks/{id}');
          expectRefused(await h.call('PATCH', path(id), { body: { ttlHours } }));
          expect(nothingWritten(h)).toEqual(NOTHING);
        },
      ),
      { ...PARAMS, numRuns: RUNS / 4 },
    );
  });

  it('DELETE /v1/forks/{id}: refuses any id that is not the caller’s fork with a 4xx; writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(
        hostileId,
        fc.oneof(
          fc.constant(undefined),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        hostileQuery,
        async (id, body, query) => {
          count('DELETE /v1/forks/{id}');
          expectRefused(await h.call('DELETE', path(id), { query, ...(body ? { body } : {}) }));
          expect(nothingWritten(h)).toEqual(NOTHING);
        },
      ),
      PARAMS,
    );
  });

  it('GET /v1/sources: answers 200 or a 4xx to any query and writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(hostileQuery, hostileHeaders, async (query, headers) => {
        count('GET /v1/sources');
        expectRefused(await h.call('GET', '/v1/sources', { query, headers }), { reads: true });
        expect(nothingWritten(h)).toEqual(NOTHING);
      }),
      PARAMS,
    );
  });

  it('GET /v1/sources/{id}/backups: answers 200 or a 4xx to any id and query and writes nothing', async () => {
    const h = harness();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileId,
          fc.constantFrom(
            SOURCE_ID,
            SOURCE_ARN,
            OTHER_DB,
            `arn:aws:rds:us-east-1:${TEST_ACCOUNT}:cluster:nope`,
          ),
        ),
        hostileQuery,
        async (id, query) => {
          count('GET /v1/sources/{id}/backups');
          expectRefused(await h.call('GET', `/v1/sources/${encodeURIComponent(id)}/backups`, { query }), {
            reads: true,
          });
          expect(nothingWritten(h)).toEqual(NOTHING);
        },
      ),
      PARAMS,
    );
  });

  it('unknown routes and methods: 404 or 405 with the error object; nothing written', async () => {
    const h = harness();
    const method = fc.oneof(
      fc.constantFrom(
        'GET',
        'POST',
        'PATCH',
        'DELETE',
        'PUT',
        'HEAD',
        'OPTIONS',
        'TRACE',
        'CONNECT',
        'get',
        '',
      ),
      fc.stringMatching(/^[A-Z]{1,10}$/),
    );
    const segment = fc.oneof(
      anyString,
      fc.constantFrom('v1', 'forks', 'sources', 'backups', 'v2', MINE.id, '..', '%2F'),
    );
    // The API's own paths with the wrong method (405), next to random ones (404).
    const KNOWN_PATHS = fc.constantFrom(
      ['v1', 'forks'],
      ['v1', 'sources'],
      ['v1', 'forks', MINE.id],
      ['v1', 'sources', SOURCE_ID, 'backups'],
    );
    const known = new Set(['GET /v1/forks', 'POST /v1/forks', 'GET /v1/sources']);
    await fc.assert(
      fc.asyncProperty(
        method,
        fc.oneof(fc.array(segment, { maxLength: 5 }), KNOWN_PATHS),
        async (verb, parts) => {
          const target = `/${parts.map(encodeURIComponent).join('/')}`;
          fc.pre(
            !known.has(`${verb.toUpperCase()} ${target}`) &&
              !/^\/v1\/(forks\/[^/]+|sources\/[^/]+\/backups)$/.test(target),
          );
          count('unknown routes/methods');
          const result = await h.call(verb, target, { body: '{}' });
          expectRefused(result);
          expect([404, 405]).toContain(result.statusCode);
          expect(nothingWritten(h)).toEqual(NOTHING);
        },
      ),
      PARAMS,
    );
  });
});

describe('named hostile cases', () => {
  const create = (h: Counted, body: unknown, options: Record<string, unknown> = {}) =>
    h.call('POST', '/v1/forks', { body, ...options });
  const cases: [string, unknown, number, string][] = [
    ['a name taken by a live fork', { source: SOURCE_ID, name: THEIRS.name }, 409, 'name_taken'],
    [
      'a name that is an existing database (the source)',
      { source: SOURCE_ID, name: SOURCE_ID },
      409,
      'name_taken',
    ],
    ['a name that is another existing database', { source: SOURCE_ID, name: OTHER_DB }, 409, 'name_taken'],
    [
      'a name that looks like a fork id',
      { source: SOURCE_ID, name: 'fork-abcdef123456' },
      400,
      'validation_failed',
    ],
    ['an over-long name', { source: SOURCE_ID, name: `n${'x'.repeat(40)}` }, 400, 'validation_failed'],
    ['an over-long source identifier', { source: `a${'b'.repeat(255)}` }, 400, 'validation_failed'],
    [
      'an over-long snapshot id',
      { source: SOURCE_ID, restore: { type: 'snapshot', snapshotId: `rds:${'s'.repeat(255)}` } },
      400,
      'validation_failed',
    ],
    [
      'an `rds:` snapshot id that does not exist',
      { source: SOURCE_ID, restore: { type: 'snapshot', snapshotId: 'rds:orders-prod-1999-01-01-00-00' } },
      400,
      'backup_not_found',
    ],
    [
      'an `rds:` snapshot of another database',
      { source: SOURCE_ID, restore: { type: 'snapshot', snapshotId: 'rds:billing-prod-2026-11-20-03-00' } },
      400,
      'backup_not_found',
    ],
    [
      'an `rds:` snapshot id with bad characters',
      { source: SOURCE_ID, restore: { type: 'snapshot', snapshotId: 'rds:../x' } },
      400,
      'validation_failed',
    ],
    [
      'a time before the restorable window',
      { source: SOURCE_ID, restore: { type: 'point-in-time', time: '2026-11-13T03:59:59Z' } },
      400,
      'outside_restore_window',
    ],
    [
      'a time after the restorable window',
      { source: SOURCE_ID, restore: { type: 'point-in-time', time: '2026-11-20T11:56:00Z' } },
      400,
      'outside_restore_window',
    ],
    [
      'a time in the future',
      { source: SOURCE_ID, restore: { type: 'point-in-time', time: '2030-01-01T00:00:00Z' } },
      400,
      'outside_restore_window',
    ],
    ['ttlHours 0', { source: SOURCE_ID, ttlHours: 0 }, 400, 'validation_failed'],
    ['ttlHours 721', { source: SOURCE_ID, ttlHours: 721 }, 400, 'validation_failed'],
    ['ttlHours -1', { source: SOURCE_ID, ttlHours: -1 }, 400, 'validation_failed'],
    ['ttlHours "24"', { source: SOURCE_ID, ttlHours: '24' }, 400, 'validation_failed'],
    ['ttlHours 1.5', { source: SOURCE_ID, ttlHours: 1.5 }, 400, 'validation_failed'],
    ['an unknown field', { source: SOURCE_ID, owner: OTHER_CALLER }, 400, 'validation_failed'],
    ['a reserved tag', { source: SOURCE_ID, tags: { 'dbfork:managed': 'false' } }, 400, 'validation_failed'],
    ['a source that is not allow-listed', { source: OTHER_DB }, 403, 'source_not_allowed'],
    ['a source that does not exist', { source: 'no-such-db' }, 404, 'source_not_found'],
  ];

  it.each(cases)('POST /v1/forks with %s → %i %s, nothing written', async (_what, body, status, code) => {
    const h = harness();
    const result = await create(h, body);
    expect({
      status: result.statusCode,
      code: (JSON.parse(result.body) as { error: { code: string } }).error.code,
    }).toEqual({ status, code });
    expectRefused(result);
    expect(nothingWritten(h)).toEqual(NOTHING);
  });

  it.each([
    ['POST', '/v1/forks'],
    ['PATCH', `/v1/forks/${MINE.id}`],
    ['DELETE', `/v1/forks/${MINE.id}`],
    ['GET', '/v1/forks'],
  ])('%s %s with a body over 64 KiB → 413, nothing written', async (method, target) => {
    const h = harness();
    const huge = JSON.stringify({ source: SOURCE_ID, tags: { pad: 'x'.repeat(MAX_BODY_BYTES) } });
    const result = await h.call(method, target, { body: huge });
    expect(result.statusCode).toBe(413);
    expectRefused(result);
    expect(nothingWritten(h)).toEqual(NOTHING);
  });

  it('the same hostile request through the raw event shape: a null path, method and headers', async () => {
    const h = harness();
    const event = {
      ...apiEvent('GET', '/v1/forks'),
      path: null,
      httpMethod: null,
      headers: null,
      multiValueHeaders: null,
    } as unknown as Parameters<typeof h.api>[0];
    expectRefused(await h.api(event));
    expect(nothingWritten(h)).toEqual(NOTHING);
  });
});

afterAll(() => {
  // The counts this file generated per route, and the answers they got, for the closing note.
  console.info(`hostile inputs per route: ${JSON.stringify(Object.fromEntries(generated))}`);
  console.info(`answers by status: ${JSON.stringify(Object.fromEntries([...answers].sort()))}`);
  // The properties reached the domain checks, not only the schema: refusals of every kind occurred.
  for (const status of [400, 403, 404, 405, 409, 413]) expect(answers.get(status) ?? 0).toBeGreaterThan(0);
});
