/**
 * Alarms, dashboard and alarm topic of the synthesized stack, asserted by value: which metric each
 * alarm watches, its threshold and comparison, and what it notifies.
 */
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { RECONCILER_FINDINGS_METRIC, RECONCILER_NAMESPACE } from '../../lib/monitoring.construct.js';
import { buildStack, exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { functionNamed, onlyResourceOfType, props, resourcesOfType } from './template.js';

const withEmail = {
  ...exampleConfig(),
  monitoring: { alarmEmail: 'oncall@example.com', createFailuresPerHour: 5 },
};
const template = synthesizeTemplate(withEmail);
const plain = synthesizeTemplate();

type AlarmProps = Record<string, unknown> & { AlarmDescription: string };

function alarms(t: ReturnType<typeof synthesizeTemplate>): AlarmProps[] {
  return resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, resource]) => props(resource) as AlarmProps);
}

function alarmAbout(t: ReturnType<typeof synthesizeTemplate>, words: string): AlarmProps {
  const found = alarms(t).find((a) => a.AlarmDescription.includes(words));
  if (!found) throw new Error(`no alarm about "${words}"`);
  return found;
}

const dims = (a: AlarmProps) => JSON.stringify(a.Dimensions ?? a.Metrics);

describe('ForkMonitoring', () => {
  it('alarms on too many failed creates within an hour, at the configured threshold', () => {
    const a = alarmAbout(template, 'failed to create');
    expect(a).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(dims(a)).toContain('CreateFork');
    expect(alarmAbout(plain, 'failed to create').Threshold).toBe(3);
  });

  it('alarms on any timed-out create and any failed or timed-out delete', () => {
    expect(alarmAbout(template, 'CreateFork execution timed out')).toMatchObject({
      MetricName: 'ExecutionsTimedOut',
      Threshold: 1,
    });
    const deletes = alarmAbout(template, 'DeleteFork execution failed or timed out');
    expect(deletes.Threshold).toBe(1);
    const metrics = JSON.stringify(deletes.Metrics);
    expect(metrics).toContain('failed + timedOut');
    expect(metrics).toContain('ExecutionsFailed');
    expect(metrics).toContain('ExecutionsTimedOut');
    expect(metrics).toContain('DeleteFork');
  });

  it("alarms on the API's 5xx", () => {
    expect(alarmAbout(template, 'answered 5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
    });
  });

  it("alarms on the reconciler's findings, counted from its log by a metric filter", () => {
    expect(alarmAbout(template, 'reconciler found')).toMatchObject({
      Namespace: RECONCILER_NAMESPACE,
      MetricName: RECONCILER_FINDINGS_METRIC,
      Threshold: 1,
    });
    // One filter per sweep's log group, all counting into the alarm's metric.
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter').map(
      ([, filter]) =>
        props(filter) as { FilterPattern: string; LogGroupName: unknown; MetricTransformations: unknown },
    );
    const logGroupOf = (name: string) =>
      JSON.stringify({
        Ref: (functionNamed(template, name).properties.LoggingConfig as { LogGroup: { Ref: string } })
          .LogGroup.Ref,
      });
    expect(filters.map((f) => JSON.stringify(f.LogGroupName)).sort()).toEqual(
      // The pool keeper logs the same line: its errors are findings, its routine work is not.
      ['reconciler', 'orphan-databases', 'orphan-leftovers', 'pool-keeper'].map(logGroupOf).sort(),
    );
    for (const f of filters) {
      expect(f.FilterPattern).toBe(
        '{ ($.message = "reconcile finished") && (($.orphans > 0) || ($.stuck > 0) || ($.errors > 0)) }',
      );
      expect(f.MetricTransformations).toEqual([
        {
          MetricNamespace: RECONCILER_NAMESPACE,
          MetricName: RECONCILER_FINDINGS_METRIC,
          MetricValue: '1',
          DefaultValue: 0,
        },
      ]);
    }
  });

  it('alarms on the first dead-lettered command, at one-minute resolution', () => {
    const a = alarmAbout(template, 'fork command is in the dead-letter queue');
    expect(a).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const [dlqId] =
      resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => /CommandsDeadLetterQueue/.test(id)) ?? [];
    expect(a.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]);
  });

  it('e-mails every alarm through an encrypted, TLS-only topic when alarmEmail is set, and makes none otherwise', () => {
    const [topicId, topic] = onlyResourceOfType(template, 'AWS::SNS::Topic');
    expect(props(topic).KmsMasterKeyId).toBeDefined();
    const [, subscription] = onlyResourceOfType(template, 'AWS::SNS::Subscription');
    expect(props(subscription)).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@example.com' });
    const all = alarms(template);
    expect(all).toHaveLength(6);
    for (const a of all) expect(a.AlarmActions, a.AlarmDescription).toEqual([{ Ref: topicId }]);
    expect(resourcesOfType(plain, 'AWS::SNS::Topic')).toEqual([]);
    for (const a of alarms(plain)) expect(a.AlarmActions).toBeUndefined();
  });

  it('puts the alarms and the workflow, API, function and reconciler figures on one dashboard', () => {
    const [, dashboard] = onlyResourceOfType(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(props(dashboard).DashboardBody);
    for (const title of [
      'Alarms',
      'Creates',
      'Deletes',
      'Time to ready',
      'API',
      'Function errors',
      'Reconciler findings',
      'Commands in (EventBridge)',
    ]) {
      expect(body).toContain(title);
    }
  });

  it('passes cdk-nag with the topic and its key', () => {
    const { app, stack } = buildStack(withEmail);
    app.synth();
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`),
    );
    expect(violations).toEqual([]);
  });
});
