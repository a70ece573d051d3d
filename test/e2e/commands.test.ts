import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fork } from '../../cli/http.js';
import type { CommandRejection } from '../../lambdas/commands/rejection.js';
import { OFFLINE_CREDENTIALS } from '../../lambdas/core/clients.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { leftovers, NOTHING_LEFT } from './leftovers.js';

/**
 * Commands in, offline, as a user sends them: `npm run local` (a child process with a per-owner
 * quota of 2), events put on the emulator's `dbfork` bus with the SDK (what `aws events put-events
 * --endpoint-url <emulator>` does), forks looked at with the built CLI, and `Fork Command Rejected`
 * read from a queue the test subscribes to the bus with a rule of its own.
 */

const AUTOMATION = 'dbfork-automation';
const LOCAL_USER = 'arn:aws:iam::123456789012:user/local-developer';
const SOURCE = 'orders-postgres';
const QUOTA = 2;
const DEADLINE_MS = 60_000;

let app: OfflineProcess;
let events: EventBridgeClient;
let sqs: SQSClient;
let rejectionsQueue = '';
const cli = (...args: string[]) => runCli(app.apiUrl, args);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `aws events put-events --endpoint-url <emulator> --entries '[{"EventBusName":"dbfork",…}]'`; the event id. */
async function put(
  detailType: string,
  detail: Record<string, unknown>,
  source = 'ci.nightly',
): Promise<string> {
  const { Entries, FailedEntryCount } = await events.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: 'dbfork', Source: source, DetailType: detailType, Detail: JSON.stringify(detail) },
      ],
    }),
  );
  expect(FailedEntryCount ?? 0).toBe(0);
  return Entries?.[0]?.EventId ?? '';
}

async function show(ref: string): Promise<Fork | undefined> {
  const result = await cli('show', ref, '--json');
  return result.code === 0 ? json<Fork>(result) : undefined;
}

