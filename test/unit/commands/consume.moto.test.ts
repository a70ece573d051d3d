/**
 * The command consumer (lambdas/commands/consume.ts) on SQS batches as Lambda delivers them, with
 * the fork store on a real DynamoDB (moto: the routes' idempotency and quota transactions run for
 * real), RDS and EventBridge mocked, workflows recorded.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFork } from '../../../lambdas/api/routes/create-fork.js';
import { consumeCommands } from '../../../lambdas/commands/consume.js';
import { DEFAULT_AUTOMATION_PRINCIPAL } from '../../../lambdas/core/config.js';
import type { ForkRecord, PublicFork } from '../../../lambdas/core/fork.js';
import { motoEndpoint } from '../../support/moto.js';
import {
  type MockedRuntime,
  mockedRuntimeWithMotoStore,
  motoClients,
  type PolicyInput,
  TEST_NOW,
} from '../../support/runtime.js';
import { givenRds, OTHER_CALLER } from '../api/support.js';
import { SOURCE_ARN, SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import { type CommandInput, commandEvent, commands, rejections, sqsEvent, sqsRecord } from './support.js';

let h: MockedRuntime;

async function setup(policy: PolicyInput = {}) {
  h = await mockedRuntimeWithMotoStore(motoEndpoint(), {
    env: { policy: { allowedSources: [SOURCE_ID], ...policy } },
  });
  givenRds(h.mocks, [sourceInstance()]);
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
}

beforeEach(() => setup());

const consume = (event: ReturnType<typeof commands>) => consumeCommands(event, h.rt);

async function forks(): Promise<PublicFork[]> {
  const { Items = [] } = await motoClients(motoEndpoint()).dynamo.send(
    new ScanCommand({ TableName: h.env.tableName, ConsistentRead: true }),
  );
  return Items.filter((item) => item.sk === 'FORK') as PublicFork[];
}

const create = (detail: Record<string, unknown>, extra: Partial<CommandInput> = {}): CommandInput => ({
  detailType: 'Create Fork',
  detail: { source: SOURCE_ID, ...detail },
  ...extra,
});

describe('Create Fork', () => {
  it('creates a fork owned by the automation principal, starts its workflow and acknowledges the message', async () => {
    const result = await consume(commands(create({ name: 'nightly', ttlHours: 4, tags: { by: 'ci' } })));

    expect(result).toEqual({ batchItemFailures: [] });
    const [fork, ...others] = await forks();
    expect(others).toEqual([]);
    expect(fork).toMatchObject({
      name: 'nightly',
      owner: DEFAULT_AUTOMATION_PRINCIPAL,
      status: 'creating',
      ttlHours: 4,
      tags: { by: 'ci' },
    });
    expect(h.workflows.started).toEqual([{ kind: 'create', forkId: fork?.id }]);
    expect(rejections(h.mocks)).toEqual([]);
  });

  it('makes one fork of an event delivered twice: the event id is the idempotency key', async () => {
    const body = JSON.stringify(commandEvent(create({ name: 'twice' })));

    await consume(sqsEvent(sqsRecord(body)));
    const again = await consume(sqsEvent(sqsRecord(body, 2)));

    expect(again).toEqual({ batchItemFailures: [] });
    expect((await forks()).map((f) => f.name)).toEqual(['twice']);
    expect(h.workflows.started).toHaveLength(1);
  });

  it('makes one fork of two events with the same detail.idempotencyKey, and refuses it for another body', async () => {
    const key = 'nightly-2026-11-20';
    await consume(commands(create({ name: 'keyed', idempotencyKey: key })));
    await consume(commands(create({ name: 'keyed', idempotencyKey: key })));
    await consume(commands(create({ name: 'other', idempotencyKey: key })));

    expect((await forks()).map((f) => f.name)).toEqual(['keyed']);
    expect(rejections(h.mocks).map((r) => [r.error.code, r.error.status])).toEqual([
      ['idempotency_key_reused', 409],
    ]);
  });

  it('publishes Fork Command Rejected with the error object and the command, and acknowledges, when the source cannot be forked', async () => {
    const input = create({ source: 'no-such-db', name: 'nope' }, { id: 'evt-1', source: 'team.payments' });

    const result = await consume(commands(input));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await forks()).toEqual([]);
    expect(rejections(h.mocks)).toEqual([
      {
        error: {
          code: 'source_not_found',
          status: 404,
          message: expect.stringContaining('no-such-db'),
          details: expect.any(Array),
        },
        command: {
          detailType: 'Create Fork',
          source: 'team.payments',
          id: 'evt-1',
          detail: { source: 'no-such-db', name: 'nope' },
        },
        attempts: 1,
        deadLettered: false,
      },
    ]);
  });

  it('applies the allow-list and the body validation of the HTTP route', async () => {
    await setup({ allowedSources: [], allowTaggedSources: false });

    await consume(
      commands(create({ name: 'not-allowed' }), create({ ttlHours: 9999 }), create({ fork: 'x' })),
    );

    expect(await forks()).toEqual([]);
    expect(rejections(h.mocks).map((r) => [r.error.code, r.error.details[0]?.path])).toEqual([
      ['source_not_allowed', expect.anything()],
      ['validation_failed', 'ttlHours'],
      ['validation_failed', 'fork'],
    ]);
  });

  it("counts every commanded fork against the automation principal's quota", async () => {
    await setup({ quotas: { maxLiveForksPerOwner: 1 } });

    await consume(commands(create({ name: 'first' }), create({ name: 'second' })));

    expect((await forks()).map((f) => f.name)).toEqual(['first']);
    const [rejection] = rejections(h.mocks);
    expect(rejection?.error).toMatchObject({ code: 'quota_exceeded', status: 429 });
    expect(rejection?.error.message).toContain('maxLiveForksPerOwner');
  });
});

describe('Delete Fork and Extend Fork', () => {
  async function automationFork(name: string): Promise<PublicFork> {
    await consume(commands(create({ name })));
    const fork = (await forks()).find((f) => f.name === name);
    if (!fork) throw new Error(`no fork ${name}`);
    return fork;
  }

  /** A fork someone made through the API. */
  async function someonesFork(name: string): Promise<ForkRecord> {
    const { fork } = await createFork(h.rt, {
      owner: OTHER_CALLER,
      body: { source: SOURCE_ID, name, restore: { type: 'latest-backup' } },
    });
    return fork;
  }

  it('extends an automation fork by name and deletes it by id', async () => {
    const fork = await automationFork('ci-42');

    await consume(commands({ detailType: 'Extend Fork', detail: { fork: 'ci-42', ttlHours: 48 } }));
    const extended = (await forks())[0];
    expect(Date.parse(extended?.expiresAt ?? '') - Date.parse(TEST_NOW)).toBe(48 * 3_600_000);

    await consume(commands({ detailType: 'Delete Fork', detail: { fork: fork.id } }));
    expect((await forks())[0]).toMatchObject({ status: 'deleting' });
    expect(h.workflows.started).toEqual([
      { kind: 'create', forkId: fork.id },
      { kind: 'delete', forkId: fork.id, reason: 'api' },
    ]);
    expect(rejections(h.mocks)).toEqual([]);
  });

  it('refuses to extend or delete a fork the automation principal does not own, and touches nothing', async () => {
    const theirs = await someonesFork('alices');

    await consume(
      commands(
        { detailType: 'Delete Fork', detail: { fork: 'alices' } },
        { detailType: 'Extend Fork', detail: { fork: theirs.id, ttlHours: 2 } },
      ),
    );

    expect(rejections(h.mocks).map((r) => [r.command.detailType, r.error.code, r.error.status])).toEqual([
      ['Delete Fork', 'forbidden', 403],
      ['Extend Fork', 'forbidden', 403],
    ]);
    expect((await forks())[0]).toMatchObject({ status: 'creating', expiresAt: theirs.expiresAt });
    expect(h.workflows.started.filter((w) => w.kind === 'delete')).toEqual([]);
  });

  it('deletes any fork when automation.admin makes the automation principal an admin', async () => {
    await setup({ automation: { admin: true } });
    const theirs = await someonesFork('alices');

    await consume(commands({ detailType: 'Delete Fork', detail: { fork: 'alices' } }));

    expect(rejections(h.mocks)).toEqual([]);
    expect(h.workflows.started).toContainEqual({ kind: 'delete', forkId: theirs.id, reason: 'api' });
  });

  it('refuses a command without its fork, or with fields its route does not take', async () => {
    await automationFork('ci-43');

    await consume(
      commands(
        { detailType: 'Delete Fork', detail: {} },
        { detailType: 'Delete Fork', detail: { fork: 'ci-43', force: true } },
        { detailType: 'Extend Fork', detail: { fork: 'ci-43' } },
        { detailType: 'Extend Fork', detail: { fork: 'no-such-fork', ttlHours: 2 } },
      ),
    );

    expect(rejections(h.mocks).map((r) => [r.error.code, r.error.details[0]?.path])).toEqual([
      ['validation_failed', 'detail.fork'],
      ['validation_failed', 'detail.force'],
      ['validation_failed', expect.anything()],
      ['fork_not_found', 'id'],
    ]);
    expect((await forks())[0]).toMatchObject({ name: 'ci-43', status: 'creating' });
  });
});

