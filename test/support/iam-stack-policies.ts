/**
 * The identity policies of each dbfork function, read from the synthesized template of the real
 * stack and resolved to concrete strings for one environment (region, account, and the names the
 * emulator gave the table, bus, zone and scheduler role), ready for the evaluator.
 */
import type { CfnTemplate } from '../../local/synth.js';
import { policyStatements } from '../infra/iam-rules.js';
import { dbforkFunctions } from '../infra/template.js';
import type { PolicyStatement } from './iam-evaluator.js';

export interface StackBindings {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly tableName: string;
  readonly eventBusName: string;
  readonly schedulerRoleArn: string;
  /** The expiry-warning function's ARN as the emulator's runtime names it (the warning schedules' target). */
  readonly expiryWarningFunctionArn?: string;
  /** The zone id the template was synthesized with, and the one the emulator gave the zone. */
  readonly hostedZone?: { readonly synthesized: string; readonly actual: string };
}

/** Resolves a CloudFormation value (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split) to a string. */
function resolver(template: CfnTemplate, bindings: StackBindings) {
  const { partition, region, account } = bindings;
  const pseudo: Record<string, string> = {
    'AWS::Partition': partition,
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arnOf = (logicalId: string): string => {
    const resource = template.Resources[logicalId];
    switch (resource?.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${bindings.tableName}`;
      case 'AWS::Events::EventBus':
        return `arn:${partition}:events:${region}:${account}:event-bus/${bindings.eventBusName}`;
      case 'AWS::IAM::Role':
        return logicalId.includes('SchedulerRole')
          ? bindings.schedulerRoleArn
          : `arn:${partition}:iam::${account}:role/${logicalId}`;
      case 'AWS::KMS::Key':
        return `arn:${partition}:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::Lambda::Function': {
        const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> })
          ?.Variables;
        return variables?.DBFORK_FUNCTION === 'expiry-warning' && bindings.expiryWarningFunctionArn
          ? bindings.expiryWarningFunctionArn
          : `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
      }
      default:
        // Nothing a recorded call names: such a resource can match no request.
        return `arn:unresolved:${logicalId}`;
    }
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const zone = bindings.hostedZone;
      return zone ? value.replace(`hostedzone/${zone.synthesized}`, `hostedzone/${zone.actual}`) : value;
    }
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') return pseudo[node.Ref] ?? arnOf(node.Ref);
    const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return arnOf(getAtt[0]);
    const join = node['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map((part) => resolve(part)).join(join[0]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

/** Function name (step name, 'api', 'reconciler') → the statements of the policies on its role. */
export function functionPolicies(
  template: CfnTemplate,
  bindings: StackBindings,
): Map<string, PolicyStatement[]> {
  const resolve = resolver(template, bindings);
  const statements = policyStatements(template);
  const out = new Map<string, PolicyStatement[]>();
  for (const fn of dbforkFunctions(template)) {
    out.set(
      fn.name,
      statements
        .filter((s) => s.roles.includes(fn.roleLogicalId))
        .map((s) => resolve(s.statement) as PolicyStatement),
    );
  }
  return out;
}

/** The statements of the role EventBridge Scheduler assumes to invoke the schedules' targets. */
export function schedulerRolePolicy(template: CfnTemplate, bindings: StackBindings): PolicyStatement[] {
  const resolve = resolver(template, bindings);
  return policyStatements(template)
    .filter((s) => s.roles.some((role) => role.includes('SchedulerRole')))
    .map((s) => resolve(s.statement) as PolicyStatement);
}
