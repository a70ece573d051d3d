import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  AddTagsToResourceCommand,
  ModifyDBInstanceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ForkStateConflictError } from '../../../lambdas/core/errors.js';
import { POOL_OWNER } from '../../../lambdas/core/fork.js';
import { step as markDeleted } from '../../../lambdas/steps/mark-deleted.js';
import { step as markFailed } from '../../../lambdas/steps/mark-failed.js';
import { step as parkMember } from '../../../lambdas/steps/park-member.js';
import { step as resolveSource } from '../../../lambdas/steps/resolve-source.js';
import { step as rotateCredentials } from '../../../lambdas/steps/rotate-credentials.js';
import { FORK_ID } from '../core/fixtures.js';
import { forkAt, givenForkDatabase, givenSource, inputsOf, stepTest } from './support.js';

/** The create steps as a warm-pool member walks them, and as a fork that claimed one does. */

const input = { forkId: FORK_ID };
const asMember = { owner: POOL_OWNER, pool: { source: 'orders-prod' } };
const detailTypes = (test: Awaited<ReturnType<typeof stepTest>>) =>
  inputsOf(test.mocks.events.commandCalls(PutEventsCommand)).flatMap((put) =>
    (put.Entries as { DetailType?: string }[]).map((e) => e.DetailType),
  );

describe('a warm-pool member', () => {
  it('announces nothing when its source is resolved (it is nobody’s fork)', async () => {
    const test = await stepTest(forkAt('resolving-source', asMember));
    givenSource(test);

    await resolveSource.run(input, test.rt);

    expect(detailTypes(test)).toEqual([]);
  });

  it('gets a master password nobody keeps: no secret, the database changed, no event', async () => {
    const test = await stepTest(forkAt('creating-instances', asMember));
    givenSource(test);
    givenForkDatabase(test);
    test.mocks.rds.on(ModifyDBInstanceCommand).resolves({});

    const state = await rotateCredentials.run(input, test.rt);

    expect(state).toEqual({ forkId: FORK_ID, ready: false, poll: undefined });
    expect(test.mocks.secrets.commandCalls(CreateSecretCommand)).toEqual([]);
    expect(test.mocks.secrets.commandCalls(DescribeSecretCommand)).toEqual([]);
    const [modify] = inputsOf(test.mocks.rds.commandCalls(ModifyDBInstanceCommand));
    expect(modify).toMatchObject({ DBInstanceIdentifier: FORK_ID, MasterUserPassword: expect.any(String) });
    const record = await test.rt.store.mustGet(FORK_ID);
    expect(record.step).toBe('scrambling-credentials');
    expect(record.secretArn).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain(String(modify?.MasterUserPassword));
    expect(detailTypes(test)).toEqual([]);
  });

  it('parks on its task token, readyAt kept from the first park; a member claimed or torn down is never parked again', async () => {
    const test = await stepTest(forkAt('scrambling-credentials', asMember));
    const state = { forkId: FORK_ID, pool: { source: 'orders-prod', timeoutSeconds: 3600 } };

    await parkMember.run({ state, taskToken: 'token-1' }, test.rt);
    const parked = await test.rt.store.mustGet(FORK_ID);
    // A retried park (a new token for the same Task) replaces the token.
    await parkMember.run({ state, taskToken: 'token-2' }, test.rt);
    const again = await test.rt.store.mustGet(FORK_ID);

    expect(parked).toMatchObject({ step: 'pooled', status: 'creating', pool: { claimToken: 'token-1' } });
    expect(again.pool).toEqual({
      source: 'orders-prod',
      readyAt: parked.pool?.readyAt,
      claimToken: 'token-2',
    });

    expect(await test.rt.store.pools.retire(again, 'test')).toBe('token-2');
    await expect(parkMember.run({ state, taskToken: 'token-3' }, test.rt)).rejects.toBeInstanceOf(
      ForkStateConflictError,
    );
  });

  it('deleted past its deadline (the expiry sweep) ends deleted without Fork Deleted', async () => {
    const test = await stepTest(forkAt('deleting-schedule', asMember));

    await markDeleted.run({ forkId: FORK_ID, mode: 'delete' }, test.rt);

    expect((await test.rt.store.mustGet(FORK_ID)).status).toBe('deleted');
    expect(detailTypes(test)).toEqual([]);
  });

  it('that failed or was retired ends failed without Fork Failed', async () => {
    const test = await stepTest(forkAt('cleaning-up', asMember));

    await markFailed.run({ forkId: FORK_ID, mode: 'cleanup' }, test.rt);

    expect((await test.rt.store.mustGet(FORK_ID)).status).toBe('failed');
    expect(detailTypes(test)).toEqual([]);
  });
});

describe('a fork that claimed a member', () => {
  it('announces Fork Requested once, then gets its own password and secret as any fork', async () => {
    const claimed = forkAt('claimed', {
      restore: {
        requested: { type: 'latest-backup' },
        resolved: { snapshotId: 'rds:orders-prod-2026-12-01-03-00' },
        pool: { source: 'orders-prod', claimedAt: '2026-12-01T12:00:00.000Z' },
      },
    });
    const test = await stepTest(claimed);
    givenSource(test);
    givenForkDatabase(test);
    test.mocks.rds.on(ModifyDBInstanceCommand).resolves({});
    test.mocks.rds.on(AddTagsToResourceCommand).resolves({});
    test.mocks.rds.on(RemoveTagsFromResourceCommand).resolves({});
    test.mocks.secrets
      .on(DescribeSecretCommand)
      .rejects(Object.assign(new Error('none'), { name: 'ResourceNotFoundException' }));
    test.mocks.secrets
      .on(CreateSecretCommand)
      .resolves({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/x' });

    await rotateCredentials.run(input, test.rt);
    await rotateCredentials.run(input, test.rt);

    expect(detailTypes(test)).toEqual(['Fork Requested']);
    // The member's database took the fork's tags and left its pool, on each (idempotent) run.
    const [added] = inputsOf(test.mocks.rds.commandCalls(AddTagsToResourceCommand));
    expect(added?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'dbfork:fork-id', Value: FORK_ID },
        { Key: 'dbfork:expires-at', Value: claimed.expiresAt },
      ]),
    );
    expect(((added?.Tags ?? []) as { Key: string }[]).map((t) => t.Key)).not.toContain('dbfork:managed');
    expect(inputsOf(test.mocks.rds.commandCalls(RemoveTagsFromResourceCommand))[0]).toMatchObject({
      TagKeys: ['dbfork:pool'],
    });
    expect(test.mocks.secrets.commandCalls(CreateSecretCommand).length).toBeGreaterThan(0);
    const history = (await test.rt.store.mustGet(FORK_ID)).history.map((e) => e.message);
    expect(history).toContain('announced: fork of orders-prod, from its warm pool');
  });
});
