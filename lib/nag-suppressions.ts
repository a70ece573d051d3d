/**
 * Every cdk-nag acknowledgment of dbfork, each with its reason, in one reviewable place.
 *
 * cdk-nag 3 replaced v2's `NagSuppressions` with CDK's `Validations.of(construct).acknowledge()`;
 * an acknowledgment covers the construct and its descendants, and each IAM5 finding is its own id
 * (`AwsSolutions-IAM5[Resource::*]`, the v2 `appliesTo`). So acknowledgments are put on the exact L1
 * resource that has the finding, never on the stack.
 *
 * IAM5 (wildcards) is handled by review list: every wildcard finding of every dbfork policy is
 * matched against REVIEWED_WILDCARDS below and acknowledged on that policy only with the matching
 * reason. A wildcard nobody reviewed stays unacknowledged and fails the infra test.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ForkCommands } from './commands.construct.js';
import type { DbFork } from './dbfork.construct.js';

export interface ReviewedWildcard {
  /** Matches the IAM5 finding (`Action::...` or `Resource::...`, tokens flattened as cdk-nag does). */
  readonly finding: RegExp;
  readonly reason: string;
}

const RDS_ARN = 'arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>';

export const REVIEWED_WILDCARDS: readonly ReviewedWildcard[] = [
  {
    finding: /^Resource::\*$/,
    reason:
      'Only actions without resource-level permissions or deliberately account-wide, conditioned where possible: ' +
      'xray:PutTraceSegments/PutTelemetryRecords (X-Ray has no resource ARNs); Step Functions vended-log delivery ' +
      '(logs:*LogDelivery*, logs:Describe*; no resource ARNs); the rds Describe* reads the engines make and ' +
      'ListTagsForResource (read-only, sources are named at run time); rds:DescribeOrderableDBInstanceOptions (no ' +
      'resource types); kms:DescribeKey only with kms:ViaService=rds.<region>.amazonaws.com and kms:CreateGrant only ' +
      'with that and kms:GrantIsForAWSResource=true; states:SendTaskSuccess/SendTaskFailure (no resource types; the ' +
      'task token, parked in the fork table and never logged, names the one wait they complete); ' +
      'secretsmanager:ListSecrets and scheduler:ListSchedules for the ' +
      "reconciler's orphan sweep (list actions without resource-level permissions; it keeps only dbfork:managed-tagged secrets and " +
      "dbfork's own schedule group and re-checks tags before any delete).",
  },
  {
    finding: /^Resource::<\w+\.Arn>\/index\/\*$/,
    reason:
      'grantReadWriteData on the fork table: queries of its own GSIs (bySource, byOwner, byStatus, byExpiry).',
  },
  {
    finding: /^Action::kms:(ReEncrypt|GenerateDataKey)\*$/,
    reason:
      "grantReadWriteData on the fork table: DynamoDB encryption with the table's own customer managed key only.",
  },
  {
    finding: new RegExp(`^Resource::${escapeRegExp(RDS_ARN)}:(db|cluster):\\*$`),
    reason:
      "The source database, any allow-listed or dbfork:allow-fork-tagged one (named at run time): fresh-snapshot's " +
      'CreateDB(Cluster)Snapshot is authorized on it and on the new snapshot, which must be a fork-* born tagged ' +
      'dbfork:managed (DESIGN.md §3.3); a point-in-time restore or clone is authorized on it and on the new fork, and ' +
      'that statement requires aws:RequestTag/dbfork:managed=true.',
  },
  {
    finding: new RegExp(
      `^Resource::${escapeRegExp(RDS_ARN)}:(db|cluster|snapshot|cluster-snapshot):fork-\\*$`,
    ),
    reason:
      'Databases and snapshots dbfork creates are named fork-<id> (lambdas/core/ids.ts); every write on them also ' +
      'requires aws:ResourceTag or aws:RequestTag dbfork:managed=true.',
  },
  {
    finding: new RegExp(`^Resource::${escapeRegExp(RDS_ARN)}:(snapshot|cluster-snapshot|subgrp):\\*$`),
    reason:
      "A restore is also authorized on the snapshot it restores (any allow-listed source's, named at run time) and the " +
      "source's subnet group; read-only inputs. What the restore creates must be a fork-* born tagged dbfork:managed.",
  },
  {
    finding: new RegExp(`^Resource::${escapeRegExp(RDS_ARN)}:(pg|cluster-pg|og):\\*$`),
    reason:
      "Restores, CreateDBInstance and ModifyDB* also authorize the source's parameter/option group a fork is given (DocumentDB point-in-time " +
      'restores take no parameter group); groups are attached, never changed, and the fork must pass the tag-conditioned statement.',
  },
  {
    finding:
      /^Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:dbfork\/\*$/,
    reason:
      'One secret per fork, named dbfork/<fork id> plus the random suffix Secrets Manager appends; create needs ' +
      'aws:RequestTag and update/delete aws:ResourceTag dbfork:managed=true.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule\/dbfork\/\*$/,
    reason: 'One one-time expiry schedule per fork, all in the dbfork schedule group.',
  },
  {
    finding: /^Resource::<\w+\.Arn>:\*$/,
    reason:
      "Step Functions' LambdaInvoke grant: the step function's own versions and aliases (<function arn>:*), nothing else.",
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A CloudFormation value as cdk-nag prints it: Refs as `<Name>`, GetAtts as `<Id.Attr>`, joins joined. */
export function flattenCfnValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(flattenCfnValue).join(join[0]);
  if (node['Fn::Sub'] !== undefined) return flattenCfnValue(node['Fn::Sub']);
  const getAtt = node['Fn::GetAtt'] as [unknown, unknown] | undefined;
  if (getAtt) return `<${flattenCfnValue(getAtt[0])}.${flattenCfnValue(getAtt[1])}>`;
  if (node['Fn::ImportValue'] !== undefined) return flattenCfnValue(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flattenCfnValue(node.Ref)}>`;
  return JSON.stringify(value);
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

type Statement = { Effect?: string; Action?: string | string[]; Resource?: unknown };

/** The IAM5 findings of one policy document (Allow statements with a `*` in an action or a resource). */
export function wildcardFindings(document: { Statement?: Statement[] }): string[] {
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action))
      if (action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of asArray(statement.Resource)) {
      const flat = flattenCfnValue(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

function acknowledgeReviewedWildcards(dbfork: DbFork): void {
  const stack = Stack.of(dbfork);
  for (const node of dbfork.node.findAll()) {
    if (!(node instanceof iam.CfnPolicy)) continue;
    const document = stack.resolve(node.policyDocument) as { Statement?: Statement[] };
    for (const finding of wildcardFindings(document)) {
      const reviewed = REVIEWED_WILDCARDS.find((w) => w.finding.test(finding));
      if (reviewed)
        Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: reviewed.reason });
    }
  }
}

export function applyNagSuppressions(dbfork: DbFork): void {
  acknowledgeReviewedWildcards(dbfork);

  Validations.of(dbfork.reconcilerRule.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      'The reconciler schedule rule carries no payload (it means "run now") and fires again every few minutes; an ' +
      'undelivered event needs no replay because the next run does the same work from the current state.',
  });
  for (const fn of dbfork.reconcilerFunctions) {
    Validations.of(fn.node.defaultChild as CfnResource).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The reconciler sweeps are invoked by their own schedule rule every few minutes and are idempotent: a failed ' +
        'run is superseded by the next one, which re-derives all its work from the fork table and the tagged resources.',
    });
  }

  // RDS events are hints: a wait whose event is lost is completed by its own safety-net check.
  Validations.of(dbfork.rdsEventRule.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      'RDS events are best effort and only hints: a wait whose event is never delivered is completed by its own ' +
      'safety-net check (heartbeat timeout → Describe), so an undelivered event needs no replay.',
  });
  Validations.of(dbfork.rdsEventFunction.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "A failed RDS-event invocation is retried by Lambda's asynchronous invoke, and the wait it would have " +
      'completed is completed by its safety-net check anyway: a dead event has nothing left to do.',
  });

  Validations.of(dbfork.expiryWarningFunction.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "A warning is only worth sending before its fork expires: Scheduler retries the invoke and Lambda's " +
      'asynchronous invoke retries a failed run twice (the claim is given back, so a retry publishes); a warning ' +
      'replayed from a dead-letter queue later would announce an expiry that has passed. The deletion itself has ' +
      'its own schedule and the reconciler.',
  });

  for (const fn of [...Object.values(dbfork.stepFunctions), ...Object.values(dbfork.apiFunctions)]) {
    Validations.of(fn.node.defaultChild as CfnResource).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously only (Step Functions Task, API Gateway Lambda proxy); a DLQ only ever receives failed ' +
        "asynchronous invocations. Failures reach the state machine's Retry/Catch (cleanup path) or the API caller.",
    });
  }

  if (dbfork.commands) acknowledgeCommandDelivery(dbfork.commands);

  for (const subscription of dbfork.monitoring.topic?.node.findAll() ?? []) {
    if (!(subscription instanceof CfnResource) || subscription.cfnResourceType !== 'AWS::SNS::Subscription')
      continue;
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An e-mail subscription to the on-call address: an alarm mail that cannot be delivered would sit unread in a ' +
        'dead-letter queue too, while the alarm itself stays in ALARM in CloudWatch and on the dbfork dashboard.',
    });
  }

  const api = dbfork.api;
  for (const method of api.methods) {
    Validations.of(method.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Every method uses AWS_IAM (SigV4) authorization by design (DESIGN.md §1): callers are IAM principals ' +
        '(developers, CI roles, the dbfork CLI), not Cognito user-pool users.',
    });
  }
  Validations.of(api.deploymentStage.node.defaultChild as CfnResource).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'Internal control-plane API: every method requires SigV4 (unsigned requests are rejected before any integration) ' +
      'and the stage is throttled. A WAF web ACL can be associated by the hosting account if its policy requires one.',
  });
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole instanceof iam.Role) {
    Validations.of(cloudWatchRole.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "The account-level API Gateway CloudWatch Logs role (required for stage access/execution logs) uses AWS's " +
        'managed AmazonAPIGatewayPushToCloudWatchLogs policy, the documented minimum for API Gateway logging.',
    });
  }
}

/** Commands in: the queue's own redrive is their failure path (lib/commands.construct.ts). */
function acknowledgeCommandDelivery(commands: ForkCommands): void {
  Validations.of(commands.deadLetterQueue.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason:
      'This is the dead-letter queue of the command queue and of the command rule target: what lands here waits ' +
      '14 days for an operator (an alarm fires on the first message); a dead-letter queue of a dead-letter queue ' +
      'would only move the same messages one hop further.',
  });
  Validations.of(commands.function.node.defaultChild as CfnResource).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "Invoked synchronously only, by its SQS event source mapping: a failed command stays on the queue, is retried, and the queue's " +
      'redrive policy moves it to the dead-letter queue; a function DLQ only ever receives failed asynchronous invocations.',
  });
  const mapping = commands.function.node
    .findAll()
    .find(
      (node) => node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::EventSourceMapping',
    );
  if (mapping) {
    Validations.of(mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'OnFailure destinations exist for stream and Kafka event sources only (AWS::Lambda::EventSourceMapping ' +
        "OnFailure: Kinesis, DynamoDB, self-managed Kafka, Amazon MSK); an SQS source's failures go to the queue's " +
        'own dead-letter queue through its redrive policy, which this queue has.',
    });
  }
}
