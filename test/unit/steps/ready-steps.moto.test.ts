/**
 * The second half of CreateFork: rotate-credentials, check-credentials, register-dns,
 * schedule-expiry, mark-ready. The store runs on moto; RDS, Secrets Manager, Route 53,
 * Scheduler and EventBridge are mocked.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException as ScheduleNotFound,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException as SecretNotFound,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../../lambdas/core/env.js';
import {
  ForkStateConflictError,
  NotManagedResourceError,
  RestoreFailedError,
  WaitTimeoutError,
} from '../../../lambdas/core/errors.js';
import { EventPublishError } from '../../../lambdas/core/events.js';
import { step as checkCredentials } from '../../../lambdas/steps/check-credentials.js';
import { step as markReady } from '../../../lambdas/steps/mark-ready.js';
import { step as registerDns } from '../../../lambdas/steps/register-dns.js';
import { step as rotateCredentials } from '../../../lambdas/steps/rotate-credentials.js';
import { step as scheduleExpiry } from '../../../lambdas/steps/schedule-expiry.js';
import {
  TEST_DELETE_SM_ARN,
  TEST_EVENT_BUS,
  TEST_EXPIRY_WARNING_FN_ARN,
  TEST_HOSTED_ZONE_ID,
  TEST_NOW,
  TEST_SCHEDULER_GROUP,
  TEST_SCHEDULER_ROLE_ARN,
  testLogger,
} from '../../support/runtime.js';
import { FORK_DNS_NAME, FORK_HOST, FORK_ID, FORK_TAGS, SOURCE_ARN } from '../core/fixtures.js';
import {
  forkAt,
  givenForkDatabase,
  givenSource,
  inputsOf,
  runTwice,
  type StepTest,
  stepTest,
} from './support.js';

const input = { forkId: FORK_ID };
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/${FORK_ID}-AbCdEf`;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A Secrets Manager that remembers the one secret created, as the real one would. */
function fakeSecrets(test: StepTest, existing?: { value: string; tags: Tag[] }) {
  let secret = existing;
  test.mocks.secrets.on(DescribeSecretCommand).callsFake(() => {
    if (!secret)
      throw new SecretNotFound({
        message: 'Secrets Manager can’t find the specified secret.',
        $metadata: {},
      });
    return { ARN: SECRET_ARN, Name: `dbfork/${FORK_ID}`, Tags: secret.tags };
  });
  test.mocks.secrets
    .on(GetSecretValueCommand)
    .callsFake(() => ({ ARN: SECRET_ARN, SecretString: secret?.value }));
  test.mocks.secrets.on(CreateSecretCommand).callsFake((request: { SecretString: string; Tags: Tag[] }) => {
    secret = { value: request.SecretString, tags: request.Tags };
    return { ARN: SECRET_ARN };
  });
}

