import { describe, expect, it } from 'vitest';
import { freshSnapshotId, newForkId, secretName } from '../../lambdas/core/ids.js';
import { flattenCfnValue } from '../../lib/nag-suppressions.js';
import { FORK_RESOURCE_PREFIX } from '../../lib/names.js';
import {
  API_FUNCTIONS,
  COMMANDS_FUNCTION,
  EXPIRY_WARNING_FUNCTION,
  FUNCTION_CAPABILITIES,
  normalizedRecordDomain,
  ORPHAN_DATABASES_FUNCTION,
  ORPHAN_LEFTOVERS_FUNCTION,
  POOL_KEEPER_FUNCTION,
  RDS_EVENT_FUNCTION,
  RECONCILER_FUNCTION,
  RECONCILER_FUNCTIONS,
} from '../../lib/permissions.js';
import { exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import {
  actionsOf,
  checkStatement,
  findViolations,
  type LocatedStatement,
  policyStatements,
  resourcesOf,
  type Statement,
} from './iam-rules.js';
import { dbforkFunctions, functionNamed, props, resourcesOfType } from './template.js';

const template = synthesizeTemplate();
const statements = policyStatements(template);
const functions = dbforkFunctions(template);

/** Allow statements attached to a function's role. */
function statementsOf(name: string): Statement[] {
  const role = functionNamed(template, name).roleLogicalId;
  return statements
    .filter((s) => s.roles.includes(role) && s.statement.Effect === 'Allow')
    .map((s) => s.statement);
}

function actionsGranted(name: string): Set<string> {
  return new Set(statementsOf(name).flatMap(actionsOf));
}

function statementsWith(action: string): LocatedStatement[] {
  return statements.filter((s) => actionsOf(s.statement).includes(action));
}

const RDS_WRITE = /^rds:(?!Describe|List)/;

describe('IAM safety rules (walker)', () => {
  it('finds no violation in any policy of the stack', () => {
    expect(statements.length).toBeGreaterThan(50);
    expect(findViolations(statements)).toEqual([]);
  });

  it('flags an rds Delete without the ResourceTag condition', () => {
    const fixture: Statement = {
      Effect: 'Allow',
      Action: 'rds:DeleteDBInstance',
      Resource: 'arn:aws:rds:*:*:db:fork-*',
    };
    expect(checkStatement(fixture)).toEqual([
      'rds Delete*/Modify*/Reboot* without StringEquals aws:ResourceTag/dbfork:managed = "true"',
    ]);
  });

  it('flags an rds Modify on a database even when a parameter group is listed too', () => {
    const fixture: Statement = {
      Effect: 'Allow',
      Action: ['rds:ModifyDBInstance'],
      Resource: ['arn:aws:rds:us-east-1:1:pg:*', 'arn:aws:rds:us-east-1:1:db:orders-prod'],
    };
    expect(checkStatement(fixture)).toContain(
      'rds Delete*/Modify*/Reboot* without StringEquals aws:ResourceTag/dbfork:managed = "true"',
    );
  });

  it('flags a restore without the RequestTag condition, or with the tag on the wrong key', () => {
    const untagged: Statement = {
      Effect: 'Allow',
      Action: 'rds:RestoreDBClusterToPointInTime',
      Resource: '*',
    };
    const wrongKey: Statement = {
      ...untagged,
      Condition: { StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' } },
    };
    for (const fixture of [untagged, wrongKey]) {
      expect(checkStatement(fixture)).toContain(
        'rds create/restore/tag without StringEquals aws:RequestTag/dbfork:managed = "true"',
      );
    }
  });

  it('flags a destructive action on "*" without a tag condition, whatever the service', () => {
    const fixture: Statement = { Effect: 'Allow', Action: ['secretsmanager:DeleteSecret'], Resource: '*' };
    expect(checkStatement(fixture)).toEqual([
      'destructive action on "Resource": "*" without a tag condition (secretsmanager:DeleteSecret)',
    ]);
  });

  it('lets tags of a managed database change only where it stays managed (a claimed pool member)', () => {
    const retag = (condition: Statement['Condition']): Statement => ({
      Effect: 'Allow',
      Action: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
      Resource: 'arn:aws:rds:*:*:db:fork-*',
      ...(condition ? { Condition: condition } : {}),
    });
    const managed = { 'aws:ResourceTag/dbfork:managed': 'true' };
    const notTheManagedKey = { 'aws:TagKeys': ['dbfork:managed'] };
    const rule = 'rds create/restore/tag without StringEquals aws:RequestTag/dbfork:managed = "true"';
    expect(
      checkStatement(retag({ StringEquals: managed, 'ForAllValues:StringNotEquals': notTheManagedKey })),
    ).toEqual([]);
    // Any database's tags, or the managed tag itself: refused.
    expect(checkStatement(retag({ 'ForAllValues:StringNotEquals': notTheManagedKey }))).toContain(rule);
    expect(checkStatement(retag({ StringEquals: managed }))).toContain(rule);
  });

  it('flags service-wide action wildcards', () => {
    expect(
      checkStatement({ Effect: 'Allow', Action: 'rds:*', Resource: 'arn:aws:rds:*:*:db:fork-*' }),
    ).toContain('service-wide action wildcard');
  });

  it('accepts the compliant twins of those fixtures', () => {
    const managed = { StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' } };
    const born = { StringEquals: { 'aws:RequestTag/dbfork:managed': 'true' } };
    expect(
      checkStatement({ Effect: 'Allow', Action: 'rds:DeleteDBInstance', Resource: '*', Condition: managed }),
    ).toEqual([]);
    expect(
      checkStatement({
        Effect: 'Allow',
        Action: 'rds:RestoreDBClusterToPointInTime',
        Resource: '*',
        Condition: born,
      }),
    ).toEqual([]);
    expect(
      checkStatement({
        Effect: 'Allow',
        Action: 'secretsmanager:DeleteSecret',
        Resource: '*',
        Condition: managed,
      }),
    ).toEqual([]);
    expect(checkStatement({ Effect: 'Deny', Action: 'rds:*', Resource: '*' })).toEqual([]);
  });

  it('reports where a violation is when one is planted in the template', () => {
    const planted = structuredClone(template);
    planted.Resources.Planted = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyDocument: {
          Statement: [{ Sid: 'Oops', Effect: 'Allow', Action: 'rds:ModifyDBCluster', Resource: '*' }],
        },
        Roles: [{ Ref: functionNamed(template, 'restore').roleLogicalId }],
      },
    };
    expect(findViolations(policyStatements(planted))).toEqual([
      {
        policy: 'Planted',
        sid: 'Oops',
        rule: 'rds Delete*/Modify*/Reboot* without StringEquals aws:ResourceTag/dbfork:managed = "true"',
      },
      {
        policy: 'Planted',
        sid: 'Oops',
        rule: 'destructive action on "Resource": "*" without a tag condition (rds:ModifyDBCluster)',
      },
    ]);
  });
});

describe('RDS permissions', () => {
  it('lets DeleteDBCluster act on both the cluster and cluster-snapshot resource types of forks', () => {
    const [deletes] = statementsWith('rds:DeleteDBCluster');
    const resources = resourcesOf(deletes?.statement ?? {});
    expect(resources.some((r) => r.endsWith(':cluster:fork-*'))).toBe(true);
    expect(resources.some((r) => r.endsWith(':cluster-snapshot:fork-*'))).toBe(true);
    expect(deletes?.statement.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' },
    });
  });

  it('scopes every rds delete, modify and reboot of a database to fork-* ARNs', () => {
    for (const { statement } of statements.filter((s) =>
      actionsOf(s.statement).some((a) => /^rds:(Delete|Reboot)/.test(a)),
    )) {
      for (const resource of resourcesOf(statement))
        expect(resource).toMatch(/:(db|cluster|snapshot|cluster-snapshot):fork-\*$/);
    }
  });

  it("lets only restore restore, and only delete-database, check-gone, the reconciler's database sweep and the RDS-event handler (re-running check-gone) delete", () => {
    const holders = (pattern: RegExp) =>
      functions
        .filter((f) => [...actionsGranted(f.name)].some((a) => pattern.test(a)))
        .map((f) => f.name)
        .sort();
    expect(holders(/^rds:RestoreDB/)).toEqual(['restore']);
    expect(holders(/^rds:Delete/)).toEqual([
      'check-gone',
      'delete-database',
      ORPHAN_DATABASES_FUNCTION,
      RDS_EVENT_FUNCTION,
    ]);
    expect(holders(/^rds:CreateDB(Cluster)?Snapshot$/)).toEqual(['select-backup']);
    expect(holders(/^rds:CreateDBInstance$/)).toEqual([
      'check-database',
      'create-instances',
      RDS_EVENT_FUNCTION,
    ]);
    // The create route (and the command consumer running it) completes a claimed pool member's token.
    expect(holders(/^states:SendTaskSuccess$/)).toEqual([
      API_FUNCTIONS.create,
      'check-database',
      'check-gone',
      'check-snapshot',
      COMMANDS_FUNCTION,
      RDS_EVENT_FUNCTION,
    ]);
    // The pool keeper fails a retired member's token (its workflow then tears it down).
    expect(holders(/^states:SendTaskFailure$/)).toEqual([POOL_KEEPER_FUNCTION, RDS_EVENT_FUNCTION]);
  });

  it('leaves read-only steps and the API without any rds write', () => {
    for (const name of [
      'resolve-source',
      'check-snapshot',
      'check-credentials',
      ...Object.values(API_FUNCTIONS),
    ]) {
      expect(
        [...actionsGranted(name)].filter((a) => RDS_WRITE.test(a)),
        name,
      ).toEqual([]);
    }
  });

  it('puts the RequestTag condition on what a restore or create makes, and names its inputs apart', () => {
    const byAction = (action: string) => statementsWith(action).map((s) => s.statement);
    const born = { StringEquals: { 'aws:RequestTag/dbfork:managed': 'true' } };
    for (const action of ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBClusterFromSnapshot']) {
      const [created, ...inputs] = byAction(action).sort((a) => (a.Condition ? -1 : 1));
      expect(resourcesOf(created ?? {}).map((r) => r.split(':').slice(-2).join(':'))).toEqual([
        'db:fork-*',
        'cluster:fork-*',
      ]);
      expect(created?.Condition).toEqual(born);
      // The snapshot and the groups it names: read-only inputs, never a db or cluster.
      expect(inputs).toHaveLength(1);
      expect(resourcesOf(inputs[0] ?? {}).map((r) => r.split(':').at(-2))).toEqual([
        'snapshot',
        'cluster-snapshot',
        'og',
        'pg',
        'cluster-pg',
        'subgrp',
      ]);
    }
    // Point-in-time and clone: the source is a db/cluster like the fork, so that statement is
    // conditioned on the request's tag too.
    for (const action of ['rds:RestoreDBInstanceToPointInTime', 'rds:RestoreDBClusterToPointInTime']) {
      for (const statement of byAction(action)) {
        const types = resourcesOf(statement).map((r) => r.split(':').at(-2));
        if (types.includes('db') || types.includes('cluster')) expect(statement.Condition).toEqual(born);
      }
    }
  });

  it('lets an instance join only a managed fork cluster, and be born a tagged fork-*', () => {
    const creates = statementsWith('rds:CreateDBInstance').map((s) => s.statement);
    // The same statements on each holder (create-instances, check-database): compare them once.
    const on = (type: string) => [
      ...new Set(
        creates
          .filter((s) => resourcesOf(s).some((r) => r.split(':').at(-2) === type))
          .map((s) => JSON.stringify([resourcesOf(s).map((r) => r.split(':').at(-1)), s.Condition])),
      ),
    ];
    expect(on('db')).toEqual([
      JSON.stringify([['fork-*'], { StringEquals: { 'aws:RequestTag/dbfork:managed': 'true' } }]),
    ]);
    expect(on('cluster')).toEqual([
      JSON.stringify([['fork-*'], { StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' } }]),
    ]);
  });

  it('snapshots a source only into a tagged fork-* snapshot', () => {
    for (const action of ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot']) {
      const statements = statementsWith(action).map((s) => s.statement);
      const into = statements.filter((s) => resourcesOf(s).some((r) => /snapshot:fork-\*$/.test(r)));
      expect(into.map((s) => s.Condition)).toEqual([
        { StringEquals: { 'aws:RequestTag/dbfork:managed': 'true' } },
      ]);
      // The other statement names only the source databases.
      for (const statement of statements.filter((s) => !into.includes(s))) {
        expect(resourcesOf(statement).map((r) => r.split(':').slice(-2).join(':'))).toEqual([
          'db:*',
          'cluster:*',
        ]);
      }
    }
  });

  it('lets RDS create KMS grants only for AWS resources, only through RDS', () => {
    const grants = statementsWith('kms:CreateGrant').map((s) => s.statement);
    expect(grants.length).toBeGreaterThan(0);
    for (const statement of grants) {
      expect(actionsOf(statement)).toEqual(['kms:CreateGrant']);
      expect(statement.Condition?.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
      expect(flattenCfnValue(statement.Condition?.StringEquals?.['kms:ViaService'])).toBe(
        'rds.<AWS::Region>.amazonaws.com',
      );
    }
  });

  it('grants DescribeOrderableDBInstanceOptions to the create route and the command consumer (which runs it) only', () => {
    const holders = functions
      .filter((f) => actionsGranted(f.name).has('rds:DescribeOrderableDBInstanceOptions'))
      .map((f) => f.name)
      .sort();
    expect(holders).toEqual([API_FUNCTIONS.create, COMMANDS_FUNCTION].sort());
  });

  it('gives each API function only what its routes call', () => {
    const writes = (name: string) =>
      [...actionsGranted(name)]
        // What every function has: the fork table (and its key), its own logs, X-Ray.
        .filter((a) => !/:(Describe|List|Get)/.test(a) && !/^(dynamodb|kms|logs|xray):/.test(a))
        .sort();
    // CreateFork, and the token of the warm-pool member a create claims.
    expect(writes(API_FUNCTIONS.create)).toEqual(['states:SendTaskSuccess', 'states:StartExecution']);
    expect(writes(API_FUNCTIONS.forks)).toEqual(
      expect.arrayContaining(['iam:PassRole', 'scheduler:UpdateSchedule', 'states:StartExecution']),
    );
    // The fork routes read the source (a refresh's backup is checked) and never write to RDS.
    const forksRds = [...actionsGranted(API_FUNCTIONS.forks)].filter((a) => a.startsWith('rds:'));
    expect(forksRds.length).toBeGreaterThan(0);
    expect(forksRds.filter((a) => !/^rds:(Describe|List)/.test(a))).toEqual([]);
    expect(writes(API_FUNCTIONS.sources)).toEqual([]);
    expect([...actionsGranted(API_FUNCTIONS.sources)].filter((a) => a.startsWith('states:'))).toEqual([]);
  });

  it('gives the command consumer what the create and fork routes call, and its own queue', () => {
    const writes = [...actionsGranted(COMMANDS_FUNCTION)]
      .filter((a) => !/:(Describe|List|Get)/.test(a) && !/^(dynamodb|kms|logs|xray):/.test(a))
      .sort();
    expect(writes).toEqual([
      'events:PutEvents',
      'iam:PassRole',
      'scheduler:CreateSchedule',
      // Extend moves the expiry and its warning as PATCH does (a fork no longer live loses them).
      'scheduler:DeleteSchedule',
      'scheduler:UpdateSchedule',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:ReceiveMessage',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
    expect([...actionsGranted(COMMANDS_FUNCTION)].filter((a) => RDS_WRITE.test(a))).toEqual([]);
    const [queueId] =
      resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => /CommandsQueue/.test(id)) ?? [];
    for (const statement of statementsOf(COMMANDS_FUNCTION)) {
      if (actionsOf(statement).some((a) => a.startsWith('sqs:'))) {
        expect(resourcesOf(statement)).toEqual([`<${queueId}.Arn>`]);
      }
    }
  });

  it('names every resource dbfork creates with the prefix the IAM ARNs assume', () => {
    const forkId = newForkId();
    expect(forkId.startsWith(FORK_RESOURCE_PREFIX)).toBe(true);
    expect(freshSnapshotId(forkId).startsWith(FORK_RESOURCE_PREFIX)).toBe(true);
    expect(secretName(forkId)).toBe(`dbfork/${forkId}`);
  });
});

describe('Secrets Manager, Route 53, Scheduler, Step Functions and EventBridge permissions', () => {
  const byService = (service: string) =>
    statements.filter(
      (s) =>
        s.statement.Effect === 'Allow' && actionsOf(s.statement).some((a) => a.startsWith(`${service}:`)),
    );

  /** The reconciler's read-only listing, the one secretsmanager/scheduler statement on "*" (checked below). */
  const isListing = (s: LocatedStatement) => s.statement.Sid === 'ListManagedSecretsAndSchedules';

  it('touches only secrets named dbfork/*, and deletes or reads them only when tagged managed', () => {
    const secretStatements = byService('secretsmanager').filter((s) => !isListing(s));
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const { statement } of secretStatements) {
      expect(resourcesOf(statement)).toEqual([
        'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:dbfork/*',
      ]);
      const actions = actionsOf(statement);
      if (actions.some((a) => /:(Delete|Put|Update|GetSecretValue)/.test(a))) {
        expect(statement.Condition, statement.Sid).toEqual({
          StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' },
        });
      }
      if (actions.includes('secretsmanager:CreateSecret')) {
        expect(statement.Condition, statement.Sid).toEqual({
          StringEquals: { 'aws:RequestTag/dbfork:managed': 'true' },
        });
      }
    }
  });

  it('changes only CNAME records under the zone domain, only in the configured hosted zone', () => {
    const dns = byService('route53');
    // remove-dns, register-dns, the reconciler's leftover sweep (an orphan's CNAME, like remove-dns),
    // and a refresh's switch-dns and undo-refresh (the name moved to the new database, or back).
    const writes = dns.filter((s) => actionsOf(s.statement).includes('route53:ChangeResourceRecordSets'));
    expect(writes.length).toBe(5);
    const domain = normalizedRecordDomain(exampleConfig().hostedZone.domain);
    for (const { statement } of writes) {
      expect(actionsOf(statement)).toEqual(['route53:ChangeResourceRecordSets']);
      expect(resourcesOf(statement)).toEqual([
        'arn:<AWS::Partition>:route53:::hostedzone/Z0123456789EXAMPLE',
      ]);
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': `*.${domain}`,
        },
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': 'CNAME' },
      });
    }
    for (const { statement } of dns.filter((s) => !writes.includes(s))) {
      expect(actionsOf(statement)).toEqual(['route53:ListResourceRecordSets']);
    }
  });

  it('normalizes the record-name condition as Route 53 does: lower case, no trailing dot', () => {
    expect(normalizedRecordDomain('Forks.Example.COM.')).toBe('forks.example.com');
    expect(normalizedRecordDomain('forks.example.com')).toBe('forks.example.com');
  });

  it('manages only schedules of the dbfork group and passes only the scheduler role, only to Scheduler', () => {
    for (const { statement } of byService('scheduler').filter((s) => !isListing(s))) {
      expect(resourcesOf(statement)).toEqual([
        'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/dbfork/*',
      ]);
    }
    // schedule-expiry, the fork routes (PATCH), announce-refresh (a refresh's new TTL) and the
    // command consumer (Extend Fork).
    const passRole = statementsWith('iam:PassRole');
    expect(passRole.length).toBe(4);
    const schedulerRole = resourcesOfType(template, 'AWS::IAM::Role').find(([id]) =>
      id.includes('SchedulerRole'),
    )?.[0];
    for (const { statement } of passRole) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [schedulerRole, 'Arn'] });
      expect(statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('lets the scheduler role start the delete machine (expiry) and the refresh machine (recurring refresh) and invoke the expiry warning, and nothing else', () => {
    const schedulerRole = resourcesOfType(template, 'AWS::IAM::Role').find(([id]) =>
      id.includes('SchedulerRole'),
    )?.[0];
    const granted = statements.filter((s) => s.roles.includes(schedulerRole ?? '')).map((s) => s.statement);
    expect(granted.map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['states:StartExecution'], expect.anything()],
      [['states:StartExecution'], expect.anything()],
      [
        ['lambda:InvokeFunction'],
        { 'Fn::GetAtt': [functionNamed(template, EXPIRY_WARNING_FUNCTION).logicalId, 'Arn'] },
      ],
    ]);
    expect(granted.slice(0, 2).flatMap(resourcesOf).sort()).toEqual([
      'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:dbfork-delete',
      'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:dbfork-refresh',
    ]);
  });

  it('lets only the API (and the command consumer running its routes) start workflows (the create route CreateFork, the fork routes DeleteFork and RefreshFork) and the reconciler the delete and refresh', () => {
    const starters = statementsWith('states:StartExecution').filter(
      (s) => !s.roles.some((r) => r.includes('SchedulerRole')),
    );
    const createRole = functionNamed(template, API_FUNCTIONS.create).roleLogicalId;
    const forksRole = functionNamed(template, API_FUNCTIONS.forks).roleLogicalId;
    const reconcilerRole = functionNamed(template, RECONCILER_FUNCTION).roleLogicalId;
    const commandsRole = functionNamed(template, COMMANDS_FUNCTION).roleLogicalId;
    const keeperRole = functionNamed(template, POOL_KEEPER_FUNCTION).roleLogicalId;
    expect([...new Set(starters.flatMap((s) => s.roles))].sort()).toEqual(
      [createRole, forksRole, reconcilerRole, commandsRole, keeperRole].sort(),
    );
    const machinesOf = (role: string) =>
      starters
        .filter((s) => s.roles.includes(role))
        .flatMap((s) => resourcesOf(s.statement))
        .sort();
    const machine = (name: string) =>
      `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}`;
    expect(machinesOf(createRole)).toEqual([machine('dbfork-create')]);
    expect(machinesOf(forksRole)).toEqual([machine('dbfork-delete'), machine('dbfork-refresh')]);
    expect(machinesOf(reconcilerRole)).toEqual([machine('dbfork-delete'), machine('dbfork-refresh')]);
    // The pool keeper: members' creates, and the cleanup of one whose workflow is gone.
    expect(machinesOf(keeperRole)).toEqual([machine('dbfork-create'), machine('dbfork-delete')]);
    // The command consumer runs the create route and the fork routes: what both start.
    expect(machinesOf(commandsRole)).toEqual([
      machine('dbfork-create'),
      machine('dbfork-delete'),
      machine('dbfork-refresh'),
    ]);
  });

  it('gives each reconciler sweep only what it does: the fork sweep starts DeleteFork, the orphan sweeps make the tag-conditioned deletes of the delete steps', () => {
    const writesOf = (name: string) =>
      [...actionsGranted(name)]
        .filter(
          (a) =>
            !/:(Describe|List|Get)/.test(a) &&
            !/^(dynamodb|kms|logs|xray):/.test(a) &&
            !['kms:Decrypt', 'kms:Encrypt'].includes(a),
        )
        .sort();
    expect(writesOf(RECONCILER_FUNCTION)).toEqual(['states:StartExecution']);
    expect(writesOf(ORPHAN_DATABASES_FUNCTION)).toEqual([
      'rds:DeleteDBCluster',
      'rds:DeleteDBClusterSnapshot',
      'rds:DeleteDBInstance',
      'rds:DeleteDBSnapshot',
    ]);
    expect(writesOf(ORPHAN_LEFTOVERS_FUNCTION)).toEqual([
      'route53:ChangeResourceRecordSets',
      'scheduler:DeleteSchedule',
      'secretsmanager:DeleteSecret',
    ]);
    expect(writesOf(POOL_KEEPER_FUNCTION)).toEqual(['states:SendTaskFailure', 'states:StartExecution']);
    for (const name of RECONCILER_FUNCTIONS) {
      for (const statement of statementsOf(name)) {
        const actions = actionsOf(statement);
        if (actions.some((a) => /^(rds|secretsmanager):Delete/.test(a))) {
          expect(statement.Condition, statement.Sid).toEqual({
            StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' },
          });
        }
        if (resourcesOf(statement).includes('*')) {
          // (A task token names no resource: SendTaskFailure is granted on "*", as every wait's is.)
          expect(
            actions.every(
              (a) => /:(Describe|List)/.test(a) || a.startsWith('xray:') || a === 'states:SendTaskFailure',
            ),
            statement.Sid,
          ).toBe(true);
        }
      }
    }
    const [listing] = statements.filter(isListing);
    expect(listing?.roles).toEqual([functionNamed(template, ORPHAN_LEFTOVERS_FUNCTION).roleLogicalId]);
    expect(actionsOf(listing?.statement ?? {}).sort()).toEqual([
      'scheduler:ListSchedules',
      'secretsmanager:ListSecrets',
    ]);
  });

  it('publishes events only to the dbfork bus, from the functions that announce lifecycle changes', () => {
    const [busId] = resourcesOfType(template, 'AWS::Events::EventBus')[0] ?? [];
    const publishers = functions
      .filter((f) => actionsGranted(f.name).has('events:PutEvents'))
      .map((f) => f.name);
    expect(publishers.sort()).toEqual([
      'announce-refresh',
      COMMANDS_FUNCTION,
      EXPIRY_WARNING_FUNCTION,
      'mark-deleted',
      'mark-failed',
      'mark-ready',
      'mark-refresh-failed',
      'resolve-source',
      // `Fork Requested` of a fork that claimed a warm-pool member.
      'rotate-credentials',
    ]);
    for (const { statement } of statementsWith('events:PutEvents')) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    }
  });

  it('gives every function read/write on the fork table (and its indexes) and nothing else in DynamoDB', () => {
    const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0] ?? [];
    for (const fn of functions) {
      const dynamo = statementsOf(fn.name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.flatMap(actionsOf), fn.name).toEqual(
        expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']),
      );
      for (const statement of dynamo) {
        expect(resourcesOf(statement), fn.name).toEqual([`<${tableId}.Arn>`, `<${tableId}.Arn>/index/*`]);
      }
    }
  });
});

describe('FUNCTION_CAPABILITIES', () => {
  it('covers exactly the functions in the stack (run-hook only exists with a post-restore hook)', () => {
    expect(Object.keys(FUNCTION_CAPABILITIES).sort()).toEqual(
      [...functions.map((f) => f.name), 'run-hook'].sort(),
    );
    const withHook = dbforkFunctions(
      synthesizeTemplate({ ...exampleConfig(), postRestoreHook: { default: 'mask-pii' } }),
    );
    expect(Object.keys(FUNCTION_CAPABILITIES).sort()).toEqual(withHook.map((f) => f.name).sort());
  });

  it('keeps every function role free of AWS managed policies', () => {
    for (const fn of functions) {
      const role = template.Resources[fn.roleLogicalId];
      expect(role && props(role).ManagedPolicyArns, fn.name).toBeUndefined();
    }
  });
});
