/**
 * The IAM safety rules of DESIGN.md §3.1 as a walker over a synthesized template's policy
 * statements. Used on the real template and on hand-made non-compliant fixtures.
 */
import { flattenCfnValue } from '../../lib/nag-suppressions.js';
import type { CfnTemplate } from '../../local/synth.js';

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface LocatedStatement {
  /** Logical id of the AWS::IAM::Policy / AWS::IAM::Role holding it. */
  readonly policy: string;
  /** Logical ids of the roles the policy is attached to. */
  readonly roles: readonly string[];
  readonly statement: Statement;
}

export interface Violation {
  readonly policy: string;
  readonly sid: string | undefined;
  readonly rule: string;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export const actionsOf = (s: Statement): string[] => asArray(s.Action);
export const resourcesOf = (s: Statement): string[] => asArray(s.Resource).map(flattenCfnValue);

/** Every identity-policy statement of the template (AWS::IAM::Policy and roles' inline policies). */
export function policyStatements(template: CfnTemplate): LocatedStatement[] {
  const out: LocatedStatement[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = asArray(props.Roles as { Ref: string }[] | undefined).map((r) => r.Ref);
      const document = props.PolicyDocument as { Statement?: Statement[] };
      for (const statement of document.Statement ?? []) out.push({ policy: logicalId, roles, statement });
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const inline of asArray(
        props.Policies as { PolicyDocument: { Statement?: Statement[] } }[] | undefined,
      )) {
        for (const statement of inline.PolicyDocument.Statement ?? []) {
          out.push({ policy: logicalId, roles: [logicalId], statement });
        }
      }
    }
  }
  return out;
}

const MANAGED_KEY = 'dbfork:managed';

function requiresTag(statement: Statement, kind: 'ResourceTag' | 'RequestTag'): boolean {
  return statement.Condition?.StringEquals?.[`aws:${kind}/${MANAGED_KEY}`] === 'true';
}

