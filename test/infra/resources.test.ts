import { describe, expect, it } from 'vitest';
import { API_FUNCTIONS as API_ROUTE_GROUPS } from '../../lambdas/api/routes.js';
import { policyOf } from '../../lambdas/core/config.js';
import { OPTIONAL_STEP_NAMES, STEP_NAMES } from '../../lambdas/steps/step-names.js';
import { API_ROUTES } from '../../lib/api.construct.js';
import { parseConfig } from '../../lib/config.js';
import {
  API_FUNCTIONS,
  COMMANDS_FUNCTION,
  EXPIRY_WARNING_FUNCTION,
  POOL_KEEPER_FUNCTION,
  RDS_EVENT_FUNCTION,
  RECONCILER_FUNCTION,
  RECONCILER_FUNCTIONS,
} from '../../lib/permissions.js';
import { RDS_EVENT_DETAIL_TYPES } from '../../lib/rds-events.construct.js';
import { exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { forkTableDefinition } from '../../local/table.js';
import { dbforkFunctions, functionNamed, onlyResourceOfType, props, resourcesOfType } from './template.js';

const template = synthesizeTemplate();
const config = parseConfig(exampleConfig());

type Ref = { Ref: string };
type GetAtt = { 'Fn::GetAtt': [string, string] };

describe('ForkTable', () => {
  const [tableId, table] = onlyResourceOfType(template, 'AWS::DynamoDB::Table');
  const p = props(table);

  it('keys items by pk/sk strings, on demand', () => {
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('has the list and expiry GSIs, all projecting ALL', () => {
    const gsis = p.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    const byName = Object.fromEntries(gsis.map((g) => [g.IndexName, g]));
    expect(byName.bySource?.KeySchema).toEqual([
      { AttributeName: 'sourceId', KeyType: 'HASH' },
      { AttributeName: 'createdKey', KeyType: 'RANGE' },
    ]);
    expect(byName.byOwner?.KeySchema).toEqual([
      { AttributeName: 'owner', KeyType: 'HASH' },
      { AttributeName: 'createdKey', KeyType: 'RANGE' },
    ]);
    expect(byName.byStatus?.KeySchema).toEqual([
      { AttributeName: 'status', KeyType: 'HASH' },
      { AttributeName: 'createdKey', KeyType: 'RANGE' },
    ]);
    expect(byName.byExpiry?.KeySchema).toEqual([
      { AttributeName: 'liveKey', KeyType: 'HASH' },
      { AttributeName: 'expiresAt', KeyType: 'RANGE' },
    ]);
    for (const gsi of gsis) expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it('matches the table the offline runtime creates (local/table.ts)', () => {
    const offline = forkTableDefinition('x');
    const normalize = (gsis: unknown) =>
      (gsis as { IndexName: string }[]).map((g) => JSON.stringify(g)).sort();
    expect(p.KeySchema).toEqual(offline.KeySchema);
    expect(normalize(p.GlobalSecondaryIndexes)).toEqual(normalize(offline.GlobalSecondaryIndexes));
    expect(new Set(p.AttributeDefinitions as unknown[])).toEqual(new Set(offline.AttributeDefinitions));
  });

  it('keeps point-in-time recovery on and expires items by the ttl attribute', () => {
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('encrypts with its own rotating customer managed KMS key', () => {
    const [keyId, key] = onlyResourceOfType(template, 'AWS::KMS::Key');
    expect(p.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(props(key).EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  it('is retained when the stack is deleted', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(tableId).toMatch(/Table/);
  });
});

describe('ForkEvents and ForkExpiry', () => {
  it('creates the custom event bus dbfork without a resource policy', () => {
    const [, bus] = onlyResourceOfType(template, 'AWS::Events::EventBus');
    expect(props(bus).Name).toBe('dbfork');
    expect(resourcesOfType(template, 'AWS::Events::EventBusPolicy')).toEqual([]);
  });

  it('creates the schedule group dbfork', () => {
    const [, group] = onlyResourceOfType(template, 'AWS::Scheduler::ScheduleGroup');
    expect(props(group).Name).toBe('dbfork');
  });

  it('lets only EventBridge Scheduler of this account assume the scheduler role', () => {
    const [roleId, role] = schedulerRole();
    const trust = props(role).AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]?.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Statement[0]?.Condition).toMatchObject({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(roleId).toMatch(/SchedulerRole/);
  });
});

function schedulerRole() {
  const found = resourcesOfType(template, 'AWS::IAM::Role').filter(([, r]) =>
    JSON.stringify(props(r).AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
  );
  expect(found).toHaveLength(1);
  return found[0] as (typeof found)[number];
}

describe('ForkWorkflows', () => {
  const machines: Record<string, Record<string, unknown>> = Object.fromEntries(
    resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([, r]) => [
      String(props(r).StateMachineName),
      props(r),
    ]),
  );

  it('creates the three Standard machines with fixed names', () => {
    expect(Object.keys(machines).sort()).toEqual(['dbfork-create', 'dbfork-delete', 'dbfork-refresh']);
    for (const machine of Object.values(machines)) expect(machine.StateMachineType).toBe('STANDARD');
  });

  it('traces with X-Ray and logs ALL events with execution data to a retained-for-N-days log group', () => {
    const logGroups = Object.fromEntries(resourcesOfType(template, 'AWS::Logs::LogGroup'));
    for (const machine of Object.values(machines)) {
      expect(machine.TracingConfiguration).toEqual({ Enabled: true });
      const logging = machine.LoggingConfiguration as {
        Level: string;
        IncludeExecutionData: boolean;
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: GetAtt } }[];
      };
      expect(logging.Level).toBe('ALL');
      expect(logging.IncludeExecutionData).toBe(true);
      const logGroupId = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] ?? '';
      const logGroup = logGroups[logGroupId];
      expect(logGroup && props(logGroup).RetentionInDays).toBe(config.logRetentionDays);
      expect(logGroup && props(logGroup).LogGroupName).toMatch(
        /^\/aws\/vendedlogs\/states\/dbfork-(create|delete|refresh)$/,
      );
    }
  });
});

describe('ForkFunctions', () => {
  const functions = dbforkFunctions(template);
  const logGroups = Object.fromEntries(resourcesOfType(template, 'AWS::Logs::LogGroup'));

  const apiFunctions: string[] = Object.values(API_FUNCTIONS);

  it('creates one function per workflow step, per group of API routes, per reconciler sweep, the RDS-event handler, the command consumer and the expiry warning', () => {
    // The example config has no post-restore hook: no run-hook function (test/infra/post-restore-hook.test.ts).
    const steps = STEP_NAMES.filter((step) => !(OPTIONAL_STEP_NAMES as readonly string[]).includes(step));
    expect(functions.map((f) => f.name).sort()).toEqual(
      [
        ...steps,
        ...apiFunctions,
        ...RECONCILER_FUNCTIONS,
        RDS_EVENT_FUNCTION,
        COMMANDS_FUNCTION,
        EXPIRY_WARNING_FUNCTION,
      ].sort(),
    );
  });

  it('runs every function on Node.js 22 or newer, on ARM64, with explicit memory, timeout and active tracing', () => {
    for (const fn of functions) {
      const runtime = String(fn.properties.Runtime);
      expect(runtime, fn.name).toMatch(/^nodejs\d+\.x$/);
      expect(Number(runtime.replace(/\D/g, '')), fn.name).toBeGreaterThanOrEqual(22);
      expect(fn.properties.Architectures, fn.name).toEqual(['arm64']);
      expect(fn.properties.MemorySize, fn.name).toBe(256);
      expect(fn.properties.Timeout, fn.name).toBe(
        apiFunctions.includes(fn.name)
          ? 29
          : (RECONCILER_FUNCTIONS as readonly string[]).includes(fn.name)
            ? 300
            : 30,
      );
      expect(fn.properties.TracingConfig, fn.name).toEqual({ Mode: 'Active' });
      expect(fn.env.POWERTOOLS_SERVICE_NAME, fn.name).toBe('dbfork');
    }
  });

  it('gives every function its own log group with the configured retention', () => {
    const seen = new Set<string>();
    for (const fn of functions) {
      const logGroupId = ((fn.properties.LoggingConfig as { LogGroup: Ref }).LogGroup as Ref).Ref;
      expect(seen.has(logGroupId), fn.name).toBe(false);
      seen.add(logGroupId);
      const logGroup = logGroups[logGroupId];
      expect(logGroup && props(logGroup).RetentionInDays, fn.name).toBe(config.logRetentionDays);
    }
  });

  it('gives every function the shared environment', () => {
    for (const fn of functions) {
      expect(fn.env.DBFORK_TABLE_NAME, fn.name).toEqual({
        Ref: onlyResourceOfType(template, 'AWS::DynamoDB::Table')[0],
      });
      expect(fn.env.DBFORK_EVENT_BUS_NAME, fn.name).toEqual({
        Ref: onlyResourceOfType(template, 'AWS::Events::EventBus')[0],
      });
      expect(fn.env.DBFORK_HOSTED_ZONE_ID, fn.name).toBe('Z0123456789EXAMPLE');
      expect(fn.env.DBFORK_HOSTED_ZONE_DOMAIN, fn.name).toBe('forks.example.internal');
      expect(fn.env.DBFORK_SCHEDULER_GROUP, fn.name).toBe('dbfork');
      expect(fn.env.DBFORK_POLICY, fn.name).toBe(JSON.stringify(policyOf(config)));
      expect(fn.env.DBFORK_AUDIT_RETENTION_DAYS, fn.name).toBe('30');
    }
  });

  it('gives the workflow ARNs and the scheduler role only to the functions that start or schedule workflows', () => {
    const holders = (name: string) =>
      functions
        .filter((f) => name in f.env)
        .map((f) => f.name)
        .sort();
    // The command consumer runs the create route and the fork routes, so it has what both have; the
    // pool keeper starts members' creates and hands one whose workflow is gone to DeleteFork.
    expect(holders('DBFORK_CREATE_STATE_MACHINE_ARN')).toEqual([
      API_FUNCTIONS.create,
      COMMANDS_FUNCTION,
      POOL_KEEPER_FUNCTION,
    ]);
    expect(holders('DBFORK_DELETE_STATE_MACHINE_ARN')).toEqual([
      'announce-refresh',
      API_FUNCTIONS.forks,
      COMMANDS_FUNCTION,
      POOL_KEEPER_FUNCTION,
      'reconciler',
      'schedule-expiry',
    ]);
    // The refresh machine: started by the fork routes, the command consumer (their Refresh Fork) and
    // the reconciler, scheduled at create.
    expect(holders('DBFORK_REFRESH_STATE_MACHINE_ARN')).toEqual([
      'announce-refresh',
      API_FUNCTIONS.forks,
      COMMANDS_FUNCTION,
      'reconciler',
      'schedule-expiry',
    ]);
    expect(holders('DBFORK_SCHEDULER_ROLE_ARN')).toEqual([
      'announce-refresh',
      API_FUNCTIONS.forks,
      COMMANDS_FUNCTION,
      'schedule-expiry',
    ]);
    expect(holders('DBFORK_EXPIRY_WARNING_FUNCTION_ARN')).toEqual([
      'announce-refresh',
      API_FUNCTIONS.forks,
      COMMANDS_FUNCTION,
      'schedule-expiry',
    ]);
    expect(functionNamed(template, 'schedule-expiry').env.DBFORK_EXPIRY_WARNING_FUNCTION_ARN).toEqual({
      'Fn::GetAtt': [functionNamed(template, EXPIRY_WARNING_FUNCTION).logicalId, 'Arn'],
    });
    const arn = JSON.stringify(
      functionNamed(template, 'schedule-expiry').env.DBFORK_DELETE_STATE_MACHINE_ARN,
    );
    expect(arn).toContain(':stateMachine:dbfork-delete');
    expect(
      JSON.stringify(functionNamed(template, API_FUNCTIONS.create).env.DBFORK_CREATE_STATE_MACHINE_ARN),
    ).toContain(':stateMachine:dbfork-create');
    expect(functionNamed(template, API_FUNCTIONS.forks).env.DBFORK_SCHEDULER_ROLE_ARN).toEqual({
      'Fn::GetAtt': [schedulerRole()[0], 'Arn'],
    });
  });

  it('names each step function by DBFORK_STEP and bundles lambdas/steps/<step>.ts', () => {
    const others: string[] = [
      ...apiFunctions,
      ...RECONCILER_FUNCTIONS,
      RDS_EVENT_FUNCTION,
      COMMANDS_FUNCTION,
      EXPIRY_WARNING_FUNCTION,
    ];
    for (const fn of functions.filter((f) => !others.includes(f.name))) {
      expect(fn.properties.Description).toBe(`dbfork workflow step ${fn.name}`);
      expect(fn.properties.Handler).toBe('index.handler');
    }
  });
});

describe('ForkReconciler', () => {
  it('runs the reconciler sweeps and the pool keeper on one rate schedule of reconcileRateMinutes (default 5)', () => {
    const reconciler = functionNamed(template, RECONCILER_FUNCTION);
    expect(reconciler.properties.Description).toMatch(/reconciler/);
    expect(reconciler.properties.Handler).toBe('index.handler');
    expect(JSON.stringify(reconciler.env.DBFORK_DELETE_STATE_MACHINE_ARN)).toContain(
      ':stateMachine:dbfork-delete',
    );
    expect(reconciler.env.DBFORK_CREATE_STATE_MACHINE_ARN).toBeUndefined();
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
      ([, rule]) => props(rule).ScheduleExpression !== undefined,
    );
    expect(rules).toHaveLength(1);
    const rule = props(rules[0]?.[1] as Parameters<typeof props>[0]);
    expect(rule.ScheduleExpression).toBe('rate(5 minutes)');
    expect(rule.State).toBe('ENABLED');
    const targets = rule.Targets as { Arn: unknown; RetryPolicy?: unknown }[];
    const sweeps = RECONCILER_FUNCTIONS.map((name) => functionNamed(template, name));
    expect(targets.map((t) => t.Arn)).toEqual(sweeps.map((fn) => ({ 'Fn::GetAtt': [fn.logicalId, 'Arn'] })));
    for (const target of targets) expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    const invokePermissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => props(p).Principal === 'events.amazonaws.com',
    );
    for (const fn of sweeps) {
      expect(invokePermissions.map(([, p]) => props(p).FunctionName)).toContainEqual({
        'Fn::GetAtt': [fn.logicalId, 'Arn'],
      });
      // Only the sweep of fork records and the pool keeper start workflows.
      if (fn.name !== RECONCILER_FUNCTION && fn.name !== POOL_KEEPER_FUNCTION) {
        expect(fn.env.DBFORK_DELETE_STATE_MACHINE_ARN).toBeUndefined();
      }
    }
  });

  it('takes the rate from the config', () => {
    const other = synthesizeTemplate({ ...exampleConfig(), reconcileRateMinutes: 15 });
    const schedules = resourcesOfType(other, 'AWS::Events::Rule').map(([, r]) => props(r).ScheduleExpression);
    expect(schedules).toContain('rate(15 minutes)');
  });
});

describe('ForkApi', () => {
  const methods = resourcesOfType(template, 'AWS::ApiGateway::Method');
  const apiResources = Object.fromEntries(resourcesOfType(template, 'AWS::ApiGateway::Resource'));

  function pathOf(resourceId: unknown): string {
    if (typeof resourceId === 'object' && resourceId && 'Fn::GetAtt' in resourceId) return '';
    const id = (resourceId as Ref).Ref;
    const resource = apiResources[id];
    if (!resource) throw new Error(`no API resource ${id}`);
    return `${pathOf(props(resource).ParentId)}/${String(props(resource).PathPart)}`;
  }

  it('exposes exactly the v1 routes', () => {
    const routes = methods
      .map(([, m]) => `${String(props(m).HttpMethod)} ${pathOf(props(m).ResourceId)}`)
      .sort();
    expect(routes).toEqual(API_ROUTES.map(([method, path]) => `${method} ${path}`).sort());
  });

  it('requires SigV4 (AWS_IAM) and validates the request on every method', () => {
    const [validatorId, validator] = onlyResourceOfType(template, 'AWS::ApiGateway::RequestValidator');
    expect(props(validator)).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
    for (const [, method] of methods) {
      expect(props(method).AuthorizationType).toBe('AWS_IAM');
      expect(props(method).RequestValidatorId).toEqual({ Ref: validatorId });
    }
  });

  it('proxies every method to the function that serves its route, and the functions serve exactly those', () => {
    for (const [, method] of methods) {
      const route = `${String(props(method).HttpMethod)} ${pathOf(props(method).ResourceId)}`;
      const group = API_ROUTES.find(([m, p]) => `${m} ${p}` === route)?.[2];
      expect(group, route).toBeDefined();
      const fn = functionNamed(template, API_FUNCTIONS[group ?? 'create']);
      const integration = props(method).Integration as { Type: string; Uri: unknown };
      expect(integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.Uri), route).toContain(fn.logicalId);
    }
    // The stack's route table and the routes each function's code serves are the same.
    const served = Object.entries(API_ROUTE_GROUPS).flatMap(([group, { routes }]) =>
      routes.map((r) => `${r.method} ${r.pattern} ${group}`),
    );
    expect(served.sort()).toEqual(API_ROUTES.map((r) => r.join(' ')).sort());
  });

  it('traces, throttles and writes JSON access logs and error execution logs', () => {
    const [, stage] = onlyResourceOfType(template, 'AWS::ApiGateway::Stage');
    const p = props(stage);
    expect(p.TracingEnabled).toBe(true);
    expect(p.MethodSettings).toEqual([
      {
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      },
    ]);
    const access = p.AccessLogSetting as { Format: string; DestinationArn: GetAtt };
    expect(JSON.parse(access.Format)).toHaveProperty('requestId');
    const logGroup = Object.fromEntries(resourcesOfType(template, 'AWS::Logs::LogGroup'))[
      access.DestinationArn['Fn::GetAtt'][0]
    ];
    expect(logGroup && props(logGroup).RetentionInDays).toBe(config.logRetentionDays);
  });

  it('answers gateway errors in the API error shape', () => {
    const responses = resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => props(r));
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const response of responses) {
      const body = (response.ResponseTemplates as Record<string, string>)['application/json'] ?? '';
      const rendered = body.replace('$context.error.messageString', '"Missing Authentication Token"');
      expect(JSON.parse(rendered)).toEqual({
        error: { code: '$context.error.responseType', message: 'Missing Authentication Token', details: [] },
      });
    }
  });
});

describe('DbForkStack outputs', () => {
  const outputs = (template.Outputs ?? {}) as Record<string, { Value: unknown }>;

  it('publishes the API URL, table, workflows, bus and the command queues', () => {
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiUrl',
      'CommandDeadLetterQueueArn',
      'CommandQueueArn',
      'CreateStateMachineArn',
      'DeleteStateMachineArn',
      'EventBusName',
      'RefreshStateMachineArn',
      'TableName',
    ]);
  });

  it('never outputs a secret-looking value', () => {
    const secretResources = resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([id]) => id);
    for (const [name, output] of Object.entries(outputs)) {
      const text = JSON.stringify(output.Value);
      expect(text, name).not.toMatch(/password|secret|token|credential|private/i);
      for (const id of secretResources) expect(text, name).not.toContain(id);
    }
  });
});

