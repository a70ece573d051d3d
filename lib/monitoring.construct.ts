import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DbForkFunction } from './dbfork-function.js';

export interface ForkMonitoringProps {
  readonly createStateMachine: sfn.StateMachine;
  readonly deleteStateMachine: sfn.StateMachine;
  readonly restApi: apigw.RestApi;
  /** The reconciler's sweeps: each logs `reconcile finished` with its counts. */
  readonly reconcilers: readonly DbForkFunction[];
  /** Every dbfork function, for the errors widget. */
  readonly functions: readonly DbForkFunction[];
  /** Failed creates within an hour that raise the alarm. */
  readonly createFailuresPerHour: number;
  /** The queue of commands in (lib/commands.construct.ts). @default - commands are disabled */
  readonly commandQueue?: sqs.IQueue;
  /** Where commands that were never carried out end up. @default - commands are disabled */
  readonly commandDeadLetterQueue?: sqs.IQueue;
  /** An address the alarms e-mail through an SNS topic. @default - no topic; the alarms still show in the console and on the dashboard */
  readonly alarmEmail?: string;
}

/** Where the reconciler's finding counts land (a metric filter on its `reconcile finished` log line). */
export const RECONCILER_NAMESPACE = 'dbfork';
export const RECONCILER_FINDINGS_METRIC = 'ReconcilerFindings';

/**
 * What an operator watches: alarms on failed or timed-out workflows, too many failed creates, the
 * API's 5xx and the reconciler finding anything to clean (leftovers, stuck forks, errors); one
 * dashboard with the same; and, when `alarmEmail` is set, an encrypted SNS topic they notify.
 */
export class ForkMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly topic: sns.Topic | undefined;

  constructor(scope: Construct, id: string, props: ForkMonitoringProps) {
    super(scope, id);
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };

    // Each reconciler sweep logs one JSON line per run with its counts; any finding is worth a look.
    // One filter per sweep's log group, all counting into the same metric.
    props.reconcilers.forEach((fn, index) => {
      new logs.MetricFilter(
        this,
        index === 0 ? 'ReconcilerFindingsFilter' : `ReconcilerFindingsFilter${index}`,
        {
          logGroup: fn.logGroup,
          metricNamespace: RECONCILER_NAMESPACE,
          metricName: RECONCILER_FINDINGS_METRIC,
          filterPattern: logs.FilterPattern.all(
            logs.FilterPattern.stringValue('$.message', '=', 'reconcile finished'),
            logs.FilterPattern.any(
              logs.FilterPattern.numberValue('$.orphans', '>', 0),
              logs.FilterPattern.numberValue('$.stuck', '>', 0),
              logs.FilterPattern.numberValue('$.errors', '>', 0),
            ),
          ),
          metricValue: '1',
          defaultValue: 0,
        },
      );
    });
    const findings = new cloudwatch.Metric({
      namespace: RECONCILER_NAMESPACE,
      metricName: RECONCILER_FINDINGS_METRIC,
      ...fiveMinutes,
    });

    const deleteProblems = new cloudwatch.MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: {
        failed: props.deleteStateMachine.metricFailed(fiveMinutes),
        timedOut: props.deleteStateMachine.metricTimedOut(fiveMinutes),
      },
      label: 'DeleteFork failed or timed out',
      period: Duration.minutes(5),
    });

    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold: number) => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.alarms.push(created);
      return created;
    };
    alarm(
      'CreateFailures',
      `${props.createFailuresPerHour} or more forks failed to create within an hour (each cleaned up; see the fork records' error)`,
      props.createStateMachine.metricFailed({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      props.createFailuresPerHour,
    );
    alarm(
      'CreateTimedOut',
      'A CreateFork execution timed out',
      props.createStateMachine.metricTimedOut(fiveMinutes),
      1,
    );
    alarm(
      'DeleteFailures',
      'A DeleteFork execution failed or timed out: a fork may be left behind until the reconciler removes it',
      deleteProblems,
      1,
    );
    alarm('ApiServerErrors', 'The dbfork API answered 5xx', props.restApi.metricServerError(fiveMinutes), 5);
    alarm(
      'ReconcilerFindings',
      'The reconciler found leftovers, stuck forks or failed to clean up (its log says which)',
      findings,
      1,
    );
    // A dead-lettered command failed on every try or never reached the queue: someone's automation
    // is waiting on it. Any message at all is worth a look (the rejection event says which command).
    const deadLettered = props.commandDeadLetterQueue?.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    if (deadLettered) {
      alarm(
        'CommandsDeadLettered',
        'A fork command is in the dead-letter queue: it failed on every try or could not be delivered (see Fork Command Rejected events and the consumer log)',
        deadLettered,
        1,
      );
    }

    if (props.alarmEmail) {
      // Alarms publish to an encrypted topic only through a key CloudWatch may use.
      const key = new kms.Key(this, 'TopicKey', {
        description: 'dbfork alarm topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          resources: ['*'],
        }),
      );
      this.topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'dbfork alarms',
        masterKey: key,
        enforceSSL: true,
      });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      for (const each of this.alarms) each.addAlarmAction(new actions.SnsAction(this.topic));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: 'dbfork',
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Creates',
        left: [
          props.createStateMachine.metricStarted(fiveMinutes),
          props.createStateMachine.metricSucceeded(fiveMinutes),
          props.createStateMachine.metricFailed(fiveMinutes),
          props.createStateMachine.metricTimedOut(fiveMinutes),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deletes',
        left: [
          props.deleteStateMachine.metricStarted(fiveMinutes),
          props.deleteStateMachine.metricSucceeded(fiveMinutes),
          deleteProblems,
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Time to ready (CreateFork execution time, p50 / p90)',
        left: [
          props.createStateMachine.metricTime({ statistic: 'p50', period: Duration.minutes(5) }),
          props.createStateMachine.metricTime({ statistic: 'p90', period: Duration.minutes(5) }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API',
        left: [props.restApi.metricCount(fiveMinutes), props.restApi.metricClientError(fiveMinutes)],
        right: [props.restApi.metricServerError(fiveMinutes)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: props.functions.map((fn) => fn.metricErrors(fiveMinutes)),
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Reconciler findings', left: [findings], width: 8 }),
    );
    if (props.commandQueue && deadLettered) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Commands in (EventBridge)',
          left: [
            props.commandQueue.metricNumberOfMessagesSent(fiveMinutes),
            props.commandQueue.metricNumberOfMessagesDeleted(fiveMinutes),
          ],
          right: [deadLettered],
          width: 24,
        }),
      );
    }
  }
}
