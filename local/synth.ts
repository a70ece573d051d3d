/**
 * Builds the dbfork stack in-process and returns its CloudFormation template, for the offline
 * runner and the tests. Bundling is skipped by default (context `aws:cdk:bundling-stacks: []`),
 * so a synth takes about a second and needs neither esbuild output nor an AWS account.
 *
 * The workflow definitions: each AWS::StepFunctions::StateMachine's `DefinitionString` is an
 * `{"Fn::Join": ["", [...parts]]}` whose parts are strings and `{"Fn::GetAtt": [<FunctionLogicalId>,
 * "Arn"]}` tokens (the Task states' `Resource`). `definitionJoins()` returns those raw joins keyed
 * `create` / `delete` / `refresh`; `renderDefinitions()` renders them to ASL objects with placeholder ARNs
 * `arn:aws:lambda:us-east-1:123456789012:function:dbfork-<step>` (the step name comes from the
 * function's DBFORK_STEP environment variable), so a Task can be bound to its handler by ARN or
 * by state name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { STEP_ENV_VAR } from '../lambdas/steps/step-names.js';
import type { StackConfigInput } from '../lib/config.js';
import { DbForkStack } from '../lib/dbfork.stack.js';
import { PROJECT_ROOT } from '../lib/dbfork-function.js';
import { NAMES } from '../lib/names.js';

export type CfnTemplate = Record<string, unknown> & {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

export interface SynthOptions {
  /** Run esbuild for every function (slow: seconds per function). @default false */
  readonly bundle?: boolean;
  /**
   * Register the cdk-nag AwsSolutions and Serverless packs as validation plugins, as bin/app.ts
   * does (an unacknowledged error then fails the synth). @default false
   */
  readonly nag?: boolean;
  /**
   * Run CDK's built-in CloudFormation template validation (on in `cdk synth`; ~6 s). The infra
   * tests run cfn-lint on the template instead. @default false
   */
  readonly validate?: boolean;
  /** Stack id. @default 'DbFork' */
  readonly stackId?: string;
}

type CdkJson = { context?: Record<string, unknown> };

function cdkJson(): CdkJson {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as CdkJson;
}

/** The example configuration of cdk.json (context `dbfork`). */
export function exampleConfig(): StackConfigInput {
  return cdkJson().context?.dbfork as StackConfigInput;
}

/** The app and stack, built the way bin/app.ts builds them (same cdk.json context). */
export function buildStack(config: StackConfigInput = exampleConfig(), opts: SynthOptions = {}) {
  const app = new App({
    builtinCloudFormationValidation: opts.validate ?? false,
    context: {
      ...cdkJson().context,
      dbfork: config,
      ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new DbForkStack(app, opts.stackId ?? 'DbFork', { config });
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

/** The synthesized CloudFormation template of the dbfork stack. */
export function synthesizeTemplate(config?: StackConfigInput, opts: SynthOptions = {}): CfnTemplate {
  const { stack } = buildStack(config, opts);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

export type FnJoin = { 'Fn::Join': [string, unknown[]] };
export type WorkflowName = 'create' | 'delete' | 'refresh';

const MACHINE_NAMES: Record<WorkflowName, string> = {
  create: NAMES.createStateMachine,
  delete: NAMES.deleteStateMachine,
  refresh: NAMES.refreshStateMachine,
};

/** The raw `Fn::Join` of each state machine's DefinitionString, keyed `create` / `delete` / `refresh`. */
export function definitionJoins(template: CfnTemplate): Record<WorkflowName, FnJoin> {
  const find = (name: string): FnJoin => {
    const machine = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === name,
    );
    const definition = machine?.Properties?.DefinitionString as FnJoin | undefined;
    if (!definition?.['Fn::Join']) throw new Error(`state machine ${name} has no Fn::Join DefinitionString`);
    return definition;
  };
  return {
    create: find(MACHINE_NAMES.create),
    delete: find(MACHINE_NAMES.delete),
    refresh: find(MACHINE_NAMES.refresh),
  };
}

/** Logical id of every step function → its step name (from the DBFORK_STEP environment variable). */
export function stepsByLogicalId(template: CfnTemplate): Record<string, string> {
  const steps: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const env = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const step = env?.[STEP_ENV_VAR];
    if (typeof step === 'string') steps[logicalId] = step;
  }
  return steps;
}

/** Placeholder ARN of a step function in rendered definitions. */
export function placeholderFunctionArn(step: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:dbfork-${step}`;
}

/**
 * Renders a definition join to its ASL JSON text. Each token part is passed to `resolveToken`;
 * by default a `Fn::GetAtt` of a step function becomes `placeholderFunctionArn(step)`.
 */
export function renderDefinition(
  join: FnJoin,
  template: CfnTemplate,
  resolveToken?: (token: unknown) => string,
): string {
  const steps = stepsByLogicalId(template);
  const resolve =
    resolveToken ??
    ((token: unknown) => {
      // `.waitForTaskToken` Tasks name their integration `arn:${AWS::Partition}:states:::…`.
      if ((token as { Ref?: unknown }).Ref === 'AWS::Partition') return 'aws';
      const getAtt = (token as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      const step = getAtt ? steps[getAtt[0]] : undefined;
      if (!step) throw new Error(`cannot render definition token ${JSON.stringify(token)}`);
      return placeholderFunctionArn(step);
    });
  const [separator, parts] = join['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : resolve(part))).join(separator);
}

/** Every definition as an ASL object, Task Resources rendered as placeholder ARNs. */
export function renderDefinitions(template: CfnTemplate): Record<WorkflowName, Record<string, unknown>> {
  const joins = definitionJoins(template);
  const render = (name: WorkflowName) =>
    JSON.parse(renderDefinition(joins[name], template)) as Record<string, unknown>;
  return { create: render('create'), delete: render('delete'), refresh: render('refresh') };
}
