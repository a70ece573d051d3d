import { describe, expect, it } from 'vitest';
import { BackupNotFoundError } from '../../../lambdas/core/errors.js';
import type { ForkRecord } from '../../../lambdas/core/fork.js';
import { buildRestorePlan } from '../../../lambdas/core/restore-plan.js';
import { type PolicyInput, testEnv } from '../../support/runtime.js';
import { FORK_ID, FORK_TAGS, forkRecord, sourceDatabase } from './fixtures.js';

const policy = (input: PolicyInput = {}) => testEnv({ policy: input }).policy;
const resolvedFork = (overrides: Partial<ForkRecord> = {}) =>
  forkRecord({
    restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'rds:s1' } },
    ...overrides,
  });

describe('buildRestorePlan', () => {
  it('copies the source class, network and groups when nothing overrides them, with fork defaults and tags', () => {
    const plan = buildRestorePlan(resolvedFork(), sourceDatabase(), policy());

    expect(plan).toEqual({
      forkId: FORK_ID,
      targetId: FORK_ID,
      source: sourceDatabase(),
      target: { type: 'snapshot', snapshotId: 'rds:s1' },
      instanceClass: 'db.r6g.large',
      multiAz: false,
      vpcSecurityGroupIds: ['sg-0a1b2c3d', 'sg-0e5e5e5e'],
      subnetGroupName: 'orders-private',
      tags: FORK_TAGS,
    });
  });

  it('takes the fork overrides before the policy defaults before the source', () => {
    const defaults = policy({
      defaultOverrides: { instanceClass: 'db.t4g.large', multiAz: true, storageType: 'gp2' },
    });

    const withDefaults = buildRestorePlan(resolvedFork(), sourceDatabase(), defaults);
    const withOverrides = buildRestorePlan(
      resolvedFork({ overrides: { instanceClass: 'db.t4g.medium', multiAz: false, storageType: 'io2' } }),
      sourceDatabase(),
      defaults,
    );

    expect(withDefaults).toMatchObject({ instanceClass: 'db.t4g.large', multiAz: true, storageType: 'gp2' });
    expect(withOverrides).toMatchObject({
      instanceClass: 'db.t4g.medium',
      multiAz: false,
      storageType: 'io2',
    });
  });

  it('passes provisioned IOPS with the storage type they belong to', () => {
    const plan = buildRestorePlan(
      resolvedFork({ overrides: { storageType: 'io2', iops: 12000 } }),
      sourceDatabase(),
      policy(),
    );

    expect(plan).toMatchObject({ storageType: 'io2', iops: 12000 });
  });

  it("drops a stack default storage type (and its IOPS) that is not of the source's kind", () => {
    const defaults = policy({ defaultOverrides: { storageType: 'gp3', iops: 3000 } });

    const aurora = buildRestorePlan(resolvedFork(), sourceDatabase({ kind: 'aurora-cluster' }), defaults);
    const docdb = buildRestorePlan(
      resolvedFork({ overrides: { storageType: 'iopt1' } }),
      sourceDatabase({ kind: 'docdb-cluster' }),
      defaults,
    );

    expect(aurora).not.toHaveProperty('storageType');
    expect(aurora).not.toHaveProperty('iops');
    expect(docdb).toMatchObject({ storageType: 'iopt1' });
  });

  it("uses the config's fork network over the source's", () => {
    const plan = buildRestorePlan(
      resolvedFork(),
      sourceDatabase(),
      policy({ forkNetwork: { securityGroupIds: ['sg-0f0f0f0f'], subnetGroupName: 'forks-private' } }),
    );

    expect(plan).toMatchObject({ vpcSecurityGroupIds: ['sg-0f0f0f0f'], subnetGroupName: 'forks-private' });
  });

  it('leaves out what neither the fork, the policy nor the source has', () => {
    const plan = buildRestorePlan(
      resolvedFork(),
      sourceDatabase({ instanceClass: undefined, subnetGroupName: undefined, vpcSecurityGroupIds: [] }),
      policy(),
    );

    expect(plan).not.toHaveProperty('instanceClass');
    expect(plan).not.toHaveProperty('subnetGroupName');
    expect(plan).not.toHaveProperty('storageType');
    expect(plan.vpcSecurityGroupIds).toEqual([]);
  });

  it.each([
    [
      { restoreTime: '2026-11-20T10:00:00.000Z' },
      { type: 'point-in-time', restoreTime: '2026-11-20T10:00:00.000Z' },
    ],
    [{ useLatestRestorableTime: true }, { type: 'point-in-time', useLatestRestorableTime: true }],
    [{ snapshotId: 'manual-1' }, { type: 'snapshot', snapshotId: 'manual-1' }],
  ])('targets what select-backup resolved (%o)', (resolved, target) => {
    const fork = forkRecord({ restore: { requested: { type: 'point-in-time', latest: true }, resolved } });

    expect(buildRestorePlan(fork, sourceDatabase(), policy()).target).toEqual(target);
  });

  it('targets a clone for a clone request', () => {
    const fork = forkRecord({
      restore: { requested: { type: 'clone' }, resolved: { useLatestRestorableTime: true } },
    });

    expect(buildRestorePlan(fork, sourceDatabase(), policy()).target).toEqual({ type: 'clone' });
  });

  it('refuses to plan a restore nothing was selected for (instead of an invalid RestoreTime)', () => {
    expect(() => buildRestorePlan(forkRecord(), sourceDatabase(), policy())).toThrow(BackupNotFoundError);
  });
});
