/**
 * The post-restore hook in the synthesized stack: a RunHook state between the credentials and the
 * DNS name (CreateFork) and between the new database's credentials and the switch (RefreshFork), a
 * run-hook function that outlives the hook's timeout and may invoke exactly the
 * configured functions — and none of it without a hook configured.
 */
import aslValidator from 'asl-validator';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DbForkConfigError, parseConfig } from '../../lib/config.js';
import { buildStack, exampleConfig, renderDefinitions, synthesizeTemplate } from '../../local/synth.js';
import { actionsOf, findViolations, policyStatements, resourcesOf } from './iam-rules.js';
import { dbforkFunctions, functionNamed } from './template.js';

const HOOK_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:seed-demo:live';
const withHook = {
  ...exampleConfig(),
  postRestoreHook: { default: 'mask-pii', allowed: [HOOK_ARN], timeoutSeconds: 120 },
};
const template = synthesizeTemplate(withHook);
const plain = synthesizeTemplate();

type State = {
  Type: string;
  Next?: string;
  Choices?: { Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
};
const createOf = (t: typeof template) =>
  renderDefinitions(t).create as { States: Record<string, State>; StartAt: string };
const refreshOf = (t: typeof template) =>
  renderDefinitions(t).refresh as { States: Record<string, State>; StartAt: string };

/** The statements on the dbfork functions' roles (the state machines' roles invoke the steps). */
function functionStatements(t: typeof template) {
  const roles = new Set(dbforkFunctions(t).map((f) => f.roleLogicalId));
  return policyStatements(t).filter((s) => s.roles.some((role) => roles.has(role)));
}

function configError(postRestoreHook: unknown): string {
  try {
    parseConfig({ ...exampleConfig(), postRestoreHook });
  } catch (error) {
    expect(error).toBeInstanceOf(DbForkConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('postRestoreHook config', () => {
  it('defaults the timeout to 300 s and takes names and (qualified) ARNs', () => {
    expect(
      parseConfig({ ...exampleConfig(), postRestoreHook: { default: 'mask-pii' } }).postRestoreHook,
    ).toEqual({ default: 'mask-pii', allowed: [], timeoutSeconds: 300 });
    expect(parseConfig(withHook).postRestoreHook?.allowed).toEqual([HOOK_ARN]);
  });

  it('fails the synth naming the field of a bad value', () => {
    expect(configError({ default: 'mask pii!' })).toBe(
      'dbfork config: postRestoreHook.default must be a Lambda function name (letters, digits, - and _, at most 64) or a function ARN',
    );
    expect(configError({ default: 'mask', allowed: ['arn:aws:s3:::bucket'] })).toMatch(
      /^dbfork config: postRestoreHook\.allowed\.0 must be a Lambda function name/,
    );
    // Lambda runs the step that waits for the hook at most 900 s; it needs a minute of its own.
    expect(configError({ default: 'mask', timeoutSeconds: 900 })).toBe(
      'dbfork config: postRestoreHook.timeoutSeconds Too big: expected number to be <=840',
    );
    expect(configError({})).toBe(
      'dbfork config: postRestoreHook needs a default or at least one allowed hook',
    );
    expect(configError({ default: 'mask', retries: 2 })).toBe(
      'dbfork config: postRestoreHook.retries is not a known field',
    );
    expect(() => synthesizeTemplate({ ...exampleConfig(), postRestoreHook: { allowed: ['a b'] } })).toThrow(
      /^dbfork config: postRestoreHook\.allowed\.0 must be a Lambda function name/,
    );
  });
});

describe('CreateFork with a post-restore hook', () => {
  const create = createOf(template);

  it('runs the hook once the credentials are ready, before the DNS name is registered', () => {
    // (A warm-pool member parks first; the fork that claims it comes back here and runs the hook.)
    expect(create.States['CredentialsReady?']?.Choices?.map((c) => c.Next)).toEqual([
      'ParkMember',
      'RunHook',
    ]);
    expect(create.States.RunHook?.Next).toBe('RegisterDns');
    expect(aslValidator(create).isValid).toBe(true);
  });

  it('retries only what never reached the hook, and sends every failure to the cleanup', () => {
    const retried = create.States.RunHook?.Retry?.flatMap((r) => r.ErrorEquals) ?? [];
    expect(retried).toContain('TransientAwsError');
    expect(retried).not.toContain('PostRestoreHookError');
    expect(retried).not.toContain('PostRestoreHookTimeoutError');
    expect(retried).not.toContain('States.ALL');
    expect(create.States.RunHook?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'StartCleanup' }),
    ]);
  });

  it('gives run-hook a timeout longer than the hook timeout, and the hooks in its policy env', () => {
    const fn = functionNamed(template, 'run-hook');
    expect(fn.properties.Timeout).toBe(120 + 60);
    expect(JSON.parse(String(fn.env.DBFORK_POLICY)).postRestoreHook).toEqual(withHook.postRestoreHook);
  });

  it('lets run-hook invoke exactly the configured functions, and no other function invoke any', () => {
    const statements = policyStatements(template);
    const invoking = functionStatements(template).filter((s) =>
      actionsOf(s.statement).some((a) => a.startsWith('lambda:')),
    );
    expect(invoking.map((s) => s.roles)).toEqual([[functionNamed(template, 'run-hook').roleLogicalId]]);
    expect(invoking[0]?.statement).toMatchObject({ Sid: 'InvokePostRestoreHooks', Effect: 'Allow' });
    expect(actionsOf(invoking[0]?.statement ?? {})).toEqual(['lambda:InvokeFunction']);
    // A name is a function of the stack's account and region; an ARN is taken as it is, qualifier and all.
    expect(resourcesOf(invoking[0]?.statement ?? {})).toEqual([
      'arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:mask-pii',
      HOOK_ARN,
    ]);
    expect(invoking[0]?.statement.Condition).toBeUndefined();
    expect(findViolations(statements)).toEqual([]);
  });

  it('gives run-hook nothing else but its table', () => {
    const role = functionNamed(template, 'run-hook').roleLogicalId;
    const actions = policyStatements(template)
      .filter((s) => s.roles.includes(role))
      .flatMap((s) => actionsOf(s.statement))
      .filter((a) => !/^(dynamodb|kms|logs|xray):/.test(a));
    expect(actions).toEqual(['lambda:InvokeFunction']);
  });

  it('passes cdk-nag (AwsSolutions and Serverless) with no new acknowledgment', () => {
    const { app, stack } = buildStack(withHook);
    app.synth();
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});

describe('RefreshFork with a post-restore hook', () => {
  const refresh = refreshOf(template);
  const create = createOf(template);

  it('runs the hook on the new database once it accepts its password, before the secret and the DNS name move', () => {
    expect(refresh.States['CredentialsReady?']?.Choices?.map((c) => c.Next)).toEqual(['RunHook']);
    expect(refresh.States.RunHook?.Next).toBe('SwitchSecret');
    expect(aslValidator(refresh).isValid).toBe(true);
  });

  it('invokes the same run-hook function as CreateFork, retried like every build step, and undoes the refresh on any failure', () => {
    expect(JSON.stringify(refresh.States.RunHook)).toContain('run-hook');
    expect((refresh.States.RunHook as { Resource?: string }).Resource).toBe(
      (create.States.RunHook as { Resource?: string }).Resource,
    );
    const retried = refresh.States.RunHook?.Retry?.flatMap((r) => r.ErrorEquals) ?? [];
    expect(retried).toContain('TransientAwsError');
    expect(retried).not.toContain('PostRestoreHookError');
    expect(retried).not.toContain('States.ALL');
    expect(refresh.States.RunHook?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'UndoRefresh' }),
    ]);
  });
});

describe('CreateFork without a post-restore hook', () => {
  it('has no RunHook state, no run-hook function and no function that may invoke a Lambda', () => {
    const create = createOf(plain);
    expect(create.States.RunHook).toBeUndefined();
    expect(create.States['CredentialsReady?']?.Choices?.map((c) => c.Next)).toEqual([
      'ParkMember',
      'RegisterDns',
    ]);
    expect(dbforkFunctions(plain).map((f) => f.name)).not.toContain('run-hook');
    const lambdaActions = functionStatements(plain)
      .flatMap((s) => actionsOf(s.statement))
      .filter((a) => a.startsWith('lambda:'));
    expect(lambdaActions).toEqual([]);
  });

  it('has no RunHook state in RefreshFork either: the new database goes straight to the switch', () => {
    const refresh = refreshOf(plain);
    expect(refresh.States.RunHook).toBeUndefined();
    expect(refresh.States['CredentialsReady?']?.Choices?.map((c) => c.Next)).toEqual(['SwitchSecret']);
  });
});
