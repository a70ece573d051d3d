/** Small pure pieces of the core: tags, passwords, schedules, env, errors, DNS names, source policy. */
import { describe, expect, it } from 'vitest';
import { forkDnsName } from '../../../lambdas/core/dns.js';
import { ConfigurationError, ENV, loadRuntimeEnv, required } from '../../../lambdas/core/env.js';
import * as errors from '../../../lambdas/core/errors.js';
import { RestoreFailedError } from '../../../lambdas/core/errors.js';
import { EventPublishError } from '../../../lambdas/core/events.js';
import { atExpression } from '../../../lambdas/core/expiry-schedule.js';
import {
  FORK_ID_PATTERN,
  FORK_NAME_PATTERN,
  freshSnapshotId,
  newForkId,
  scheduleName,
  secretName,
} from '../../../lambdas/core/ids.js';
import { assertForkable, isForkAllowed } from '../../../lambdas/core/source-policy.js';
import { assertManagedBy, forkTags, isManagedBy, TAG, tagMap } from '../../../lambdas/core/tags.js';
import { testEnv } from '../../support/runtime.js';
import { FORK_ID, FORK_TAGS, forkRecord, OWNER, SOURCE_ARN, sourceDatabase } from './fixtures.js';

describe('tags', () => {
  it('forkTags marks the resource as this fork’s, with expiry, owner and the user tags', () => {
    expect(forkTags(forkRecord())).toEqual(FORK_TAGS);
  });

  it('forkTags keeps an owner within the 256-character tag value limit', () => {
    const owner = `${OWNER}/${'x'.repeat(300)}`;

    const tag = forkTags(forkRecord({ owner })).find((t) => t.Key === TAG.owner);

    expect(tag?.Value).toHaveLength(256);
  });

  it('tagMap turns an AWS tag list into a map and ignores keyless entries', () => {
    expect(tagMap([{ Key: 'a', Value: '1' }, { Key: 'b' }, { Value: 'orphan' }])).toEqual({ a: '1', b: '' });
    expect(tagMap(undefined)).toEqual({});
  });

  it('isManagedBy needs both dbfork:managed=true and this fork id', () => {
    expect(isManagedBy({ [TAG.managed]: 'true', [TAG.forkId]: FORK_ID }, FORK_ID)).toBe(true);
    expect(isManagedBy({ [TAG.managed]: 'true', [TAG.forkId]: 'fork-other0000000' }, FORK_ID)).toBe(false);
    expect(isManagedBy({ [TAG.forkId]: FORK_ID }, FORK_ID)).toBe(false);
    expect(isManagedBy({ [TAG.managed]: 'false', [TAG.forkId]: FORK_ID }, FORK_ID)).toBe(false);
    expect(isManagedBy({}, FORK_ID)).toBe(false);
  });

  it('assertManagedBy throws NotManagedResourceError naming the resource', () => {
    expect(() => assertManagedBy({}, FORK_ID, 'DB instance orders-prod')).toThrow(
      errors.NotManagedResourceError,
    );
    expect(() => assertManagedBy({}, FORK_ID, 'DB instance orders-prod')).toThrow(/DB instance orders-prod/);
    expect(() =>
      assertManagedBy({ [TAG.managed]: 'true', [TAG.forkId]: FORK_ID }, FORK_ID, 'x'),
    ).not.toThrow();
  });
});

describe('atExpression', () => {
  it('renders an expiry as a Scheduler at() in UTC without zone or fractions', () => {
    expect(atExpression('2026-11-21T12:00:00.000Z')).toBe('at(2026-11-21T12:00:00)');
    expect(atExpression('2026-11-21T13:30:14.500+01:00')).toBe('at(2026-11-21T12:30:15)');
  });

  it('never fires before the expiry: a fraction of a second rounds up', () => {
    expect(atExpression('2026-11-21T12:00:00.001Z')).toBe('at(2026-11-21T12:00:01)');
    expect(atExpression('2026-12-31T23:59:59.999Z')).toBe('at(2027-01-01T00:00:00)');
  });
});