describe('rotate-credentials', () => {
  async function rotating(): Promise<{ test: StepTest; order: string[] }> {
    const test = await stepTest(forkAt('creating-instances'));
    const order: string[] = [];
    givenSource(test);
    givenForkDatabase(test);
    fakeSecrets(test);
    test.mocks.secrets.on(CreateSecretCommand).callsFake((request: { SecretString: string; Tags: Tag[] }) => {
      order.push('CreateSecret');
      test.mocks.secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: request.Tags });
      test.mocks.secrets
        .on(GetSecretValueCommand)
        .resolves({ ARN: SECRET_ARN, SecretString: request.SecretString });
      return { ARN: SECRET_ARN };
    });
    test.mocks.rds.on(ModifyDBInstanceCommand).callsFake(() => {
      order.push('ModifyDBInstance');
      return {};
    });
    return { test, order };
  }

  it('stores the standard RDS secret (host = the database endpoint, dnsName = the fork DNS name) BEFORE changing the password to it', async () => {
    const { test, order } = await rotating();

    const state = await rotateCredentials.run(input, test.rt);

    expect(state).toEqual({ forkId: FORK_ID, ready: false, poll: undefined });
    expect(order).toEqual(['CreateSecret', 'ModifyDBInstance']);
    const [create] = inputsOf(test.mocks.secrets.commandCalls(CreateSecretCommand));
    expect(create).toEqual({
      Name: `dbfork/${FORK_ID}`,
      Description: `Credentials of dbfork fork ${FORK_ID}`,
      SecretString: expect.any(String),
      Tags: FORK_TAGS,
    });
    const secret = JSON.parse(create?.SecretString ?? '{}');
    expect(secret).toEqual({
      engine: 'postgres',
      // The database's own endpoint: its TLS certificate names it (verify-full fails through a CNAME).
      host: FORK_HOST,
      port: 5432,
      username: 'orders_admin',
      password: expect.stringMatching(/^[^/@" ]{32}$/),
      dbname: 'orders',
      dbInstanceIdentifier: FORK_ID,
      dnsName: FORK_DNS_NAME,
    });
    expect(inputsOf(test.mocks.rds.commandCalls(ModifyDBInstanceCommand))).toEqual([
      {
        DBInstanceIdentifier: FORK_ID,
        MasterUserPassword: secret.password,
        ApplyImmediately: true,
      },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      step: 'rotating-credentials',
      secretArn: SECRET_ARN,
    });
  });

  it('reuses the stored password on a retry instead of minting another', async () => {
    const { test } = await rotating();

    const [first, second] = await runTwice(rotateCredentials, input, test);

    expect(second).toEqual(first);
    expect(test.mocks.secrets.commandCalls(CreateSecretCommand)).toHaveLength(1);
    const passwords = inputsOf(test.mocks.rds.commandCalls(ModifyDBInstanceCommand)).map(
      (m) => m.MasterUserPassword,
    );
    expect(passwords).toHaveLength(2);
    expect(passwords[1]).toBe(passwords[0]);
  });

  it('never puts the password in the returned state, the fork record or the logs', async () => {
    const { test } = await rotating();
    test.rt.logger = testLogger('DEBUG');
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    const state = await rotateCredentials.run(input, test.rt);
    vi.restoreAllMocks();

    const [create] = inputsOf(test.mocks.secrets.commandCalls(CreateSecretCommand));
    const password: string = JSON.parse(create?.SecretString ?? '{}').password;
    expect(password).toHaveLength(32);
    expect(JSON.stringify(state)).not.toContain(password);
    expect(JSON.stringify(await test.rt.store.mustGet(FORK_ID))).not.toContain(password);
    expect(written.join('')).toContain('step done'); // the capture works: the step did log
    expect(written.join('')).not.toContain(password);
  });

  it('refuses to read a secret of that name that is not ours, and changes no password', async () => {
    const test = await stepTest(forkAt('creating-instances'));
    givenSource(test);
    givenForkDatabase(test);
    fakeSecrets(test, {
      value: JSON.stringify({ password: 'theirs' }),
      tags: [{ Key: 'team', Value: 'other' }],
    });

    await expect(rotateCredentials.run(input, test.rt)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(test.mocks.secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
    expect(test.mocks.rds.commandCalls(ModifyDBInstanceCommand)).toEqual([]);
  });

  it('does not change the password of a database without our tags', async () => {
    const test = await stepTest(forkAt('creating-instances'));
    givenSource(test);
    givenForkDatabase(test, { TagList: [] });
    fakeSecrets(test);

    await expect(rotateCredentials.run(input, test.rt)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(test.mocks.rds.commandCalls(ModifyDBInstanceCommand)).toEqual([]);
  });
});

describe('check-credentials', () => {
  it('waits while the password change is pending and is ready once applied', async () => {
    const test = await stepTest(forkAt('rotating-credentials'));
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
      .resolvesOnce({
        DBInstances: [
          { DBInstanceStatus: 'modifying', PendingModifiedValues: { MasterUserPassword: '****' } },
        ],
      })
      .resolvesOnce({
        DBInstances: [
          { DBInstanceStatus: 'available', PendingModifiedValues: { MasterUserPassword: '****' } },
        ],
      })
      .resolves({ DBInstances: [{ DBInstanceStatus: 'available', PendingModifiedValues: {} }] });

    const first = await checkCredentials.run(input, test.rt);
    const second = await checkCredentials.run(first, test.rt);
    const third = await checkCredentials.run(second, test.rt);

    expect(first).toMatchObject({ forkId: FORK_ID, ready: false, poll: { startedAt: TEST_NOW, count: 1 } });
    expect(second).toMatchObject({ forkId: FORK_ID, ready: false, poll: { startedAt: TEST_NOW, count: 2 } });
    expect(third).toEqual({ forkId: FORK_ID, ready: true, poll: undefined });
  });

  it("passes the ready database's endpoint on to register-dns in the state", async () => {
    const test = await stepTest(forkAt('rotating-credentials'));
    givenForkDatabase(test);

    const ready = await checkCredentials.run(input, test.rt);

    expect(ready).toMatchObject({ ready: true, endpoint: { host: FORK_HOST, port: 5432 } });
  });

  it('gives up with WaitTimeoutError after 30 minutes', async () => {
    const test = await stepTest(forkAt('rotating-credentials'));
    givenForkDatabase(test, { DBInstanceStatus: 'modifying' });
    const started = await checkCredentials.run(input, test.rt);

    test.clock.advance({ minutes: 31 });

    await expect(checkCredentials.run(started, test.rt)).rejects.toBeInstanceOf(WaitTimeoutError);
  });
});

describe('register-dns', () => {
  const UPSERT = {
    HostedZoneId: TEST_HOSTED_ZONE_ID,
    ChangeBatch: {
      Comment: 'dbfork fork endpoint',
      Changes: [
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: `${FORK_DNS_NAME}.`,
            Type: 'CNAME',
            TTL: 60,
            ResourceRecords: [{ Value: FORK_HOST }],
          },
        },
      ],
    },
  };

  const ready = { ...input, ready: true, endpoint: { host: FORK_HOST, port: 5432 } };

  it('UPSERTs the CNAME <name>.<zone> → the endpoint the check saw, TTL 60, and records the endpoint', async () => {
    const test = await stepTest(forkAt('rotating-credentials'));
    test.mocks.route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: 'c1', Status: 'PENDING', SubmittedAt: new Date() } });

    const [first, second] = await runTwice(registerDns, ready, test);

    // Nothing is described again: the endpoint comes with the state.
    expect(test.mocks.rds.calls()).toEqual([]);
    expect(first).toEqual(ready);
    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.route53.commandCalls(ChangeResourceRecordSetsCommand))).toEqual([
      UPSERT,
      UPSERT,
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      step: 'registering-dns',
      endpoint: { host: FORK_HOST, port: 5432 },
      dnsName: FORK_DNS_NAME,
    });
  });

  it('has the endpoint recorded even when the UPSERT fails, so remove-dns can clean up after it', async () => {
    const test = await stepTest(forkAt('rotating-credentials'));
    test.mocks.route53.on(ChangeResourceRecordSetsCommand).rejects(new Error('Route 53 throttled'));

    await expect(registerDns.run(ready, test.rt)).rejects.toThrow('Route 53 throttled');
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      endpoint: { host: FORK_HOST, port: 5432 },
    });
  });

  it('fails with RestoreFailedError when no endpoint was seen', async () => {
    const test = await stepTest(forkAt('rotating-credentials'));

    await expect(registerDns.run(input, test.rt)).rejects.toBeInstanceOf(RestoreFailedError);
    expect(test.mocks.route53.commandCalls(ChangeResourceRecordSetsCommand)).toEqual([]);
  });
});

