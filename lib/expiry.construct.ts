import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { NAMES, stateMachineArn } from './names.js';

/**
 * Where fork TTLs and recurring refreshes live: the EventBridge Scheduler group `dbfork` (two
 * one-time schedules per fork, created at run time by `schedule-expiry` and moved by PATCH and by a
 * refresh with a new TTL: the expiry and its warning; and a fork's optional cron refresh schedule)
 * and the role Scheduler assumes to start the delete workflow and the refresh workflow — those
 * machines only — and to invoke the expiry-warning function (granted by
 * lib/expiry-warning.construct.ts).
 */
export class ForkExpiry extends Construct {
  readonly scheduleGroup: scheduler.ScheduleGroup;
  /** Passed to CreateSchedule as the target role; may only start DeleteFork and RefreshFork and invoke the expiry warning. */
  readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: NAMES.scheduleGroup,
      // Deleting the group deletes its schedules; the delete machine goes with the stack anyway.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description:
        'Assumed by EventBridge Scheduler to warn of and then delete an expiring dbfork fork, and to start a fork refresh on its schedule',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          // Confused-deputy guard: only schedules of this account's dbfork group may use the role.
          StringEquals: { 'aws:SourceAccount': stack.account },
          // Scheduler's confused-deputy guide uses the schedule-group ARN as aws:SourceArn; the
          // schedule ARN form is accepted too so the guard holds whichever one Scheduler sends.
          ArnLike: {
            'aws:SourceArn': [
              stack.formatArn({
                service: 'scheduler',
                resource: 'schedule-group',
                resourceName: NAMES.scheduleGroup,
              }),
              stack.formatArn({
                service: 'scheduler',
                resource: 'schedule',
                resourceName: `${NAMES.scheduleGroup}/*`,
              }),
            ],
          },
        },
      }),
    });
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartDeleteForkOnly',
        actions: ['states:StartExecution'],
        resources: [stateMachineArn(this, NAMES.deleteStateMachine)],
      }),
    );
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartRefreshForkOnly',
        actions: ['states:StartExecution'],
        resources: [stateMachineArn(this, NAMES.refreshStateMachine)],
      }),
    );
  }
}