describe('ids', () => {
  it('fork ids are valid RDS identifiers and execution names', () => {
    const id = newForkId();

    expect(id).toMatch(FORK_ID_PATTERN);
    expect(id).toMatch(/^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/);
  });

  it('derives the names of what a fork owns from its id', () => {
    expect(secretName(FORK_ID)).toBe(`dbfork/${FORK_ID}`);
    expect(scheduleName(FORK_ID)).toBe(`dbfork-${FORK_ID}`);
    expect(freshSnapshotId(FORK_ID)).toBe(`${FORK_ID}-source`);
  });

  it.each(['pr-1234', 'ab', 'a1'])('accepts the fork name %s', (name) => {
    expect(name).toMatch(FORK_NAME_PATTERN);
  });

  it.each(['a', 'Pr-1', '1pr', 'pr--1', 'pr-', 'pr_1', 'a'.repeat(41)])(
    'rejects the fork name %s',
    (name) => {
      expect(name).not.toMatch(FORK_NAME_PATTERN);
    },
  );

  it('forkDnsName puts the name under the zone, with or without a trailing dot', () => {
    expect(forkDnsName('pr-1', 'forks.test.internal')).toBe('pr-1.forks.test.internal');
    expect(forkDnsName('pr-1', 'forks.test.internal.')).toBe('pr-1.forks.test.internal');
  });
});

describe('loadRuntimeEnv', () => {
  const complete = {
    [ENV.tableName]: 'dbfork-forks',
    [ENV.hostedZoneId]: 'Z0TESTZONE0001',
    [ENV.hostedZoneDomain]: 'forks.test.internal.',
    [ENV.policy]: JSON.stringify({ allowedSources: ['orders-prod'] }),
  };

  it('reads the variables and applies defaults', () => {
    const env = loadRuntimeEnv(complete);

    expect(env).toEqual({
      tableName: 'dbfork-forks',
      eventBusName: 'default',
      hostedZoneId: 'Z0TESTZONE0001',
      hostedZoneDomain: 'forks.test.internal',
      schedulerGroupName: 'dbfork',
      policy: testEnv({ policy: { allowedSources: ['orders-prod'] } }).policy,
      auditRetentionDays: 30,
    });
  });

  it('names the missing variable in a ConfigurationError', () => {
    const { [ENV.tableName]: _missing, ...rest } = complete;

    expect(() => loadRuntimeEnv(rest)).toThrow(ConfigurationError);
    expect(() => loadRuntimeEnv(rest)).toThrow(/DBFORK_TABLE_NAME/);
    expect(() => loadRuntimeEnv({ ...complete, [ENV.hostedZoneId]: '' })).toThrow(/DBFORK_HOSTED_ZONE_ID/);
  });

  it('names a bad policy field and a policy that is not JSON', () => {
    expect(() => loadRuntimeEnv({ ...complete, [ENV.policy]: '{nope' })).toThrow(/DBFORK_POLICY is not JSON/);
    expect(() =>
      loadRuntimeEnv({ ...complete, [ENV.policy]: JSON.stringify({ ttl: { defaultHours: 0 } }) }),
    ).toThrow(/DBFORK_POLICY\.ttl\.defaultHours/);
  });

  it('names a bad number', () => {
    expect(() => loadRuntimeEnv({ ...complete, [ENV.auditRetentionDays]: 'soon' })).toThrow(
      /DBFORK_AUDIT_RETENTION_DAYS/,
    );
  });

  it('required() names the variable a function was not given', () => {
    expect(() => required(undefined, 'deleteStateMachineArn')).toThrow(
      new ConfigurationError('DBFORK_DELETE_STATE_MACHINE_ARN is not set for this function'),
    );
    expect(required('arn:x', 'deleteStateMachineArn')).toBe('arn:x');
  });
});