async function eventually<T>(what: string, look: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${DEADLINE_MS} ms: ${what}`);
    await sleep(250);
  }
}

/** Every rejection the test's own rule has delivered so far, keyed by the command's event id. */
const seen = new Map<string, CommandRejection>();
async function rejectionOf(eventId: string): Promise<CommandRejection> {
  return eventually(`Fork Command Rejected for ${eventId}`, async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: rejectionsQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      const event = JSON.parse(message.Body ?? '{}') as { source: string; detail: CommandRejection };
      expect(event.source).toBe('dbfork');
      seen.set(event.detail.command.id, event.detail);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: rejectionsQueue, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    return seen.get(eventId);
  });
}

describe('commands in over EventBridge, offline (npm run local)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess({ env: { DBFORK_MAX_FORKS_PER_OWNER: String(QUOTA) } });
    const clientConfig = { endpoint: app.emulator, region: 'us-east-1', credentials: OFFLINE_CREDENTIALS };
    events = new EventBridgeClient(clientConfig);
    sqs = new SQSClient(clientConfig);
    // The bus exists (npm run local made it); a user watching rejections subscribes a queue to it.
    await events
      .send(new DescribeEventBusCommand({ Name: 'dbfork' }))
      .catch(() => events.send(new CreateEventBusCommand({ Name: 'dbfork' })));
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-command-rejections' }));
    rejectionsQueue = QueueUrl;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({
        Name: 'e2e-command-rejections',
        EventBusName: 'dbfork',
        EventPattern: JSON.stringify({ source: ['dbfork'], 'detail-type': ['Fork Command Rejected'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'e2e-command-rejections',
        EventBusName: 'dbfork',
        Targets: [{ Id: 'rejections', Arn: Attributes?.QueueArn }],
      }),
    );
  }, 150_000);

  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    await app?.stop();
  }, 30_000);

  it('creates a fork from a Create Fork event, owned by the automation principal', async () => {
    await put('Create Fork', { source: SOURCE, name: 'cmd-nightly', ttlHours: 2, tags: { by: 'events' } });

    const fork = await eventually('cmd-nightly', () => show('cmd-nightly'));
    expect(fork).toMatchObject({ name: 'cmd-nightly', owner: AUTOMATION, tags: { by: 'events' } });
    const ready = await cli('wait', 'cmd-nightly', '--json');
    expect(ready.code, ready.stderr).toBe(0);
    expect(json<Fork>(ready)).toMatchObject({ status: 'ready', owner: AUTOMATION });
  });

  it('extends it with Extend Fork and deletes it with Delete Fork, leaving nothing behind', async () => {
    const before = await show('cmd-nightly');
    if (!before) throw new Error('cmd-nightly is gone');

    await put('Extend Fork', { fork: 'cmd-nightly', ttlHours: 48 });
    const extended = await eventually('the new expiry', async () => {
      const fork = await show(before.id);
      return fork && fork.expiresAt !== before.expiresAt ? fork : undefined;
    });
    expect(Date.parse(extended.expiresAt) - Date.parse(before.expiresAt)).toBeGreaterThan(40 * 3_600_000);

    await put('Delete Fork', { fork: before.id });
    const deleted = await eventually('the deletion', async () => {
      const fork = await show(before.id);
      return fork?.status === 'deleted' ? fork : undefined;
    });
    expect(deleted.history?.map((h) => h.step)).toEqual(expect.arrayContaining(['removing-dns', 'deleted']));
    expect(await leftovers(app.emulator, deleted)).toEqual(NOTHING_LEFT);
  }, 120_000);

  it('makes one fork of a command sent twice with the same idempotencyKey', async () => {
    const detail = { source: SOURCE, name: 'cmd-once', idempotencyKey: 'nightly-2026-11-20' };
    await put('Create Fork', detail);
    await put('Create Fork', detail);

    const fork = await eventually('cmd-once', () => show('cmd-once'));
    await sleep(2_000);
    const listed = json<{ forks: Fork[] }>(await cli('list', '--json')).forks;
    expect(listed.filter((f) => f.name === 'cmd-once').map((f) => f.id)).toEqual([fork.id]);
  });

  it('refuses a bad source, a command over the quota, forks it does not own and a dbfork source, each with Fork Command Rejected', async () => {
    const badSource = await put('Create Fork', { source: 'no-such-db', name: 'cmd-bad' });
    expect((await rejectionOf(badSource)).error).toMatchObject({ code: 'source_not_found', status: 404 });

    // cmd-once is live: one more fits the automation principal's quota of 2, the next does not.
    await put('Create Fork', { source: SOURCE, name: 'cmd-second' });
    await eventually('cmd-second', () => show('cmd-second'));
    const overQuota = await put('Create Fork', { source: SOURCE, name: 'cmd-third' });
    const quota = await rejectionOf(overQuota);
    expect(quota.error).toMatchObject({ code: 'quota_exceeded', status: 429 });
    expect(quota.error.message).toContain('maxLiveForksPerOwner');
    expect(quota.command).toMatchObject({
      id: overQuota,
      detailType: 'Create Fork',
      source: 'ci.nightly',
      detail: { source: SOURCE, name: 'cmd-third' },
    });

    const mine = await cli('create', SOURCE, '--name', 'not-automations', '--ttl', '1h', '--json');
    expect(mine.code, mine.stderr).toBe(0);
    expect(json<Fork>(mine).owner).toBe(LOCAL_USER);
    const notOwned = await put('Delete Fork', { fork: 'not-automations' });
    expect((await rejectionOf(notOwned)).error).toMatchObject({ code: 'forbidden', status: 403 });

    const notOwnedRefresh = await put('Refresh Fork', { fork: 'not-automations' });
    expect((await rejectionOf(notOwnedRefresh)).error).toMatchObject({ code: 'forbidden', status: 403 });

    const spoofed = await put('Delete Fork', { fork: 'cmd-once' }, 'dbfork');
    expect((await rejectionOf(spoofed)).error).toMatchObject({ code: 'command_source_refused', status: 403 });

    expect(await show('cmd-third')).toBeUndefined();
    expect(await show('not-automations')).toMatchObject({ owner: LOCAL_USER });
    expect(await show('cmd-once')).toMatchObject({ owner: AUTOMATION });
    expect((await show('cmd-once'))?.status).not.toMatch(/deleting|deleted/);
  }, 120_000);

  it('refreshes an automation fork with Refresh Fork: a new database takes over its name, secret and DNS name', async () => {
    const ready = await eventually('cmd-once ready', async () => {
      const fork = await show('cmd-once');
      return fork?.status === 'ready' ? fork : undefined;
    });

    await put('Refresh Fork', { fork: 'cmd-once', ttlHours: 3 });

    const refreshed = await eventually('cmd-once refreshed', async () => {
      const fork = await show('cmd-once');
      return fork?.refresh?.state === 'succeeded' ? fork : undefined;
    });
    expect(refreshed).toMatchObject({
      id: ready.id,
      name: 'cmd-once',
      status: 'ready',
      owner: AUTOMATION,
      dnsName: ready.dnsName,
      secretArn: ready.secretArn,
      databaseId: `${ready.id}-r1`,
      refresh: { attempt: 1, requestedBy: AUTOMATION, restore: { requested: { type: 'latest-backup' } } },
    });
    // The TTL it asked for counts from the switch (a moment ago); the warning moved with the expiry.
    const left = Date.parse(refreshed.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(3 * 3_600_000 - 120_000);
    expect(left).toBeLessThanOrEqual(3 * 3_600_000);
    expect(refreshed.expiryWarningAt).not.toBe(ready.expiryWarningAt);
    expect(Date.parse(refreshed.expiresAt) - Date.parse(refreshed.expiryWarningAt ?? '')).toBe(3_600_000);
  }, 120_000);

  it('cleans up what the commands made', async () => {
    const ids: string[] = [];
    for (const name of ['cmd-once', 'cmd-second']) {
      const fork = await show(name);
      if (!fork) throw new Error(`${name} is gone`);
      ids.push(fork.id);
      await put('Delete Fork', { fork: name });
    }
    const gone = await cli('delete', 'not-automations', '--yes', '--wait', '--json');
    expect(gone.code, gone.stderr).toBe(0);
    for (const id of ids) {
      const fork = await eventually(`${id} deleted`, async () => {
        const found = await show(id);
        return found?.status === 'deleted' ? found : undefined;
      });
      expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
    }
  }, 120_000);
});
