import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { handleExpiryWarning } from '../../../lambdas/events/expiry-warning.js';
import { TEST_EVENT_BUS } from '../../support/runtime.js';
import { FORK_HOST, FORK_ID, SOURCE_ARN } from '../core/fixtures.js';
import { forkAt, inputsOf, type StepTest, stepTest } from '../steps/support.js';

const EXPIRES_AT = '2026-11-21T12:00:00.000Z';
const WARNING_AT = '2026-11-21T11:00:00.000Z';
const fire = { forkId: FORK_ID, expiresAt: EXPIRES_AT };

/** A ready fork whose warning was scheduled for an hour before its expiry; the clock at that hour. */
async function readyFork(overrides = {}): Promise<StepTest> {
  const test = await stepTest(
    forkAt('ready', {
      endpoint: { host: FORK_HOST, port: 5432 },
      expiresAt: EXPIRES_AT,
      ...overrides,
    }),
  );
  await test.rt.store.expiryWarnings.arm(FORK_ID, EXPIRES_AT, WARNING_AT);
  test.clock.set(WARNING_AT);
  return test;
}

function published(test: StepTest) {
  return inputsOf(test.mocks.events.commandCalls(PutEventsCommand)).flatMap((put) => put.Entries ?? []);
}

describe('expiry-warning (Fork Expiring)', () => {
  it('publishes Fork Expiring with the public fork object, its expiry and when it was warned', async () => {
    const test = await readyFork();

    await expect(handleExpiryWarning(fire, test.rt)).resolves.toBe('published');

    const [entry, ...more] = published(test);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      Source: 'dbfork',
      DetailType: 'Fork Expiring',
      EventBusName: TEST_EVENT_BUS,
      Resources: [SOURCE_ARN],
    });
    const detail = JSON.parse(entry?.Detail ?? '{}') as Record<string, unknown>;
    expect(detail).toMatchObject({
      id: FORK_ID,
      status: 'ready',
      expiresAt: EXPIRES_AT,
      expiryWarningAt: WARNING_AT,
      expiryWarningSentAt: WARNING_AT,
    });
    // The public fork object: no bookkeeping of the record.
    for (const internal of ['order', 'ttlHours', 'ttlMinutes', 'sourceRef', 'pk', 'sk']) {
      expect(detail).not.toHaveProperty(internal);
    }
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ expiryWarningSentAt: WARNING_AT });
  });

  it('publishes once per expiry, however often the schedule delivers', async () => {
    const test = await readyFork();

    const outcomes = [
      await handleExpiryWarning(fire, test.rt),
      await handleExpiryWarning(fire, test.rt),
      await handleExpiryWarning(fire, test.rt),
    ];

    expect(outcomes).toEqual(['published', 'sent', 'sent']);
    expect(published(test)).toHaveLength(1);
  });

  it('ignores a stale fire whose expiry was moved, and warns again for the new expiry', async () => {
    const test = await readyFork();
    await handleExpiryWarning(fire, test.rt);
    const extended = '2026-11-22T12:00:00.000Z';
    await test.rt.store.setExpiry(FORK_ID, extended, 48, 'extended');

    expect(await handleExpiryWarning(fire, test.rt)).toBe('moved');
    expect(await handleExpiryWarning({ forkId: FORK_ID, expiresAt: extended }, test.rt)).toBe('published');

    expect(published(test).map((e) => JSON.parse(e.Detail ?? '{}').expiresAt)).toEqual([
      EXPIRES_AT,
      extended,
    ]);
  });

  it.each([
    ['deleting', { status: 'deleting', step: 'removing-dns', order: 310 }],
    ['deleted', { status: 'deleted', step: 'deleted', order: 400 }],
    ['failed', { status: 'failed', step: 'failed', order: 200 }],
    ['being cleaned up', { status: 'creating', step: 'cleaning-up', order: 110 }],
  ] as const)('announces nothing for a fork that is %s (never after Fork Deleted)', async (_case, state) => {
    const test = await readyFork();
    await test.rt.store.transition(FORK_ID, { step: state.step, message: 'moved on' });

    expect(await handleExpiryWarning(fire, test.rt)).toBe('not-live');
    expect(published(test)).toEqual([]);
    expect((await test.rt.store.mustGet(FORK_ID)).expiryWarningSentAt).toBeUndefined();
  });

  it('announces nothing for a fork that has no record', async () => {
    const test = await readyFork();

    expect(await handleExpiryWarning({ forkId: 'fork-000000000000', expiresAt: EXPIRES_AT }, test.rt)).toBe(
      'gone',
    );
    expect(published(test)).toEqual([]);
  });

  it.each([{}, { forkId: FORK_ID }, { forkId: 'pr-1234', expiresAt: EXPIRES_AT }, 'x', null])(
    'refuses input that is not a warning schedule’s (%j) without retrying',
    async (input) => {
      const test = await readyFork();

      expect(await handleExpiryWarning(input, test.rt)).toBe('invalid');
      expect(published(test)).toEqual([]);
    },
  );

  it('gives the claim back when the event cannot be published, so the retried invocation publishes it', async () => {
    const test = await readyFork();
    test.mocks.events
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-2' }] });

    await expect(handleExpiryWarning(fire, test.rt)).rejects.toThrow('throttled');
    expect((await test.rt.store.mustGet(FORK_ID)).expiryWarningSentAt).toBeUndefined();
    await expect(handleExpiryWarning(fire, test.rt)).resolves.toBe('published');
    expect(test.mocks.events.commandCalls(PutEventsCommand)).toHaveLength(2);
  });
});