describe('errors', () => {
  type ErrorClass = new (message: string, options?: { cause?: unknown }) => errors.DbForkError;
  const errorClasses: [string, ErrorClass][] = Object.entries(errors).flatMap(([name, value]) =>
    typeof value === 'function' && value.prototype instanceof errors.DbForkError
      ? [[name, value as unknown as ErrorClass] as [string, ErrorClass]]
      : [],
  );

  it('has the DbForkError classes to check', () => {
    expect(errorClasses.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'ValidationError',
        'NotManagedResourceError',
        'WaitTimeoutError',
        'ForkStateConflictError',
      ]),
    );
  });

  it.each(errorClasses)(
    '%s has its explicit name (minification-proof), a code, a status and keeps its cause',
    (name, ErrorClass) => {
      const cause = new Error('root');
      const error = new ErrorClass('boom', { cause });

      expect(error.name).toBe(name);
      expect(Object.hasOwn(error, 'name')).toBe(true);
      expect(error.code).toMatch(/^[a-z_]+$/);
      expect(error.statusCode).toBeGreaterThanOrEqual(400);
      expect(error.cause).toBe(cause);
      expect(error.details).toEqual([]);
      expect(name).toMatch(/Error$/);
    },
  );

  it('caller errors are 4xx', () => {
    for (const ErrorClass of [
      errors.ValidationError,
      errors.SourceNotAllowedError,
      errors.RestoreWindowError,
      errors.NameTakenError,
      errors.IdempotencyConflictError,
      errors.QuotaExceededError,
    ]) {
      const error = new ErrorClass('x');
      expect(error.statusCode, error.name).toBeLessThan(500);
    }
  });

  it('other modules name their errors explicitly too', () => {
    expect(new ConfigurationError('x').name).toBe('ConfigurationError');
    expect(new EventPublishError('x').name).toBe('EventPublishError');
    expect(new RestoreFailedError('x').name).toBe('RestoreFailedError');
  });

  it('errorName reads the name of any error', () => {
    expect(errors.errorName(new errors.WaitTimeoutError('x'))).toBe('WaitTimeoutError');
    expect(errors.errorName('a string')).toBeUndefined();
  });
});

describe('source policy', () => {
  const policy = (input: Parameters<typeof testEnv>[0] = {}) => testEnv(input).policy;

  it('allows a source listed by identifier or by ARN', () => {
    expect(isForkAllowed(sourceDatabase(), policy({ policy: { allowedSources: ['orders-prod'] } }))).toBe(
      true,
    );
    expect(isForkAllowed(sourceDatabase(), policy({ policy: { allowedSources: [SOURCE_ARN] } }))).toBe(true);
    expect(isForkAllowed(sourceDatabase(), policy({ policy: { allowedSources: ['billing-prod'] } }))).toBe(
      false,
    );
  });

  it('allows a source tagged dbfork:allow-fork=true unless tagged sources are turned off', () => {
    const tagged = sourceDatabase({ tags: { [TAG.allowFork]: 'true' } });

    expect(isForkAllowed(tagged, policy({ policy: {} }))).toBe(true);
    expect(isForkAllowed(tagged, policy({ policy: { allowTaggedSources: false } }))).toBe(false);
    expect(isForkAllowed(sourceDatabase({ tags: { [TAG.allowFork]: 'yes' } }), policy({ policy: {} }))).toBe(
      false,
    );
  });

  it('assertForkable refuses a fork as a source even when allow-listed', () => {
    const fork = sourceDatabase({ tags: { [TAG.managed]: 'true' } });

    expect(() => assertForkable(fork, policy())).toThrow(errors.SourceNotAllowedError);
  });
});

describe('assertForkable source states', () => {
  const allowed = () => testEnv({ policy: { allowedSources: ['orders-prod'] } }).policy;
  const source = (status: string) => ({
    id: 'orders-prod',
    arn: 'arn:aws:rds:us-east-1:123456789012:db:orders-prod',
    kind: 'rds-instance' as const,
    engine: 'postgres',
    status,
    tags: {},
    vpcSecurityGroupIds: [],
    restorableWindow: {},
  });

  it('accepts a source that is backing up or modifying for backup-based restores', () => {
    for (const type of ['latest-backup', 'snapshot', 'point-in-time'] as const) {
      expect(() => assertForkable(source('backing-up'), allowed(), type)).not.toThrow();
      expect(() => assertForkable(source('modifying'), allowed(), type)).not.toThrow();
    }
  });

  it('requires an available source for a fresh snapshot', () => {
    expect(() => assertForkable(source('backing-up'), allowed(), 'fresh-snapshot')).toThrow(
      /backing-up; a fresh-snapshot fork can be made once it is available/,
    );
    expect(() => assertForkable(source('available'), allowed(), 'fresh-snapshot')).not.toThrow();
  });

  it('refuses a source that is being deleted, whatever the restore', () => {
    expect(() => assertForkable(source('deleting'), allowed(), 'snapshot')).toThrow(/deleting/);
  });

  it('checks only the allow-list when no restore is named (listing backups)', () => {
    expect(() => assertForkable(source('deleting'), allowed())).not.toThrow();
  });
});