describe('ForkRdsEvents', () => {
  const rdsEvent = functionNamed(template, RDS_EVENT_FUNCTION);
  // The default bus's rules (the command rule is on the dbfork bus: test/infra/commands.test.ts).
  const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
    ([, rule]) => props(rule).EventPattern !== undefined && props(rule).EventBusName === undefined,
  );

  it('runs lambdas/events/rds-event.ts for RDS events of fork-* resources on the default bus', () => {
    expect(rules).toHaveLength(1);
    const rule = props(rules[0]?.[1] as Parameters<typeof props>[0]);
    // No EventBusName: the account's default bus, where RDS puts its events.
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern).toEqual({
      source: ['aws.rds'],
      'detail-type': [...RDS_EVENT_DETAIL_TYPES],
      detail: { SourceIdentifier: [{ prefix: 'fork-' }, { prefix: 'rds:fork-' }] },
    });
    const [target] = rule.Targets as { Arn: unknown }[];
    expect(target?.Arn).toEqual({ 'Fn::GetAtt': [rdsEvent.logicalId, 'Arn'] });
    expect(rdsEvent.properties.Handler).toBe('index.handler');
    expect(rdsEvent.env.DBFORK_CREATE_STATE_MACHINE_ARN).toBeUndefined();
    expect(rdsEvent.env.DBFORK_DELETE_STATE_MACHINE_ARN).toBeUndefined();
  });

  it('lets EventBridge invoke it, and nothing else but the reconciler schedule (its three sweeps)', () => {
    const invokePermissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => props(p).Principal === 'events.amazonaws.com',
    );
    expect(invokePermissions.map(([, p]) => props(p).FunctionName)).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [rdsEvent.logicalId, 'Arn'] }]),
    );
    expect(invokePermissions).toHaveLength(1 + RECONCILER_FUNCTIONS.length);
  });
});
