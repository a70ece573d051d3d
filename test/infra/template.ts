/** Shared lookups over a synthesized dbfork template (each test file synthesizes once). */
import type { CfnTemplate } from '../../local/synth.js';

export type Resource = CfnTemplate['Resources'][string] & {
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function resourcesOfType(template: CfnTemplate, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type) as [string, Resource][];
}

export function onlyResourceOfType(template: CfnTemplate, type: string): [string, Resource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
}

export function props(resource: Resource): Record<string, unknown> {
  return resource.Properties ?? {};
}

export type FunctionInfo = {
  readonly logicalId: string;
  /** The step name (DBFORK_STEP), or the function's DBFORK_FUNCTION (`api-create`, `reconciler`…). */
  readonly name: string;
  readonly roleLogicalId: string;
  readonly env: Record<string, unknown>;
  readonly properties: Record<string, unknown>;
};

/** Every dbfork Lambda, named by its DBFORK_STEP or DBFORK_FUNCTION. */
export function dbforkFunctions(template: CfnTemplate): FunctionInfo[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
    const p = props(resource);
    const env = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    const role = (p.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const name =
      typeof env.DBFORK_STEP === 'string'
        ? env.DBFORK_STEP
        : typeof env.DBFORK_FUNCTION === 'string'
          ? env.DBFORK_FUNCTION
          : `unnamed ${logicalId}`;
    return { logicalId, name, roleLogicalId: role, env, properties: p };
  });
}

export function functionNamed(template: CfnTemplate, name: string): FunctionInfo {
  const fn = dbforkFunctions(template).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name}`);
  return fn;
}
