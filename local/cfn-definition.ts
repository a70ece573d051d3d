/**
 * Renders a synthesized `AWS::StepFunctions::StateMachine` to an ASL object: its `DefinitionString`
 * (an `Fn::Join` of JSON text and intrinsics such as `{"Fn::GetAtt": [fn, "Arn"]}`) is resolved with
 * placeholder values — a function's ARN is `arn:aws:lambda:us-east-1:123456789012:function:<logicalId>`.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type CfnResource,
  type CloudFormationTemplate,
  isRecord,
  listNames,
  type PlaceholderOptions,
  StateMachineBindError,
  type StateMachineSelector,
} from './state-machine-types.js';

export interface Placeholders {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

export function placeholders(options: PlaceholderOptions): Placeholders {
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    partition: options.partition ?? 'aws',
  };
}

/** Placeholder ARN of a Lambda function, by logical id. */
export function placeholderFunctionArn(logicalId: string, options: PlaceholderOptions = {}): string {
  const p = placeholders(options);
  return `arn:${p.partition}:lambda:${p.region}:${p.accountId}:function:${logicalId}`;
}

function findStateMachine(
  template: CloudFormationTemplate,
  selector: StateMachineSelector,
): [string, CfnResource] {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (typeof selector === 'string') {
    const found = machines.find(([id]) => id === selector);
    if (found === undefined) {
      throw new StateMachineBindError(
        `no AWS::StepFunctions::StateMachine '${selector}' in the template (found: ${listNames(machines.map(([id]) => id))})`,
      );
    }
    return found;
  }
  const matches = machines.filter(([id, resource]) => selector(id, resource));
  const [first, ...others] = matches;
  if (first === undefined || others.length > 0) {
    throw new StateMachineBindError(
      `the state machine predicate matched ${matches.length} of ${listNames(machines.map(([id]) => id))}; it must match exactly one`,
    );
  }
  return first;
}

/** Renders the definition of a synthesized state machine to an ASL object. */
export function renderStateMachineDefinition(
  template: CloudFormationTemplate,
  stateMachine: StateMachineSelector,
  options: PlaceholderOptions = {},
): { logicalId: string; definition: StateMachineDefinition } {
  const [logicalId, resource] = findStateMachine(template, stateMachine);
  const properties = resource.Properties ?? {};
  const resolver = new IntrinsicResolver(template, placeholders(options));
  let text: string;
  if (properties.Definition !== undefined && properties.DefinitionString === undefined) {
    text = JSON.stringify(resolver.resolveDeep(properties.Definition));
  } else if (properties.DefinitionString !== undefined) {
    text = resolver.resolveString(properties.DefinitionString, 'DefinitionString');
  } else {
    throw new StateMachineBindError(`state machine '${logicalId}' has no DefinitionString or Definition`);
  }
  const substitutions = properties.DefinitionSubstitutions;
  if (isRecord(substitutions)) {
    for (const [key, value] of Object.entries(substitutions)) {
      text = text.split(`\${${key}}`).join(resolver.resolveString(value, `DefinitionSubstitutions.${key}`));
    }
  }
  try {
    return { logicalId, definition: JSON.parse(text) as StateMachineDefinition };
  } catch (error) {
    throw new StateMachineBindError(`state machine '${logicalId}': the rendered definition is not JSON`, {
      cause: error,
    });
  }
}

const ARN_SERVICE_BY_TYPE: Record<string, (id: string, p: Placeholders) => string> = {
  'AWS::Lambda::Function': (id, p) => `arn:${p.partition}:lambda:${p.region}:${p.accountId}:function:${id}`,
  'AWS::StepFunctions::StateMachine': (id, p) =>
    `arn:${p.partition}:states:${p.region}:${p.accountId}:stateMachine:${id}`,
  'AWS::DynamoDB::Table': (id, p) => `arn:${p.partition}:dynamodb:${p.region}:${p.accountId}:table/${id}`,
  'AWS::Events::EventBus': (id, p) => `arn:${p.partition}:events:${p.region}:${p.accountId}:event-bus/${id}`,
  'AWS::SQS::Queue': (id, p) => `arn:${p.partition}:sqs:${p.region}:${p.accountId}:${id}`,
  'AWS::SNS::Topic': (id, p) => `arn:${p.partition}:sns:${p.region}:${p.accountId}:${id}`,
  'AWS::IAM::Role': (id, p) => `arn:${p.partition}:iam::${p.accountId}:role/${id}`,
  'AWS::Scheduler::ScheduleGroup': (id, p) =>
    `arn:${p.partition}:scheduler:${p.region}:${p.accountId}:schedule-group/${id}`,
};

