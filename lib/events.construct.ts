import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { NAMES } from './names.js';

/**
 * The custom EventBridge bus `dbfork`: lifecycle events out (`Fork Requested`, `Fork Ready`,
 * `Fork Failed`, `Fork Expiring`, `Fork Deleted`, source `dbfork`) and commands in.
 * No resource policy: only principals of this account with events:PutEvents may publish.
 */
export class ForkEvents extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: NAMES.eventBus,
      description: 'dbfork lifecycle events and commands',
    });
  }
}
