import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StackConfigInput } from './config.js';
import { DbFork } from './dbfork.construct.js';

export interface DbForkStackProps extends StackProps {
  /** The dbfork configuration (cdk.json context `dbfork`), validated by the DbFork construct. */
  readonly config: StackConfigInput;
}

/** The ready-to-deploy dbfork app: the DbFork construct plus its outputs (never a secret). */
export class DbForkStack extends Stack {
  readonly dbfork: DbFork;

  constructor(scope: Construct, id: string, props: DbForkStackProps) {
    super(scope, id, props);
    this.dbfork = new DbFork(this, 'DbFork', props.config);

    new CfnOutput(this, 'ApiUrl', {
      value: this.dbfork.api.url,
      description: 'Base URL of the dbfork HTTP API (SigV4, service execute-api); routes start with v1/',
    });
    new CfnOutput(this, 'TableName', { value: this.dbfork.table.tableName, description: 'Fork records' });
    new CfnOutput(this, 'CreateStateMachineArn', {
      value: this.dbfork.createStateMachine.stateMachineArn,
      description: 'CreateFork workflow',
    });
    new CfnOutput(this, 'DeleteStateMachineArn', {
      value: this.dbfork.deleteStateMachine.stateMachineArn,
      description: 'DeleteFork workflow',
    });
    new CfnOutput(this, 'RefreshStateMachineArn', {
      value: this.dbfork.refreshStateMachine.stateMachineArn,
      description: 'RefreshFork workflow',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.dbfork.eventBus.eventBusName,
      description: 'Lifecycle events out, commands in',
    });
    const commands = this.dbfork.commands;
    if (commands) {
      new CfnOutput(this, 'CommandQueueArn', {
        value: commands.queue.queueArn,
        description: 'Commands in, on their way to the consumer (README "Automation")',
      });
      new CfnOutput(this, 'CommandDeadLetterQueueArn', {
        value: commands.deadLetterQueue.queueArn,
        description: 'Commands never carried out: move them back to CommandQueueArn once the cause is fixed',
      });
    }
  }
}
