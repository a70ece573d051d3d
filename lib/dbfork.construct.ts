import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { policyOf } from '../lambdas/core/config.js';
import { ENV } from '../lambdas/core/env.js';
import { hooksAllowed } from '../lambdas/core/hook-config.js';
import { ForkApi } from './api.construct.js';
import { ForkCommands } from './commands.construct.js';
import { DbForkConfigError, parseConfig, type StackConfig, type StackConfigInput } from './config.js';
import type { DbForkFunction } from './dbfork-function.js';
import { ForkEvents } from './events.construct.js';
import { ForkExpiry } from './expiry.construct.js';
import { ForkExpiryWarning } from './expiry-warning.construct.js';
import { ForkTable } from './fork-table.construct.js';
import { type ApiGroup, ForkFunctions } from './functions.construct.js';
import { ForkMonitoring } from './monitoring.construct.js';
import { applyNagSuppressions } from './nag-suppressions.js';
import { NAMES, stateMachineArn } from './names.js';
import { hookFunctionArn } from './permissions.js';
import { ForkRdsEvents } from './rds-events.construct.js';
import { ForkReconciler } from './reconciler.construct.js';
import { ForkWorkflows, type StepFunctions } from './workflows.construct.js';

/** The DbFork construct is configured with the stack configuration itself (DESIGN.md §4). */
export type DbForkProps = Readonly<StackConfigInput>;

/** Lambda allows 4 KB of environment variables per function; leave room for the token-valued ones. */
const MAX_POLICY_ENV_BYTES = 3072;

/**
 * dbfork in one construct: fork table, event bus, expiry schedules, the step Lambdas, the create
 * and delete workflows and the IAM-authenticated HTTP API. Usable inside any CDK app.
 * One DbFork per account and region (the bus, schedule group and state machines have fixed names).
 */
export class DbFork extends Construct {
  /** The validated configuration, defaults applied. */
  readonly config: StackConfig;
  readonly table: dynamodb.Table;
  readonly tableKey: kms.Key;
  readonly eventBus: events.EventBus;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly hostedZone: route53.IHostedZone;
  /** The step Lambdas; `run-hook` only with a post-restore hook configured. */
  readonly stepFunctions: StepFunctions<DbForkFunction>;
  /** The functions behind the HTTP API, one per group of routes (create, forks, sources). */
  readonly apiFunctions: Readonly<Record<ApiGroup, DbForkFunction>>;
  /** The scheduled reconciler's sweeps (every `reconcileRateMinutes`), by function name. */
  readonly reconcilerFunctions: readonly DbForkFunction[];
  readonly reconcilerRule: events.Rule;
  /** Completes the workflows' waits from RDS events (default bus rule for `fork-*` resources). */
  readonly rdsEventFunction: DbForkFunction;
  /** Publishes `Fork Expiring`, invoked by each fork's warning schedule. */
  readonly expiryWarningFunction: DbForkFunction;
  readonly rdsEventRule: events.Rule;
  /**
   * Commands in (README "Automation"): the rule on the dbfork bus, its queue, their dead-letter
   * queue and the consumer. Undefined with `automation.enabled: false`.
   */
  readonly commands: ForkCommands | undefined;
  readonly createStateMachine: sfn.StateMachine;
  readonly deleteStateMachine: sfn.StateMachine;
  readonly refreshStateMachine: sfn.StateMachine;
  readonly api: apigw.RestApi;
  /** Alarms, the dashboard and (with `monitoring.alarmEmail`) the topic they notify. */
  readonly monitoring: ForkMonitoring;