function hasAnyTagCondition(statement: Statement): boolean {
  return Object.values(statement.Condition ?? {}).some((block) =>
    Object.keys(block).some((key) => /^aws:(ResourceTag|RequestTag)\//.test(key)),
  );
}

/** rds actions that change or remove an existing database or snapshot. */
const RDS_MUTATING = /^rds:(Delete|Modify|Reboot)/;
/** rds actions that create something (and so must tag it as dbfork's at birth). */
const RDS_CREATING =
  /^rds:(RestoreDB.*|CreateDBInstance|CreateDBClusterSnapshot|CreateDBSnapshot|AddTagsToResource)$/;
/** The rds resource type each creating action creates (AddTagsToResource: any it tags). */
const CREATED_TYPE: readonly [RegExp, RegExp][] = [
  [/^rds:RestoreDBInstance/, /^db$/],
  [/^rds:RestoreDBCluster/, /^cluster$/],
  [/^rds:CreateDBInstance$/, /^db$/],
  [/^rds:CreateDBSnapshot$/, /^snapshot$/],
  [/^rds:CreateDBClusterSnapshot$/, /^cluster-snapshot$/],
  [/^rds:AddTagsToResource$/, /.*/],
];

/** The rds resource type of an ARN pattern (`arn:…:rds:…:db:fork-*` → db); undefined for "*" or others. */
function rdsTypeOf(resource: string): string | undefined {
  // The last two segments: the partition/region/account may be flattened tokens with colons.
  return /^arn:.*:rds:.*:([a-z-]+):[^:]*$/.exec(resource)?.[1];
}

/**
 * A create/restore is authorized on what it creates and on the inputs it names (snapshots, groups,
 * the source). True when no resource of the statement can be what one of its actions creates: such a
 * statement names read-only inputs and needs no RequestTag condition (what the call creates is
 * checked by a statement that has it).
 */
export function onlyNamesInputs(statement: Statement): boolean {
  const resources = resourcesOf(statement);
  const creating = actionsOf(statement).filter((a) => RDS_CREATING.test(a));
  return (
    resources.length > 0 &&
    resources.every((resource) => {
      const type = rdsTypeOf(resource);
      return (
        type !== undefined &&
        creating.every((action) =>
          CREATED_TYPE.every(([act, created]) => !act.test(action) || !created.test(type)),
        )
      );
    })
  );
}

/**
 * The one documented exception to "rds tagging needs the RequestTag condition": retagging what is
 * already dbfork's (a claimed warm-pool member takes its fork's tags). Only AddTagsToResource /
 * RemoveTagsFromResource, only on resources tagged dbfork:managed=true, and never the managed tag
 * itself (ForAllValues:StringNotEquals aws:TagKeys), so no database is made or unmade dbfork's.
 */
export function onlyRetagsManaged(statement: Statement): boolean {
  const keys = statement.Condition?.['ForAllValues:StringNotEquals']?.['aws:TagKeys'];
  const excluded = Array.isArray(keys) ? keys : keys === undefined ? [] : [keys];
  return (
    actionsOf(statement).every((a) => a === 'rds:AddTagsToResource' || a === 'rds:RemoveTagsFromResource') &&
    requiresTag(statement, 'ResourceTag') &&
    excluded.includes(MANAGED_KEY)
  );
}

/** Any destructive verb, any service. */
const DESTRUCTIVE = /^[a-z0-9-]+:(Delete|Modify|Put|Reboot|Restore)/;

/**
 * The one documented exception to "rds Modify* needs the ResourceTag condition": a statement whose
 * every resource is a parameter or option group. ModifyDB* also authorizes the group it attaches to
 * the fork; that group (the source's) is attached, not changed. The fork itself stays tag-guarded.
 */
export function onlyAttachesGroups(statement: Statement): boolean {
  const resources = resourcesOf(statement);
  return (
    resources.length > 0 &&
    resources.every((r) => /^arn:.*:rds:.*:(pg|cluster-pg|og):[^:]*$/.test(r)) &&
    actionsOf(statement).every((a) => a === 'rds:ModifyDBInstance' || a === 'rds:ModifyDBCluster')
  );
}

/**
 * Actions allowed on `"Resource": "*"` without a tag condition although their verb looks destructive:
 * they have no resource-level permissions and change no database, secret, record or schedule.
 */
export const UNTAGGABLE_WRITES: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray trace upload (Tracing.ACTIVE); X-Ray has no resource ARNs',
  'xray:PutTelemetryRecords': 'X-Ray telemetry upload; X-Ray has no resource ARNs',
  'logs:PutResourcePolicy':
    'Step Functions vended logs delivery (AWS-documented, no resource-level permissions)',
  'logs:DeleteLogDelivery':
    'Step Functions vended logs delivery (AWS-documented, no resource-level permissions)',
};

/** Checks one statement against the rules; returns the names of the rules it breaks. */
export function checkStatement(statement: Statement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const broken: string[] = [];
  const actions = actionsOf(statement);
  if (
    actions.some((a) => RDS_MUTATING.test(a)) &&
    !requiresTag(statement, 'ResourceTag') &&
    !onlyAttachesGroups(statement)
  ) {
    broken.push('rds Delete*/Modify*/Reboot* without StringEquals aws:ResourceTag/dbfork:managed = "true"');
  }
  if (
    actions.some((a) => RDS_CREATING.test(a)) &&
    !requiresTag(statement, 'RequestTag') &&
    !onlyNamesInputs(statement) &&
    !onlyRetagsManaged(statement)
  ) {
    broken.push('rds create/restore/tag without StringEquals aws:RequestTag/dbfork:managed = "true"');
  }
  if (actions.some((a) => a === '*' || a.endsWith(':*'))) broken.push('service-wide action wildcard');
  const onEverything = resourcesOf(statement).includes('*');
  const destructive = actions.filter((a) => DESTRUCTIVE.test(a) && !(a in UNTAGGABLE_WRITES));
  if (onEverything && destructive.length > 0 && !hasAnyTagCondition(statement)) {
    broken.push(`destructive action on "Resource": "*" without a tag condition (${destructive.join(', ')})`);
  }
  return broken;
}

export function findViolations(statements: readonly LocatedStatement[]): Violation[] {
  return statements.flatMap(({ policy, statement }) =>
    checkStatement(statement).map((rule) => ({ policy, sid: statement.Sid, rule })),
  );
}
