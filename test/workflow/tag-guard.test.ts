import {
  CreateDBInstanceCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotManagedResourceError } from '../../lambdas/core/errors.js';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import { resetMoto } from '../support/moto.js';
import {
  DOMAIN,
  describeInstance,
  type Harness,
  NOTHING_LEFT,
  OWNER,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Safety invariant 1 (DESIGN §3): every destructive or modifying
 * call re-checks `dbfork:managed=true` and `dbfork:fork-id` on the live resource. A delete pointed at
 * the source database, or at an untagged database (or secret) named exactly like a fork, fails with
 * NotManagedResourceError and the resource survives. (The IAM side is test/infra/iam*.test.ts.)
 *
 * The allow-listed source here is itself named like a fork id, so a fork record with the source's
 * id points the whole delete path at the source.
 */

const SOURCE_ID = 'fork-5ource5ource';
const LOOKALIKE_ID = 'fork-aaaaaaaaaaaa';
const SECRET_LOOKALIKE_ID = 'fork-cccccccccccc';

/** A fork record (as the store would hold it, `ready`) whose id names a database dbfork did not make. */
function recordFor(id: string, now: string): ForkRecord {
  return {
    id,
    name: `lookalike-${id.slice(-4)}`,
    sourceRef: SOURCE_ID,
    restore: { requested: { type: 'latest-backup' } },
    overrides: {},
    status: 'ready',
    step: 'ready',
    progress: 100,
    order: 100,
    owner: OWNER,
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(Date.parse(now) + 3_600_000).toISOString(),
    ttlHours: 1,
    dnsName: `lookalike-${id.slice(-4)}.${DOMAIN}`,
    tags: {},
    history: [],
  } as ForkRecord;
}

describe('tag guard: deletes pointed at databases and secrets dbfork did not create (moto)', () => {
  let h: Harness;

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness({ sourceId: SOURCE_ID });
    // Deletion protection would also save the source; switch it off so only the tag guard does.
    await h.clients.rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: SOURCE_ID,
        DeletionProtection: false,
        ApplyImmediately: true,
      }),
    );
  });

  /** Inserts the record, deletes it through the API's domain function, returns the failed execution. */
  async function deleteLookalike(id: string) {
    const now = new Date().toISOString();
    const source = await describeInstance(h, SOURCE_ID);
    await h.rt.store.create({
      ...recordFor(id, now),
      source: { id: SOURCE_ID, arn: source.DBInstanceArn ?? '', engine: 'postgres', kind: 'rds-instance' },
    });
    const { fork, execution } = await h.delete(id);
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error?.error).toBe('NotManagedResourceError');
    return { fork, error: execution?.error };
  }

  it('a delete pointed at the SOURCE database fails with NotManagedResourceError; the source survives', async () => {
    // A real fork of the source exists: the source is in use, not an orphan.
    const real = await h.create({ source: SOURCE_ID });
    expect(real.fork.status).toBe('ready');

    const { fork, error } = await deleteLookalike(SOURCE_ID);
    expect(error?.cause).toMatch(
      `refusing to modify DB instance ${SOURCE_ID}: it is not tagged dbfork:managed=true and dbfork:fork-id=${SOURCE_ID}`,
    );
    // The record says a delete is in progress; it was refused, not done.
    expect(fork.status).toBe('deleting');
    const source = await describeInstance(h, SOURCE_ID);
    expect(source.DBInstanceStatus).toBe('available');
    const snapshots = await h.clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: SOURCE_ID }),
    );
    expect(snapshots.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toContain(h.source.manualSnapshotId);

    // The real fork is untouched by that, and its own delete still leaves nothing.
    expect((await describeInstance(h, real.fork.id)).DBInstanceStatus).toBe('available');
    await h.delete(real.fork.id);
    expect(await h.leftovers(real.fork.id)).toEqual(NOTHING_LEFT);
    expect((await describeInstance(h, SOURCE_ID)).DBInstanceStatus).toBe('available');
  });

  it('every modifying engine call refuses the source, whatever fork asks', async () => {
    const engine = h.rt.engines.get('rds-instance');
    const asFork = 'fork-000000000001';
    const refusals = [
      () => engine.deleteFork(SOURCE_ID, asFork),
      () => engine.deleteFork(SOURCE_ID, SOURCE_ID),
      () => engine.setMasterPassword(SOURCE_ID, asFork, 'not-the-password-0000000000000000'),
      () => engine.deleteSnapshot(h.source.manualSnapshotId, asFork),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toBeInstanceOf(NotManagedResourceError);
    expect((await describeInstance(h, SOURCE_ID)).DBInstanceStatus).toBe('available');
  });

  it('an untagged database named like a fork (fork-aaaaaaaaaaaa) survives a delete of that fork id', async () => {
    await h.clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: LOOKALIKE_ID,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'someone_else',
        MasterUserPassword: 'not-ours-not-ours-not-ours',
        DeletionProtection: false,
        Tags: [{ Key: 'team', Value: 'someone-else' }],
      }),
    );
    const { error } = await deleteLookalike(LOOKALIKE_ID);
    expect(error?.cause).toMatch(`refusing to modify DB instance ${LOOKALIKE_ID}`);
    expect((await describeInstance(h, LOOKALIKE_ID)).DBInstanceStatus).toBe('available');

    // Tagged as managed but as ANOTHER fork's is refused as well.
    const tagged = 'fork-bbbbbbbbbbbb';
    await h.clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: tagged,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'someone_else',
        MasterUserPassword: 'not-ours-not-ours-not-ours',
        DeletionProtection: false,
        Tags: [
          { Key: 'dbfork:managed', Value: 'true' },
          { Key: 'dbfork:fork-id', Value: 'fork-999999999999' },
        ],
      }),
    );
    const other = await deleteLookalike(tagged);
    expect(other.error?.cause).toMatch(`refusing to modify DB instance ${tagged}`);
    expect((await describeInstance(h, tagged)).DBInstanceStatus).toBe('available');
  });

  it('a secret dbfork/<id> without our tags survives the delete of that fork id', async () => {
    const name = `dbfork/${SECRET_LOOKALIKE_ID}`;
    await h.clients.secrets.send(
      new CreateSecretCommand({ Name: name, SecretString: '{"password":"someone-elses-secret"}' }),
    );
    const { error } = await deleteLookalike(SECRET_LOOKALIKE_ID);
    expect(error?.cause).toMatch(`refusing to modify secret ${name}`);
    const secret = await h.clients.secrets.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.DeletedDate).toBeUndefined();
    await expect(h.rt.secrets.delete(SECRET_LOOKALIKE_ID)).rejects.toBeInstanceOf(NotManagedResourceError);
  });
});
