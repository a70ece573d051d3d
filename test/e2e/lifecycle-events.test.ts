import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fork } from '../../cli/http.js';
import { json, type OfflineProcess, runCli, startOfflineProcess } from '../support/offline-process.js';
import { leftovers, NOTHING_LEFT, secretIn } from './leftovers.js';
import { type DeliveredEvent, type Subscription, subscribe } from './subscription.js';

/**
 * dbfork's lifecycle events as a user observes them: `npm run local` as a child process, a rule on
 * its `dbfork` bus with an SQS queue target (test/e2e/subscription.ts), forks driven through the
 * built CLI, and the queue read for every event of each fork's life, in order, none carrying a
 * secret. Every lifecycle is one row of what it must announce: a refreshed fork announces
 * `Fork Refreshed` between `Fork Ready` and its end.
 *
 * The expiry is real: a one-minute fork (offline allows TTLs from one minute) whose warning fires
 * halfway through what was left when its expiry was scheduled, and whose schedule then deletes it,
 * both fired by the offline scheduler emulation through the same handlers as on AWS.
 */

const LIFECYCLES = {
  'create, then delete': ['Fork Requested', 'Fork Ready', 'Fork Deleted'],
  'create, then expire': ['Fork Requested', 'Fork Ready', 'Fork Expiring', 'Fork Deleted'],
  'create, refresh, then delete': ['Fork Requested', 'Fork Ready', 'Fork Refreshed', 'Fork Deleted'],
} as const;

let app: OfflineProcess;
let events: Subscription;
const cli = (...args: string[]) => runCli(app.apiUrl, args);
/** The passwords of the forks' secrets, read while they existed: no event may carry one. */
const passwords: string[] = [];

const of = (delivered: DeliveredEvent[], forkId: string) => delivered.filter((e) => e.detail.id === forkId);
const ended = (forkId: string) => (delivered: DeliveredEvent[]) =>
  of(delivered, forkId).some((e) => e['detail-type'] === 'Fork Deleted');