describe('schedule-expiry', () => {
  const SCHEDULE = {
    Name: `dbfork-${FORK_ID}`,
    GroupName: TEST_SCHEDULER_GROUP,
    Description: `Deletes dbfork fork ${FORK_ID} when it expires`,
    ScheduleExpression: 'at(2026-11-21T12:00:00)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: TEST_DELETE_SM_ARN,
      RoleArn: TEST_SCHEDULER_ROLE_ARN,
      Input: JSON.stringify({ forkId: FORK_ID }),
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    },
  };
  /** Fork Expiring: the default lead time (60 minutes) before the fixture's expiry. */
  const WARNING = {
    Name: `dbfork-warn-${FORK_ID}`,
    GroupName: TEST_SCHEDULER_GROUP,
    Description: `Announces that dbfork fork ${FORK_ID} expires at 2026-11-21T12:00:00.000Z`,
    ScheduleExpression: 'at(2026-11-21T11:00:00)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: TEST_EXPIRY_WARNING_FN_ARN,
      RoleArn: TEST_SCHEDULER_ROLE_ARN,
      Input: JSON.stringify({ forkId: FORK_ID, expiresAt: '2026-11-21T12:00:00.000Z' }),
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    },
  };
  const notFound = () =>
    new ScheduleNotFound({ message: 'Schedule not found', Message: 'Schedule not found', $metadata: {} });
  const conflict = () => new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });

  /**
   * A Scheduler that keeps the schedules it is given, by name; `onWrite` runs before each create or
   * update is kept (to interleave a concurrent change).
   */
  function fakeScheduler(test: StepTest, onWrite?: (input: { Name?: string }) => Promise<void>) {
    const schedules = new Map<string, { ScheduleExpression?: string }>();
    test.mocks.scheduler.on(GetScheduleCommand).callsFake(async (i: { Name: string }) => {
      const found = schedules.get(i.Name);
      if (!found) throw notFound();
      return { Name: i.Name, ...found };
    });
    const write = (mustExist: boolean) => async (i: { Name: string; ScheduleExpression?: string }) => {
      await onWrite?.(i);
      if (schedules.has(i.Name) !== mustExist) throw mustExist ? notFound() : conflict();
      schedules.set(i.Name, { ScheduleExpression: i.ScheduleExpression });
      return { ScheduleArn: `arn:schedule/${i.Name}` };
    };
    test.mocks.scheduler.on(CreateScheduleCommand).callsFake(write(false));
    test.mocks.scheduler.on(UpdateScheduleCommand).callsFake(write(true));
    test.mocks.scheduler.on(DeleteScheduleCommand).callsFake(async (i: { Name: string }) => {
      if (!schedules.delete(i.Name)) throw notFound();
      return {};
    });
    return schedules;
  }

  it('creates one-time UTC schedules that start the delete workflow at expiresAt and announce it an hour before, each deleting itself', async () => {
    const test = await stepTest(forkAt('registering-dns'));
    fakeScheduler(test);

    const state = await scheduleExpiry.run(input, test.rt);

    expect(state).toEqual(input);
    expect(inputsOf(test.mocks.scheduler.commandCalls(GetScheduleCommand))).toEqual([
      { Name: `dbfork-${FORK_ID}`, GroupName: TEST_SCHEDULER_GROUP },
      { Name: `dbfork-warn-${FORK_ID}`, GroupName: TEST_SCHEDULER_GROUP },
    ]);
    expect(inputsOf(test.mocks.scheduler.commandCalls(CreateScheduleCommand))).toEqual([SCHEDULE, WARNING]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      step: 'scheduling-expiry',
      progress: 95,
      expiryWarningAt: '2026-11-21T11:00:00.000Z',
    });
  });

  it('updates the existing schedules on a retry instead of failing', async () => {
    const test = await stepTest(forkAt('registering-dns'));
    fakeScheduler(test);

    const [first, second] = await runTwice(scheduleExpiry, input, test);

    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.scheduler.commandCalls(CreateScheduleCommand))).toEqual([SCHEDULE, WARNING]);
    expect(inputsOf(test.mocks.scheduler.commandCalls(UpdateScheduleCommand))).toEqual([SCHEDULE, WARNING]);
  });

  it('updates when a concurrent attempt created the schedule first (ConflictException)', async () => {
    const test = await stepTest(forkAt('registering-dns'));
    test.mocks.scheduler.on(GetScheduleCommand).rejects(notFound());
    test.mocks.scheduler.on(CreateScheduleCommand).rejects(conflict());
    test.mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });

    await scheduleExpiry.run(input, test.rt);

    expect(inputsOf(test.mocks.scheduler.commandCalls(UpdateScheduleCommand))).toEqual([SCHEDULE, WARNING]);
  });

  it('warns halfway when the fork has less than twice the lead time left', async () => {
    const test = await stepTest(forkAt('registering-dns', { expiresAt: '2026-11-20T12:50:00.000Z' }));
    const schedules = fakeScheduler(test);

    await scheduleExpiry.run(input, test.rt);

    expect(schedules.get(`dbfork-warn-${FORK_ID}`)).toEqual({
      ScheduleExpression: 'at(2026-11-20T12:25:00)',
    });
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      expiryWarningAt: '2026-11-20T12:25:00.000Z',
    });
  });

  it('schedules no warning for a fork whose expiry passed while it was created (the delete is due at once)', async () => {
    const test = await stepTest(forkAt('registering-dns', { expiresAt: '2026-11-20T11:00:00.000Z' }));
    const schedules = fakeScheduler(test);

    await scheduleExpiry.run(input, test.rt);

    expect([...schedules.keys()]).toEqual([`dbfork-${FORK_ID}`]);
    expect((await test.rt.store.mustGet(FORK_ID)).expiryWarningAt).toBeUndefined();
  });

  it('schedules the newer expiry when a PATCH moved it while the schedules were being written', async () => {
    const test = await stepTest(forkAt('registering-dns'));
    let patched = false;
    const schedules = fakeScheduler(test, async (i) => {
      if (patched || i.Name !== `dbfork-warn-${FORK_ID}`) return;
      patched = true;
      await test.rt.store.setExpiry(FORK_ID, '2026-11-22T12:00:00.000Z', 48, 'extended meanwhile');
    });

    await scheduleExpiry.run(input, test.rt);

    expect(Object.fromEntries(schedules)).toEqual({
      [`dbfork-${FORK_ID}`]: { ScheduleExpression: 'at(2026-11-22T12:00:00)' },
      [`dbfork-warn-${FORK_ID}`]: { ScheduleExpression: 'at(2026-11-22T11:00:00)' },
    });
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      expiresAt: '2026-11-22T12:00:00.000Z',
      expiryWarningAt: '2026-11-22T11:00:00.000Z',
    });
  });

  it('removes what it scheduled when the fork started deleting meanwhile', async () => {
    const test = await stepTest(forkAt('registering-dns'));
    const schedules = fakeScheduler(test, async (i) => {
      if (i.Name === `dbfork-warn-${FORK_ID}` && (await test.rt.store.mustGet(FORK_ID)).status === 'creating')
        await test.rt.store.transition(FORK_ID, { step: 'removing-dns', message: 'deleted by its owner' });
    });

    await scheduleExpiry.run(input, test.rt);

    expect(schedules.size).toBe(0);
    expect((await test.rt.store.mustGet(FORK_ID)).expiryWarningAt).toBeUndefined();
  });

  it.each([
    ['deleteStateMachineArn', /DBFORK_DELETE_STATE_MACHINE_ARN/],
    ['expiryWarningFunctionArn', /DBFORK_EXPIRY_WARNING_FUNCTION_ARN/],
  ] as const)(
    'fails with ConfigurationError naming the variable when %s is not configured',
    async (key, name) => {
      const test = await stepTest(forkAt('registering-dns'), { env: { [key]: undefined } });

      await expect(scheduleExpiry.run(input, test.rt)).rejects.toThrow(ConfigurationError);
      await expect(scheduleExpiry.run(input, test.rt)).rejects.toThrow(name);
      expect(test.mocks.scheduler.calls()).toEqual([]);
    },
  );
});