describe('Refresh Fork', () => {
  /** An automation fork its create workflow made ready (resolve-source recorded its source). */
  async function readyAutomationFork(name: string): Promise<PublicFork> {
    await consume(commands(create({ name })));
    const fork = (await forks()).find((f) => f.name === name);
    if (!fork) throw new Error(`no fork ${name}`);
    await h.rt.store.transition(fork.id, {
      step: 'ready',
      message: 'ready',
      patch: {
        source: { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' },
        readyAt: TEST_NOW,
      },
    });
    return fork;
  }

  it('refreshes an automation fork by name from the latest backup: the refresh is claimed and RefreshFork started', async () => {
    const fork = await readyAutomationFork('nightly');

    const result = await consume(commands({ detailType: 'Refresh Fork', detail: { fork: 'nightly' } }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(rejections(h.mocks)).toEqual([]);
    expect((await forks())[0]?.refresh).toMatchObject({
      state: 'running',
      attempt: 1,
      requestedBy: DEFAULT_AUTOMATION_PRINCIPAL,
      restore: { requested: { type: 'latest-backup' } },
      databaseId: `${fork.id}-r1`,
    });
    expect(h.workflows.started).toEqual([
      { kind: 'create', forkId: fork.id },
      { kind: 'refresh', forkId: fork.id, attempt: 1 },
    ]);
  });

  it('starts one refresh of an event delivered twice: the event id is the idempotency key', async () => {
    await readyAutomationFork('nightly');
    const body = JSON.stringify(commandEvent({ detailType: 'Refresh Fork', detail: { fork: 'nightly' } }));

    await consume(sqsEvent(sqsRecord(body)));
    const again = await consume(sqsEvent(sqsRecord(body, 2)));

    expect(again).toEqual({ batchItemFailures: [] });
    expect(rejections(h.mocks)).toEqual([]);
    expect(h.workflows.started.filter((w) => w.kind === 'refresh')).toHaveLength(1);
    expect((await forks())[0]?.refresh?.attempt).toBe(1);
  });

  it('takes the refresh body besides the fork: a new TTL', async () => {
    await readyAutomationFork('nightly');

    await consume(commands({ detailType: 'Refresh Fork', detail: { fork: 'nightly', ttlHours: 12 } }));

    expect(rejections(h.mocks)).toEqual([]);
    expect((await forks())[0]?.refresh?.ttl).toEqual({ hours: 12, minutes: 720 });
  });

  it("refuses a refresh of a fork that is not ready, one in progress, another's fork and a bad body, with the route's codes", async () => {
    await consume(commands(create({ name: 'young' })));
    await readyAutomationFork('busy');
    const theirs = await createFork(h.rt, {
      owner: OTHER_CALLER,
      body: { source: SOURCE_ID, name: 'alices', restore: { type: 'latest-backup' } },
    });

    await consume(
      commands(
        { detailType: 'Refresh Fork', detail: { fork: 'young' } },
        { detailType: 'Refresh Fork', detail: { fork: 'busy' } },
        { detailType: 'Refresh Fork', detail: { fork: 'busy' } },
        { detailType: 'Refresh Fork', detail: { fork: theirs.fork.id } },
        { detailType: 'Refresh Fork', detail: { fork: 'busy', ttlHours: 0 } },
      ),
    );

    expect(rejections(h.mocks).map((r) => [r.error.code, r.error.status])).toEqual([
      ['invalid_state', 409],
      ['invalid_state', 409],
      ['forbidden', 403],
      ['validation_failed', 400],
    ]);
    expect(h.workflows.started.filter((w) => w.kind === 'refresh')).toHaveLength(1);
  });
});

describe('commands dbfork does not take', () => {
  it('refuses a detail-type it has no route for as unsupported, loudly', async () => {
    const result = await consume(commands({ detailType: 'Clone Fork', detail: { fork: 'nightly' } }));

    expect(result).toEqual({ batchItemFailures: [] });
    const [rejection] = rejections(h.mocks);
    expect(rejection?.error).toMatchObject({ code: 'unsupported_command', status: 400 });
    expect(rejection?.command).toMatchObject({ detailType: 'Clone Fork', detail: { fork: 'nightly' } });
  });

  it('refuses commands put with the source dbfork or an aws.* source', async () => {
    await consume(
      commands(create({ name: 'spoofed' }, { source: 'dbfork' }), create({}, { source: 'aws.rds' })),
    );

    expect(await forks()).toEqual([]);
    expect(rejections(h.mocks).map((r) => [r.command.source, r.error.code, r.error.status])).toEqual([
      ['dbfork', 'command_source_refused', 403],
      ['aws.rds', 'command_source_refused', 403],
    ]);
  });

  it('refuses a message that is no command event, echoing what it can', async () => {
    await consume(
      sqsEvent(
        sqsRecord('not json'),
        sqsRecord(JSON.stringify(commandEvent({ detailType: 'Create Fork', detail: ['a', 'list'] }))),
      ),
    );

    expect(rejections(h.mocks).map((r) => [r.error.code, r.command.detailType])).toEqual([
      ['invalid_command', ''],
      ['invalid_command', 'Create Fork'],
    ]);
  });
});

describe('failures', () => {
  it('leaves a command whose workflow could not start to the queue, then rejects its replayed failed fork', async () => {
    const body = JSON.stringify(commandEvent(create({ name: 'unlucky' })));
    h.workflows.failNext(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const first = sqsRecord(body, 1, 'm-1');
    expect(await consume(sqsEvent(first))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(rejections(h.mocks)).toEqual([]);

    // The queue delivers it again: its key replays the fork that failed, so the command is final.
    expect(await consume(sqsEvent(sqsRecord(body, 2, 'm-1')))).toEqual({ batchItemFailures: [] });
    expect(rejections(h.mocks).map((r) => [r.error.code, r.error.status, r.attempts])).toEqual([
      ['fork_failed', 409, 2],
    ]);
    expect((await forks()).map((f) => [f.name, f.status])).toEqual([['unlucky', 'failed']]);
  });

  it('retries only the failing message of a batch, and rejects it as dead-lettered on its last receive', async () => {
    const failing = JSON.stringify(
      commandEvent({ detailType: 'Extend Fork', detail: { fork: 'x1', ttlHours: 2 } }),
    );
    // The store's read of the fork is throttled: a 503 the queue should retry.
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const get = h.rt.store.findLiveByName.bind(h.rt.store);
    h.rt.store.findLiveByName = (name) => (name === 'x1' ? Promise.reject(throttled) : get(name));
    const ok = JSON.stringify(commandEvent(create({ name: 'fine' })));

    const early = await consume(sqsEvent(sqsRecord(ok, 1, 'ok'), sqsRecord(failing, 4, 'bad')));
    expect(early).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(rejections(h.mocks)).toEqual([]);

    const last = await consume(sqsEvent(sqsRecord(failing, 5, 'bad')));
    expect(last).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(rejections(h.mocks)).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({ code: 'service_unavailable', status: 503 }),
        attempts: 5,
        deadLettered: true,
      }),
    ]);
  });

  it('leaves a refused command on the queue when its rejection cannot be published', async () => {
    h.mocks.events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    const result = await consume(
      sqsEvent(sqsRecord(JSON.stringify(commandEvent(create({ source: 'gone' }))), 1, 'm-9')),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-9' }] });
  });
});