class IntrinsicResolver {
  constructor(
    private readonly template: CloudFormationTemplate,
    private readonly p: Placeholders,
  ) {}

  resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== 'string') {
      throw new StateMachineBindError(`${where} resolved to ${JSON.stringify(resolved)}, not a string`);
    }
    return resolved;
  }

  /** Resolves intrinsics anywhere inside a JSON value (for `Definition` objects). */
  resolveDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(item));
    if (isRecord(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) {
        return this.resolve(value, keys[0]);
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveDeep(v)]));
    }
    return value;
  }

  private resolve(value: unknown, where: string): unknown {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (!isRecord(value))
      throw new StateMachineBindError(`${where}: cannot resolve ${JSON.stringify(value)}`);
    const [fn, ...rest] = Object.keys(value);
    if (fn === undefined || rest.length > 0) {
      throw new StateMachineBindError(
        `${where}: expected one intrinsic function, got ${JSON.stringify(value)}`,
      );
    }
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, ...attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        if (id === undefined || attribute.length === 0)
          throw new StateMachineBindError(`${where}: bad Fn::GetAtt`);
        return this.getAtt(id, attribute.join('.'));
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(arg[1])) {
          throw new StateMachineBindError(`${where}: bad Fn::Join`);
        }
        const separator = String(arg[0]);
        return (arg[1] as unknown[]).map((part) => this.resolveString(part, where)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        return this.sub(String(text), isRecord(variables) ? variables : {}, where);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new StateMachineBindError(`${where}: bad Fn::Select`);
        const list = this.resolve(arg[1], where);
        const item = Array.isArray(list) ? list[Number(this.resolve(arg[0], where))] : undefined;
        if (item === undefined) throw new StateMachineBindError(`${where}: Fn::Select out of range`);
        return item;
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new StateMachineBindError(`${where}: bad Fn::Split`);
        return this.resolveString(arg[1], where).split(String(arg[0]));
      }
      default:
        throw new StateMachineBindError(`${where}: ${fn} is not supported by the offline runner`);
    }
  }

  private sub(text: string, variables: Record<string, unknown>, where: string): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in variables) return this.resolveString(variables[name], where);
      const [id, ...attribute] = name.split('.');
      if (id !== undefined && attribute.length > 0) return this.getAtt(id, attribute.join('.'));
      return this.ref(name);
    });
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return this.p.partition;
      case 'AWS::Region':
        return this.p.region;
      case 'AWS::AccountId':
        return this.p.accountId;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'dbfork';
      case 'AWS::StackId':
        return `arn:${this.p.partition}:cloudformation:${this.p.region}:${this.p.accountId}:stack/dbfork/00000000-0000-0000-0000-000000000000`;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) return String(parameter.Default ?? name);
    const resource = this.template.Resources?.[name];
    if (resource === undefined) throw new StateMachineBindError(`Ref to unknown resource '${name}'`);
    // Ref gives the ARN for these types, the name/id for the others.
    if (['AWS::StepFunctions::StateMachine', 'AWS::SNS::Topic'].includes(resource.Type)) {
      return this.getAtt(name, 'Arn');
    }
    if (resource.Type === 'AWS::SQS::Queue') {
      return `https://sqs.${this.p.region}.amazonaws.com/${this.p.accountId}/${name}`;
    }
    return name;
  }

  private getAtt(id: string, attribute: string): string {
    const resource = this.template.Resources?.[id];
    if (resource === undefined) throw new StateMachineBindError(`Fn::GetAtt of unknown resource '${id}'`);
    if (attribute === 'Arn') {
      const arn = ARN_SERVICE_BY_TYPE[resource.Type];
      if (arn !== undefined) return arn(id, this.p);
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:${this.p.partition}:${service}:${this.p.region}:${this.p.accountId}:${id}`;
    }
    if (attribute === 'Name') return id;
    return `${id}.${attribute}`;
  }
}