describe('mark-ready', () => {
  it('moves the fork to ready with readyAt and announces Fork Ready with the public fork object', async () => {
    const test = await stepTest(
      forkAt('scheduling-expiry', { endpoint: { host: FORK_HOST, port: 5432 }, secretArn: SECRET_ARN }),
    );
    test.clock.advance({ minutes: 12 });

    const state = await markReady.run(input, test.rt);

    expect(state).toEqual(input);
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork).toMatchObject({
      status: 'ready',
      step: 'ready',
      progress: 100,
      readyAt: '2026-11-20T12:12:00.000Z',
    });
    const [put] = inputsOf(test.mocks.events.commandCalls(PutEventsCommand));
    expect(put?.Entries).toEqual([
      {
        Source: 'dbfork',
        DetailType: 'Fork Ready',
        EventBusName: TEST_EVENT_BUS,
        Resources: [SOURCE_ARN],
        Detail: expect.any(String),
      },
    ]);
    const detail = JSON.parse(put?.Entries?.[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({
      id: FORK_ID,
      status: 'ready',
      dnsName: FORK_DNS_NAME,
      secretArn: SECRET_ARN,
      lineage: {
        sourceId: 'orders-prod',
        sourceArn: SOURCE_ARN,
        snapshotId: 'rds:orders-prod-2026-11-20-03-00',
      },
    });
    expect(Object.keys(detail)).not.toEqual(expect.arrayContaining(['order']));
    expect(detail).not.toHaveProperty('sourceRef');
    expect(detail).not.toHaveProperty('ttlHours');
    // Counted, with the time from request to ready, per engine kind and restore type.
    const dimensions = { engine: 'rds-instance', restoreType: 'latest-backup' };
    expect(test.metrics).toEqual([
      { name: 'ForksReady', unit: 'Count', value: 1, dimensions },
      {
        name: 'TimeToReady',
        unit: 'Milliseconds',
        value: Date.parse('2026-11-20T12:12:00.000Z') - Date.parse(fork.createdAt),
        dimensions,
      },
    ]);
  });

  it('is idempotent: a retry answers the same (and announces again, at least once)', async () => {
    const test = await stepTest(forkAt('scheduling-expiry'));

    const [first, second] = await runTwice(markReady, input, test);

    expect(second).toEqual(first);
    expect(test.mocks.events.commandCalls(PutEventsCommand)).toHaveLength(2);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ status: 'ready' });
    // …but counts the fork once.
    expect(test.metrics.filter((m) => m.name === 'ForksReady')).toHaveLength(1);
  });

  it('refuses a fork a delete has overtaken (ForkStateConflictError), announcing nothing', async () => {
    const test = await stepTest(forkAt('removing-dns'));

    await expect(markReady.run(input, test.rt)).rejects.toBeInstanceOf(ForkStateConflictError);
    expect(test.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
  });

  it('fails with EventPublishError when EventBridge rejects the entry', async () => {
    const test = await stepTest(forkAt('scheduling-expiry'));
    test.mocks.events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(markReady.run(input, test.rt)).rejects.toBeInstanceOf(EventPublishError);
  });
});
