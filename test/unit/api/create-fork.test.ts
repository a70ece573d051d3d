import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { RdsInstanceEngine } from '../../../lambdas/core/engines/rds-instance.js';
import { EngineRegistry } from '../../../lambdas/core/engines/registry.js';
import { createForkBodySchema, type PublicFork } from '../../../lambdas/core/fork.js';
import { hashBody } from '../../../lambdas/core/store.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { TEST_DOMAIN, TEST_NOW, type TestEnvOverrides } from '../../support/runtime.js';
import { forkRecord, SOURCE_ARN, SOURCE_ID, snapshot, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiHarness,
  bodyOf,
  CALLER,
  declaredEngine,
  expectError,
  givenOrderable,
  givenRds,
  orderableRows,
  updatesOf,
} from './support.js';

const TABLE = 'dbfork-test';
const KEY = 'c0ffee-1';
const idempotencyKey = { pk: `IDEMPOTENCY#${CALLER}#${KEY}`, sk: 'IDEMPOTENCY' };

let h: ApiHarness;

function setup(env: TestEnvOverrides = {}) {
  h = apiHarness({ env });
  givenRds(
    h.mocks,
    [
      sourceInstance(),
      sourceInstance({
        DBInstanceIdentifier: 'billing-prod',
        DBInstanceArn: SOURCE_ARN.replace(SOURCE_ID, 'billing-prod'),
      }),
      sourceInstance({
        DBInstanceIdentifier: 'fork-000000000001',
        TagList: [{ Key: TAG.managed, Value: 'true' }],
      }),
      sourceInstance({
        DBInstanceIdentifier: 'orders-staging',
        DBInstanceStatus: 'modifying',
        TagList: [{ Key: TAG.allowFork, Value: 'true' }],
      }),
    ],
    [
      snapshot(),
      snapshot({ DBSnapshotIdentifier: 'orders-manual-1', SnapshotType: 'manual' }),
      snapshot({ DBSnapshotIdentifier: 'billing-manual-1', DBInstanceIdentifier: 'billing-prod' }),
      snapshot({ DBSnapshotIdentifier: 'orders-manual-2', Status: 'creating' }),
    ],
  );
  h.mocks.dynamo?.on(GetCommand, { Key: idempotencyKey }).resolves({});
  h.mocks.dynamo?.on(TransactWriteCommand).resolves({});
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
}

beforeEach(() => setup());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  h.call('POST', '/v1/forks', { body, headers });

function writes() {
  return h.mocks.dynamo?.commandCalls(TransactWriteCommand).map((call) => call.args[0].input) ?? [];
}

/** The fork record of the first create transaction. */
function writtenRecord(): Record<string, unknown> | undefined {
  return writes()[0]?.TransactItems?.[0]?.Put?.Item as Record<string, unknown> | undefined;
}

