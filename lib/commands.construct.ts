import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AWS_SOURCE_PREFIX, COMMAND_DETAIL_TYPES } from '../lambdas/commands/command-event.js';
import { DEFAULT_COMMAND_MAX_RECEIVES } from '../lambdas/commands/consume.js';
import { ENV } from '../lambdas/core/env.js';
import { DbForkFunction } from './dbfork-function.js';
import { COMMANDS_FUNCTION, grantFunction, type PermissionTargets } from './permissions.js';
import { FUNCTION_ENV_VAR } from './reconciler.construct.js';

/** How commands flow: the figures the queue, its event source and the consumer share. */
export const COMMAND_DELIVERY = {
  /** Receives of a failing command before the queue dead-letters it (the consumer's last try publishes the rejection). */
  maxReceiveCount: DEFAULT_COMMAND_MAX_RECEIVES,
  /** Commands per invocation; each runs its route (a create: a few AWS calls), one after another. */
  batchSize: 5,
  functionTimeout: Duration.seconds(30),
  /** Six times the function timeout, as Lambda's SQS event source asks. */
  visibilityTimeout: Duration.seconds(180),
  /** How long EventBridge keeps trying to deliver a command to the queue before dead-lettering it. */
  maxEventAge: Duration.hours(24),
  /** How long dead-lettered commands wait for an operator (SQS's maximum). */
  deadLetterRetention: Duration.days(14),
} as const;

export interface ForkCommandsProps {
  /** Variables every function gets (table, bus, zone, scheduler group, policy, audit retention). */
  readonly environment: Readonly<Record<string, string>>;
  /** The dbfork bus, where commands are put. */
  readonly eventBus: events.IEventBus;
  /** ARN of the CreateFork state machine (built from its name). */
  readonly createStateMachineArn: string;
  /** ARN of the DeleteFork state machine (built from its name). */
  readonly deleteStateMachineArn: string;
  /** ARN of the RefreshFork state machine (Refresh Fork starts it; Extend Fork may set its schedule). */
  readonly refreshStateMachineArn: string;
  /** The function the warning schedules invoke (Extend Fork moves the warning with the expiry). */
  readonly expiryWarningFunctionArn: string;
  readonly targets: PermissionTargets;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Commands in (README "Automation"): a rule on the dbfork bus for `Create Fork`, `Delete Fork`,
 * `Extend Fork` and `Refresh Fork` from any source but `aws.*` (the consumer also refuses `dbfork`)
 * → an SQS queue → the consumer (lambdas/commands/fork-commands.ts, ReportBatchItemFailures), which
 * runs each through its HTTP route as the automation principal. One dead-letter queue takes both
 * what the queue gives up on (after `maxReceiveCount` receives) and what the rule could not deliver
 * to the queue; either way the message is the command event itself, so an operator can move them
 * all back to the command queue. Both queues: SQS-managed encryption at rest, TLS only.
 */
export class ForkCommands extends Construct {
  readonly function: DbForkFunction;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ForkCommandsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: COMMAND_DELIVERY.deadLetterRetention,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: COMMAND_DELIVERY.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: COMMAND_DELIVERY.maxReceiveCount },
    });

    this.function = new DbForkFunction(this, 'Function', {
      entry: 'lambdas/commands/fork-commands.ts',
      description: 'dbfork: carries out Create/Delete/Extend/Refresh Fork commands from the dbfork bus',
      timeout: COMMAND_DELIVERY.functionTimeout,
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [FUNCTION_ENV_VAR]: COMMANDS_FUNCTION,
        [ENV.createStateMachineArn]: props.createStateMachineArn,
        [ENV.deleteStateMachineArn]: props.deleteStateMachineArn,
        [ENV.refreshStateMachineArn]: props.refreshStateMachineArn,
        [ENV.schedulerRoleArn]: props.targets.schedulerRole.roleArn,
        [ENV.expiryWarningFunctionArn]: props.expiryWarningFunctionArn,
        [ENV.commandMaxReceives]: String(COMMAND_DELIVERY.maxReceiveCount),
      },
    });
    grantFunction(this.function, COMMANDS_FUNCTION, props.targets);
    // Grants the role receive/delete/visibility on this queue only (Lambda's poller uses it).
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: COMMAND_DELIVERY.batchSize,
        reportBatchItemFailures: true,
      }),
    );

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: 'dbfork commands in: Create/Delete/Extend/Refresh Fork, from any source but aws.*',
      eventPattern: {
        detailType: [...COMMAND_DETAIL_TYPES],
        source: events.Match.anythingButPrefix(AWS_SOURCE_PREFIX),
      },
      targets: [
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetterQueue,
          maxEventAge: COMMAND_DELIVERY.maxEventAge,
        }),
      ],
    });
  }
}