  constructor(scope: Construct, id: string, props: DbForkProps) {
    super(scope, id);
    const config = parseConfig(props);
    this.config = config;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    const store = new ForkTable(this, 'Store');
    this.table = store.table;
    this.tableKey = store.key;
    this.eventBus = new ForkEvents(this, 'Events').bus;
    const expiry = new ForkExpiry(this, 'Expiry');
    this.scheduleGroup = expiry.scheduleGroup;
    this.schedulerRole = expiry.schedulerRole;
    this.hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.hostedZone.id,
      zoneName: config.hostedZone.domain.replace(/\.$/, ''),
    });

    const policy = JSON.stringify(policyOf(config));
    if (Buffer.byteLength(policy) > MAX_POLICY_ENV_BYTES) {
      throw new DbForkConfigError(
        `dbfork config: the fork policy (allowedSources, adminPrincipals, quotas, ...) is ${Buffer.byteLength(policy)} bytes as JSON; Lambda environments hold 4 KB, keep it under ${MAX_POLICY_ENV_BYTES} (use allowTaggedSources for long source lists)`,
      );
    }

    const environment = {
      [ENV.tableName]: this.table.tableName,
      [ENV.eventBusName]: this.eventBus.eventBusName,
      [ENV.hostedZoneId]: config.hostedZone.id,
      [ENV.hostedZoneDomain]: config.hostedZone.domain,
      [ENV.schedulerGroupName]: NAMES.scheduleGroup,
      [ENV.policy]: policy,
      [ENV.auditRetentionDays]: String(config.auditRetentionDays),
    };
    const targets = {
      table: this.table,
      eventBus: this.eventBus,
      hostedZoneArn: this.hostedZone.hostedZoneArn,
      hostedZoneDomain: config.hostedZone.domain,
      schedulerRole: this.schedulerRole,
      hookFunctionArns: hooksAllowed(config.postRestoreHook).map((hook) => hookFunctionArn(this, hook)),
    };
    const expiryWarning = new ForkExpiryWarning(this, 'ExpiryWarning', {
      environment,
      targets,
      logRetention,
    });
    this.expiryWarningFunction = expiryWarning.function;
    const functions = new ForkFunctions(this, 'Functions', {
      environment,
      // Built from the fixed names: the api functions start the machines that invoke the steps,
      // and schedule-expiry (a create step) targets the delete and refresh machines; ARNs by name
      // avoid cycles.
      createStateMachineArn: stateMachineArn(this, NAMES.createStateMachine),
      deleteStateMachineArn: stateMachineArn(this, NAMES.deleteStateMachine),
      refreshStateMachineArn: stateMachineArn(this, NAMES.refreshStateMachine),
      expiryWarningFunctionArn: expiryWarning.function.functionArn,
      targets,
      logRetention,
      ...(config.postRestoreHook ? { postRestoreHook: config.postRestoreHook } : {}),
    });
    this.stepFunctions = functions.steps;
    this.apiFunctions = functions.api;

    const workflows = new ForkWorkflows(this, 'Workflows', { steps: functions.steps, logRetention });
    this.createStateMachine = workflows.createStateMachine;
    this.deleteStateMachine = workflows.deleteStateMachine;
    this.refreshStateMachine = workflows.refreshStateMachine;

    const reconciler = new ForkReconciler(this, 'Reconciler', {
      environment,
      createStateMachineArn: stateMachineArn(this, NAMES.createStateMachine),
      deleteStateMachineArn: stateMachineArn(this, NAMES.deleteStateMachine),
      refreshStateMachineArn: stateMachineArn(this, NAMES.refreshStateMachine),
      targets,
      rateMinutes: config.reconcileRateMinutes,
      logRetention,
    });
    this.reconcilerFunctions = Object.values(reconciler.functions);
    this.reconcilerRule = reconciler.rule;

    const rdsEvents = new ForkRdsEvents(this, 'RdsEvents', { environment, targets, logRetention });
    this.rdsEventFunction = rdsEvents.function;
    this.rdsEventRule = rdsEvents.rule;

    this.commands = config.automation.enabled
      ? new ForkCommands(this, 'Commands', {
          environment,
          eventBus: this.eventBus,
          createStateMachineArn: stateMachineArn(this, NAMES.createStateMachine),
          deleteStateMachineArn: stateMachineArn(this, NAMES.deleteStateMachine),
          refreshStateMachineArn: stateMachineArn(this, NAMES.refreshStateMachine),
          expiryWarningFunctionArn: expiryWarning.function.functionArn,
          targets,
          logRetention,
        })
      : undefined;

    this.api = new ForkApi(this, 'Api', { handlers: functions.api, logRetention }).restApi;

    this.monitoring = new ForkMonitoring(this, 'Monitoring', {
      createStateMachine: this.createStateMachine,
      deleteStateMachine: this.deleteStateMachine,
      restApi: this.api,
      reconcilers: this.reconcilerFunctions,
      functions: [
        ...Object.values(functions.steps),
        ...Object.values(functions.api),
        ...this.reconcilerFunctions,
        rdsEvents.function,
        ...(this.commands ? [this.commands.function] : []),
        expiryWarning.function,
      ],
      ...(this.commands
        ? { commandQueue: this.commands.queue, commandDeadLetterQueue: this.commands.deadLetterQueue }
        : {}),
      createFailuresPerHour: config.monitoring.createFailuresPerHour,
      ...(config.monitoring.alarmEmail ? { alarmEmail: config.monitoring.alarmEmail } : {}),
    });

    applyNagSuppressions(this);
  }
}