function expectNothingStarted() {
  expect(writes()).toEqual([]);
  expect(h.workflows.started).toEqual([]);
  expect(h.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
  expect(h.metrics).toEqual([]);
}

describe('POST /v1/forks', () => {
  it('writes the record, name guard and idempotency item, starts the workflow and answers 202 when the request is valid', async () => {
    const body = { source: SOURCE_ID, name: 'pr-1234', ttlHours: 48, tags: { team: 'payments' } };

    const result = await post(body, { 'Idempotency-Key': KEY });

    expect(result.statusCode).toBe(202);
    const fork = bodyOf<PublicFork>(result);
    expect(result.headers?.location).toBe(`/v1/forks/${fork.id}`);
    expect(fork).toEqual({
      id: expect.stringMatching(/^fork-[a-z0-9]{12}$/),
      name: 'pr-1234',
      source: { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' },
      restore: { requested: { type: 'latest-backup' } },
      overrides: {},
      status: 'creating',
      step: 'resolving-source',
      progress: 0,
      owner: CALLER,
      createdAt: TEST_NOW,
      updatedAt: TEST_NOW,
      expiresAt: '2026-11-22T12:00:00.000Z',
      dnsName: `pr-1234.${TEST_DOMAIN}`,
      tags: { team: 'payments' },
      history: [
        {
          at: TEST_NOW,
          step: 'resolving-source',
          status: 'creating',
          message: `requested by ${CALLER}: fork of ${SOURCE_ID} from latest-backup`,
        },
      ],
      databaseId: fork.id,
      lineage: { sourceId: SOURCE_ID, sourceArn: SOURCE_ARN, refreshes: [] },
    });
    // Counted (and announced) by the workflow's first step, resolve-source.
    expect(h.metrics).toEqual([]);
    const record = {
      ...fork,
      sourceRef: SOURCE_ID,
      order: 0,
      ttlHours: 48,
      ttlMinutes: 2880,
    } as Record<string, unknown>;
    // The public fork's lineage and databaseId are derived; the record has neither.
    delete record.lineage;
    delete record.databaseId;
    expect(writes()).toEqual([
      {
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: {
                pk: `FORK#${fork.id}`,
                sk: 'FORK',
                ...record,
                sourceId: SOURCE_ID,
                createdKey: `${TEST_NOW}#${fork.id}`,
                liveKey: 'LIVE',
                quotaSlots: [`QUOTA#OWNER#${CALLER}`, `QUOTA#SOURCE#${SOURCE_ID}`],
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { pk: 'NAME#pr-1234', sk: 'NAME', forkId: fork.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: {
                ...idempotencyKey,
                forkId: fork.id,
                bodyHash: hashBody(createForkBodySchema.parse(body)),
                ttl: Date.parse(TEST_NOW) / 1000 + 86400,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...[`QUOTA#OWNER#${CALLER}`, `QUOTA#SOURCE#${SOURCE_ID}`].map((pk, i) => ({
            Update: {
              TableName: TABLE,
              Key: { pk, sk: 'QUOTA' },
              UpdateExpression: 'ADD #live :one',
              ConditionExpression: 'attribute_not_exists(#live) OR #live < :max',
              ExpressionAttributeNames: { '#live': 'live' },
              // the default policy: 10 live forks per owner, 20 per source
              ExpressionAttributeValues: { ':one': 1, ':max': i === 0 ? 10 : 20 },
            },
          })),
        ],
      },
    ]);
    expect(h.workflows.started).toEqual([{ kind: 'create', forkId: fork.id }]);
    // `Fork Requested` is the workflow's first step's to announce (resolve-source), not the route's.
    expect(h.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
  });

  it('names the fork after its id and uses the default TTL when neither is given', async () => {
    const result = await post({ source: SOURCE_ARN });

    const fork = bodyOf<PublicFork>(result);
    expect({
      status: result.statusCode,
      name: fork.name,
      dnsName: fork.dnsName,
      expiresAt: fork.expiresAt,
    }).toEqual({
      status: 202,
      name: fork.id,
      dnsName: `${fork.id}.${TEST_DOMAIN}`,
      expiresAt: '2026-11-21T12:00:00.000Z',
    });
    // record, name guard and the two quota slots; no idempotency item without the header
    expect(writes()[0]?.TransactItems?.map((item) => Object.keys(item)[0])).toEqual([
      'Put',
      'Put',
      'Update',
      'Update',
    ]);
  });

  it('replays the first fork without writing or starting anything when the same key and body come again', async () => {
    const body = { source: SOURCE_ID, name: 'pr-1234' };
    const first = forkRecord({ name: 'pr-1234' });
    h.mocks.dynamo?.on(GetCommand, { Key: idempotencyKey }).resolves({
      Item: { ...idempotencyKey, forkId: first.id, bodyHash: hashBody(createForkBodySchema.parse(body)) },
    });
    h.mocks.dynamo?.on(GetCommand, { Key: { pk: `FORK#${first.id}`, sk: 'FORK' } }).resolves({ Item: first });

    const result = await post(body, { 'idempotency-key': KEY });

    expect(result.statusCode).toBe(202);
    expect(result.headers?.['idempotent-replayed']).toBe('true');
    expect(bodyOf<PublicFork>(result).id).toBe(first.id);
    expectNothingStarted();
  });

  it('answers 409 when the idempotency key was used with another body', async () => {
    h.mocks.dynamo?.on(GetCommand, { Key: idempotencyKey }).resolves({
      Item: { ...idempotencyKey, forkId: 'fork-abcdef123456', bodyHash: 'hash-of-another-body' },
    });

    const error = expectError(
      await post({ source: SOURCE_ID, ttlHours: 2 }, { 'Idempotency-Key': KEY }),
      409,
      'idempotency_key_reused',
    );

    expect(error.details).toEqual([
      { path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' },
    ]);
    expectNothingStarted();
  });

  it('answers 400 when the Idempotency-Key header is not printable ASCII', async () => {
    expectError(await post({ source: SOURCE_ID }, { 'Idempotency-Key': 'clé é' }), 400, 'validation_failed');
    expectNothingStarted();
  });

  it('answers 409 naming the name when a live fork already uses it', async () => {
    h.mocks.dynamo?.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );

    const error = expectError(await post({ source: SOURCE_ID, name: 'pr-1234' }), 409, 'name_taken');

    expect(error.message).toContain('"pr-1234"');
    expect(h.workflows.started).toEqual([]);
  });

  describe('refuses bad bodies with 400 and writes nothing', () => {
    it.each([
      ['malformed JSON', '{"source": "orders-prod"', 'invalid_json', ''],
      ['a JSON array', '[1, 2]', 'invalid_json', ''],
      ['a JSON string', '"orders-prod"', 'invalid_json', ''],
      ['JSON null', 'null', 'invalid_json', ''],
      ['an empty body', '', 'invalid_json', ''],
      ['an unknown field', { source: SOURCE_ID, colour: 'blue' }, 'validation_failed', 'colour'],
      [
        'an unknown restore field',
        { source: SOURCE_ID, restore: { type: 'clone', at: 'now' } },
        'validation_failed',
        'restore.at',
      ],
      ['a missing source', { name: 'pr-1' }, 'validation_failed', 'source'],
      [
        'a bad restore type',
        { source: SOURCE_ID, restore: { type: 'yesterday' } },
        'validation_failed',
        'restore.type',
      ],
      ['ttlHours 0', { source: SOURCE_ID, ttlHours: 0 }, 'validation_failed', 'ttlHours'],
      ['ttlHours 721', { source: SOURCE_ID, ttlHours: 721 }, 'validation_failed', 'ttlHours'],
      ['ttlHours 1.5', { source: SOURCE_ID, ttlHours: 1.5 }, 'validation_failed', 'ttlHours'],
      ['ttlHours "24"', { source: SOURCE_ID, ttlHours: '24' }, 'validation_failed', 'ttlHours'],
      ['ttlMinutes 0', { source: SOURCE_ID, ttlMinutes: 0 }, 'validation_failed', 'ttlMinutes'],
      ['ttlMinutes 90.5', { source: SOURCE_ID, ttlMinutes: 90.5 }, 'validation_failed', 'ttlMinutes'],
      [
        'both ttlHours and ttlMinutes',
        { source: SOURCE_ID, ttlHours: 2, ttlMinutes: 120 },
        'validation_failed',
        'ttlMinutes',
      ],
      ['a name with capitals', { source: SOURCE_ID, name: 'PR-1234' }, 'validation_failed', 'name'],
      [
        'a name shaped like a fork id',
        { source: SOURCE_ID, name: 'fork-abcdef123456' },
        'validation_failed',
        'name',
      ],
      [
        'a reserved tag key',
        { source: SOURCE_ID, tags: { 'dbfork:owner': 'me' } },
        'validation_failed',
        'tags.dbfork:owner',
      ],
      [
        'a PITR without time',
        { source: SOURCE_ID, restore: { type: 'point-in-time' } },
        'validation_failed',
        'restore',
      ],
      ['a source that is no identifier', { source: 'orders prod; drop' }, 'validation_failed', 'source'],
    ])('when the body has %s', async (_case, body, code, path) => {
      const error = expectError(await post(body), 400, code);

      expect(error.details[0]?.path).toBe(path);
      expect(h.mocks.rds.calls()).toEqual([]);
      expectNothingStarted();
    });

    it('names every unknown field and says what is missing', async () => {
      const error = expectError(await post({ colour: 'blue', size: 3 }), 400, 'validation_failed');

      expect(error.details).toEqual([
        { path: 'source', message: 'is required' },
        { path: 'colour', message: 'unknown field' },
        { path: 'size', message: 'unknown field' },
      ]);
    });
  });

  it('answers 404 when the source does not exist', async () => {
    const error = expectError(await post({ source: 'nope-prod' }), 404, 'source_not_found');

    expect(error.message).toContain('"nope-prod"');
    expectNothingStarted();
  });

  it('answers 403 with how to allow it when the source is not allow-listed', async () => {
    const error = expectError(await post({ source: 'billing-prod' }), 403, 'source_not_allowed');

    expect(error.message).toContain('allowedSources');
    expect(error.message).toContain(`${TAG.allowFork}=true`);
    expectNothingStarted();
  });

  it('answers 403 when the source is itself a dbfork fork', async () => {
    setup({ policy: { allowedSources: [SOURCE_ID, 'fork-000000000001'] } });

    expectError(await post({ source: 'fork-000000000001' }), 403, 'source_not_allowed');
    expectNothingStarted();
  });

  it('answers 409 when a fresh snapshot is asked of a source that is not available', async () => {
    const error = expectError(
      await post({ source: 'orders-staging', restore: { type: 'fresh-snapshot' } }),
      409,
      'source_not_available',
    );

    expect(error.message).toContain('modifying');
    expectNothingStarted();
  });

  it('answers 400 naming the engines that can clone when the source is an RDS instance', async () => {
    h.rt.engines = new EngineRegistry([
      new RdsInstanceEngine(h.rt.aws.rds),
      declaredEngine('aurora-cluster', [
        'latest-backup',
        'snapshot',
        'point-in-time',
        'clone',
        'fresh-snapshot',
      ]),
      declaredEngine('docdb-cluster', [
        'latest-backup',
        'snapshot',
        'point-in-time',
        'clone',
        'fresh-snapshot',
      ]),
    ]);

    const error = expectError(
      await post({ source: SOURCE_ID, restore: { type: 'clone' } }),
      400,
      'unsupported_restore',
    );

    expect(error.message).toContain('Aurora clusters and DocumentDB clusters');
    expect(error.details).toEqual([
      {
        path: 'restore.type',
        message: 'unsupported for rds-instance',
        supportedBy: ['aurora-cluster', 'docdb-cluster'],
        supported: ['latest-backup', 'snapshot', 'point-in-time', 'fresh-snapshot'],
      },
    ]);
    expectNothingStarted();
  });

  it('answers 400 with the restorable window when the point in time is outside it', async () => {
    const body = { source: SOURCE_ID, restore: { type: 'point-in-time', time: '2026-11-01T00:00:00Z' } };

    const error = expectError(await post(body), 400, 'outside_restore_window');

    expect(error.details).toEqual([
      {
        path: 'restore.time',
        message: 'outside the restorable window',
        earliestRestorableTime: '2026-11-13T04:00:00.000Z',
        latestRestorableTime: '2026-11-20T11:55:00.000Z',
      },
    ]);
    expectNothingStarted();
  });

  it('accepts a point in time inside the window', async () => {
    const body = { source: SOURCE_ID, restore: { type: 'point-in-time', time: '2026-11-19T10:00:00+01:00' } };

    const result = await post(body);

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result).restore).toEqual({ requested: body.restore });
  });

  it('accepts a snapshot of the source', async () => {
    const result = await post({
      source: SOURCE_ID,
      restore: { type: 'snapshot', snapshotId: 'orders-manual-1' },
    });

    expect(result.statusCode).toBe(202);
  });

  it.each([
    ['does not exist', 'orders-missing', 'snapshot not found'],
    ['belongs to another database', 'billing-manual-1', 'snapshot belongs to another database'],
    ['is still being created', 'orders-manual-2', 'snapshot not available'],
  ])('answers 400 when the snapshot %s', async (_case, snapshotId, message) => {
    const error = expectError(
      await post({ source: SOURCE_ID, restore: { type: 'snapshot', snapshotId } }),
      400,
      'backup_not_found',
    );

    expect(error.details[0]).toMatchObject({ path: 'restore.snapshotId', message });
    expectNothingStarted();
  });

  it('answers 400 naming the maximum when ttlHours exceeds the configured max TTL', async () => {
    setup({ policy: { allowedSources: [SOURCE_ID], ttl: { defaultHours: 24, maxHours: 72 } } });

    const error = expectError(await post({ source: SOURCE_ID, ttlHours: 73 }), 400, 'validation_failed');

    expect(error.message).toBe('ttlHours 73 exceeds the maximum TTL of 72 hours');
    expect(error.details).toEqual([{ path: 'ttlHours', message: 'must be at most 72', maxHours: 72 }]);
    expectNothingStarted();
  });

  it('takes a TTL in minutes and keeps it with the record, rounded up to whole hours too', async () => {
    const result = await post({ source: SOURCE_ID, ttlMinutes: 90 });

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result).expiresAt).toBe('2026-11-20T13:30:00.000Z');
    expect(bodyOf(result)).not.toHaveProperty('ttlMinutes');
    expect(writtenRecord()).toMatchObject({
      expiresAt: '2026-11-20T13:30:00.000Z',
      ttlHours: 2,
      ttlMinutes: 90,
    });
  });

  it('uses the default TTL of the policy when the body names none', async () => {
    await post({ source: SOURCE_ID });

    expect(writtenRecord()).toMatchObject({
      expiresAt: '2026-11-21T12:00:00.000Z',
      ttlHours: 24,
      ttlMinutes: 1440,
    });
  });

  it('answers 400 naming the minimum when ttlMinutes is below ttl.minMinutes (60 by default)', async () => {
    const error = expectError(await post({ source: SOURCE_ID, ttlMinutes: 30 }), 400, 'validation_failed');

    expect(error.message).toBe('ttlMinutes 30 is below the minimum TTL of 60 minutes');
    expect(error.details).toEqual([{ path: 'ttlMinutes', message: 'must be at least 60', minMinutes: 60 }]);
    expectNothingStarted();
  });

  it('answers 400 naming the maximum when ttlMinutes exceeds the configured max TTL', async () => {
    setup({ policy: { allowedSources: [SOURCE_ID], ttl: { defaultHours: 24, maxHours: 72 } } });

    const error = expectError(await post({ source: SOURCE_ID, ttlMinutes: 4321 }), 400, 'validation_failed');

    expect(error.message).toBe('ttlMinutes 4321 exceeds the maximum TTL of 72 hours (4320 minutes)');
    expect(error.details).toEqual([
      { path: 'ttlMinutes', message: 'must be at most 4320', maxHours: 72, maxMinutes: 4320 },
    ]);
    expectNothingStarted();
  });

  it('accepts a one-minute TTL when the policy allows it (the offline mode sets ttl.minMinutes 1)', async () => {
    setup({ policy: { allowedSources: [SOURCE_ID], ttl: { minMinutes: 1 } } });

    const result = await post({ source: SOURCE_ID, ttlMinutes: 1 });

    expect(result.statusCode).toBe(202);
    expect(writtenRecord()).toMatchObject({
      expiresAt: '2026-11-20T12:01:00.000Z',
      ttlHours: 1,
      ttlMinutes: 1,
    });
  });

  it('answers 400 naming the minimum when ttlHours is below a minimum TTL of more than an hour', async () => {
    setup({ policy: { allowedSources: [SOURCE_ID], ttl: { minMinutes: 120 } } });

    const error = expectError(await post({ source: SOURCE_ID, ttlHours: 1 }), 400, 'validation_failed');

    expect(error.message).toBe(
      'ttlHours 1 is below the minimum TTL of 2 hours (120 minutes); give at least 2',
    );
    expect(error.details).toEqual([{ path: 'ttlHours', message: 'must be at least 2', minMinutes: 120 }]);
    expectNothingStarted();
  });

  describe('with an instance class allow-list', () => {
    beforeEach(() =>
      setup({
        policy: {
          allowedSources: [SOURCE_ID],
          quotas: { allowedInstanceClasses: ['db.t4g.medium', 'db.t4g.large'] },
        },
      }),
    );

    it('answers 400 listing the allowed classes when the requested class is not on it', async () => {
      const error = expectError(
        await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.r6g.4xlarge' } }),
        400,
        'validation_failed',
      );

      expect(error.details).toEqual([
        {
          path: 'overrides.instanceClass',
          message: 'instance class not allowed',
          allowed: ['db.t4g.medium', 'db.t4g.large'],
        },
      ]);
      expect(h.mocks.rds.calls()).toEqual([]);
    });

    it("answers 400 when no class is requested and the source's own class is not on it", async () => {
      const error = expectError(await post({ source: SOURCE_ID }), 400, 'validation_failed');

      expect(error.message).toContain('db.r6g.large');
      expectNothingStarted();
    });

    it('accepts a class on the list', async () => {
      givenOrderable(h.mocks, orderableRows('postgres', '16.4', ['db.t4g.medium', 'db.t4g.large']));

      const result = await post({ source: SOURCE_ID, overrides: { instanceClass: 'db.t4g.medium' } });

      expect({ status: result.statusCode, overrides: bodyOf<PublicFork>(result).overrides }).toEqual({
        status: 202,
        overrides: { instanceClass: 'db.t4g.medium' },
      });
    });
  });

  it('marks the fork failed and answers 503 when the workflow cannot be started', async () => {
    h.workflows.failNext(Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }));
    h.mocks.dynamo?.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
      const id = input.Key.pk.replace('FORK#', '');
      return { Item: forkRecord({ id, name: 'pr-1234', status: 'failed', step: 'failed' }) };
    });
    h.mocks.dynamo?.on(UpdateCommand).resolves({});

    const error = expectError(await post({ source: SOURCE_ID, name: 'pr-1234' }), 503, 'service_unavailable');

    const forkId = String(error.details[0]?.forkId);
    expect(error.message).toContain('nothing was created');
    const forkUpdates = updatesOf(h.mocks).filter(
      (u) => !String((u.Key as { pk: string }).pk).startsWith('QUOTA#'),
    );
    expect(forkUpdates).toEqual([
      expect.objectContaining({
        Key: { pk: `FORK#${forkId}`, sk: 'FORK' },
        ExpressionAttributeValues: expect.objectContaining({
          ':step': 'failed',
          ':status': 'failed',
          ':p_error': { code: 'workflow_not_started', message: 'the create workflow could not be started' },
        }),
      }),
    ]);
    expect(h.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
  });
});