async function show(ref: string): Promise<Fork> {
  const shown = await cli('show', ref, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return json<Fork>(shown);
}

async function createReady(name: string, ttl: string): Promise<Fork> {
  const created = await cli('create', 'orders-postgres', '--name', name, '--ttl', ttl, '--wait', '--json');
  expect(created.code, created.stderr).toBe(0);
  const fork = json<Fork>(created);
  expect(fork.status).toBe('ready');
  passwords.push((await secretIn(app.emulator, fork.secretArn ?? '')).password);
  return fork;
}

let blink: Fork;

describe('lifecycle events, subscribed to with a rule and an SQS queue (npm run local)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess();
    events = await subscribe(app.emulator);
  }, 150_000);

  afterAll(async () => {
    await events?.close();
    await app?.stop();
  }, 30_000);

  it('schedules Fork Expiring of a one-minute fork halfway through what is left, and dbfork show says when', async () => {
    blink = await createReady('blink', '1m');

    expect(blink.expiryWarningAt).toEqual(expect.any(String));
    const lead = Date.parse(blink.expiresAt) - Date.parse(blink.expiryWarningAt ?? '');
    const left = Date.parse(blink.expiresAt) - Date.parse(blink.createdAt);
    expect(lead).toBeGreaterThan(0);
    expect(lead).toBeLessThanOrEqual(left / 2);
    const shown = await cli('show', 'blink');
    // Unless the warning already went out on a slow machine: then show says when it was sent.
    expect(shown.stdout).toMatch(
      /^ {2}warning +Fork Expiring (at \S+ \S+ \(in [^)]+\)|sent \S+ \S+ \([^)]+ ago\))$/m,
    );
  });

  it('announces a fork that is created and deleted: Requested, Ready, Deleted', async () => {
    const fork = await createReady('short-lived', '3h');
    // Three hours left when scheduled: the default lead time of 60 minutes.
    expect(Date.parse(fork.expiresAt) - Date.parse(fork.expiryWarningAt ?? '')).toBe(3_600_000);

    // dbfork extend moves the warning with the expiry.
    const extended = await cli('extend', 'short-lived', '--ttl', '4h', '--json');
    expect(extended.code, extended.stderr).toBe(0);
    const moved = json<Fork>(extended);
    expect(Date.parse(moved.expiresAt) - Date.parse(moved.expiryWarningAt ?? '')).toBe(3_600_000);
    expect(moved.expiryWarningAt).not.toBe(fork.expiryWarningAt);
    const deleted = await cli('delete', 'short-lived', '--yes', '--wait', '--json');
    expect(deleted.code, deleted.stderr).toBe(0);

    const delivered = of(await events.readUntil(ended(fork.id), 30_000), fork.id);
    expect(delivered.map((e) => e['detail-type'])).toEqual(LIFECYCLES['create, then delete']);
    expect(delivered.map((e) => e.detail.status)).toEqual(['creating', 'ready', 'deleted']);
    expect(await leftovers(app.emulator, fork)).toEqual(NOTHING_LEFT);
  });

  it('announces a fork that is refreshed, then deleted: Requested, Ready, Refreshed, Deleted', async () => {
    const fork = await createReady('refreshed', '3h');
    const refreshed = await cli('refresh', 'refreshed', '--wait', '--json');
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(json<Fork>(refreshed).refresh?.state).toBe('succeeded');
    // The new database's password, now in the fork's secret: no event may carry it either.
    passwords.push((await secretIn(app.emulator, fork.secretArn ?? '')).password);
    const deleted = await cli('delete', 'refreshed', '--yes', '--wait', '--json');
    expect(deleted.code, deleted.stderr).toBe(0);

    const delivered = of(await events.readUntil(ended(fork.id), 30_000), fork.id);
    expect(delivered.map((e) => e['detail-type'])).toEqual(LIFECYCLES['create, refresh, then delete']);
    expect(delivered.map((e) => e.detail.status)).toEqual(['creating', 'ready', 'ready', 'deleted']);
    // Fork Refreshed: the fork as the new database serves it, under the same name and secret ARN.
    expect(delivered[2]?.detail).toMatchObject({
      name: 'refreshed',
      dnsName: fork.dnsName,
      secretArn: fork.secretArn,
      databaseId: `${fork.id}-r1`,
      refresh: { attempt: 1, databaseId: `${fork.id}-r1`, previousDatabaseId: fork.id },
    });
    expect(await leftovers(app.emulator, json<Fork>(deleted))).toEqual(NOTHING_LEFT);
  }, 120_000);

  it('announces a fork that expires on its own: Requested, Ready, Expiring before its expiry, Deleted', async () => {
    const deadline = Date.parse(blink.expiresAt) + 60_000 - Date.now();
    const delivered = of(await events.readUntil(ended(blink.id), Math.max(deadline, 5_000)), blink.id);

    expect(delivered.map((e) => e['detail-type'])).toEqual(LIFECYCLES['create, then expire']);
    const [requested, ready, expiring, gone] = delivered;
    expect(requested?.detail).toMatchObject({ name: 'blink', status: 'creating' });
    expect(ready?.detail).toMatchObject({ status: 'ready' });
    expect(expiring?.detail).toMatchObject({
      status: 'ready',
      expiresAt: blink.expiresAt,
      expiryWarningAt: blink.expiryWarningAt,
    });
    // Sent before the expiry (event times are whole seconds), and the deletion after it.
    expect(Date.parse(expiring?.time ?? '')).toBeLessThanOrEqual(Date.parse(blink.expiresAt));
    expect(gone?.detail).toMatchObject({ status: 'deleted' });
    const times = delivered.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const event of delivered) {
      expect(event).toMatchObject({ source: 'dbfork', resources: [blink.source?.arn] });
    }
    const after = await show(blink.id);
    expect(after).toMatchObject({ status: 'deleted', expiryWarningSentAt: expect.any(String) });
    expect(await leftovers(app.emulator, after)).toEqual(NOTHING_LEFT);
  }, 150_000);

  it('puts no secret in any event', async () => {
    const delivered = await events.read();

    expect(delivered.length).toBeGreaterThanOrEqual(11);
    expect(passwords).toHaveLength(4);
    for (const event of delivered) {
      for (const password of passwords) expect(event.raw).not.toContain(password);
      expect(event.raw).not.toMatch(/"password"/i);
    }
  });
});