describe('POST /v1/forks with post-restore hooks', () => {
  const ALLOWED = 'arn:aws:lambda:us-east-1:123456789012:function:seed-demo:live';
  const withHooks = (postRestoreHook: Record<string, unknown>) =>
    setup({ policy: { allowedSources: [SOURCE_ID], postRestoreHook } });

  it('records the default hook, pending, when the request names none', async () => {
    withHooks({ default: 'mask-pii', allowed: [ALLOWED] });

    const result = await post({ source: SOURCE_ID });

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result).hook).toEqual({ name: 'mask-pii', status: 'pending' });
    expect(writtenRecord()?.hook).toEqual({ name: 'mask-pii', status: 'pending' });
  });

  it('records the hook the request names when the stack allows it', async () => {
    withHooks({ default: 'mask-pii', allowed: [ALLOWED] });

    const result = await post({ source: SOURCE_ID, hook: ALLOWED });

    expect(result.statusCode).toBe(202);
    expect(bodyOf<PublicFork>(result).hook).toEqual({ name: ALLOWED, status: 'pending' });
    // The default may be asked for by name too.
    expect((await post({ source: SOURCE_ID, hook: 'mask-pii' })).statusCode).toBe(202);
  });

  it('runs no hook when none is configured, or only allowed ones without a default and none is asked for', async () => {
    expect(bodyOf<PublicFork>(await post({ source: SOURCE_ID })).hook).toBeUndefined();
    withHooks({ allowed: ['seed-demo'] });
    expect(bodyOf<PublicFork>(await post({ source: SOURCE_ID })).hook).toBeUndefined();
  });

  it('answers 400 naming the allowed hooks for any other, and changes nothing', async () => {
    withHooks({ default: 'mask-pii', allowed: [ALLOWED] });

    const error = expectError(
      await post({ source: SOURCE_ID, hook: 'drop-everything' }),
      400,
      'validation_failed',
    );

    expect(error.message).toBe(
      `post-restore hook "drop-everything" is not allowed (allowed: mask-pii, ${ALLOWED})`,
    );
    expect(error.details).toEqual([
      { path: 'hook', message: 'post-restore hook not allowed', allowed: ['mask-pii', ALLOWED] },
    ]);
    expectNothingStarted();
  });

  it('answers 400 for a hook when the stack has none, and for one that is not a function name or ARN', async () => {
    const none = expectError(await post({ source: SOURCE_ID, hook: 'mask-pii' }), 400, 'validation_failed');
    expect(none.message).toBe(
      'post-restore hook "mask-pii" is not allowed (this dbfork has no post-restore hooks; leave out "hook")',
    );
    const bad = expectError(
      await post({ source: SOURCE_ID, hook: 'not a function' }),
      400,
      'validation_failed',
    );
    expect(bad.details).toEqual([expect.objectContaining({ path: 'hook' })]);
    expectNothingStarted();
  });
});
