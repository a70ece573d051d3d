/**
 * Commands in (lib/commands.construct.ts), asserted by value on the synthesized template: the rule
 * on the dbfork bus and its pattern (the one the offline mode puts on the emulator's bus), the
 * queue, the dead-letter queue both the queue and the rule target use, their policies, the event
 * source mapping and the consumer.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/api/routes.js';
import { COMMAND_EVENT_PATTERN } from '../../lambdas/commands/command-event.js';
import { COMMAND_ROUTES } from '../../lambdas/commands/command-routes.js';
import { DEFAULT_COMMAND_MAX_RECEIVES } from '../../lambdas/commands/consume.js';
import { COMMAND_DELIVERY } from '../../lib/commands.construct.js';
import { COMMANDS_FUNCTION } from '../../lib/permissions.js';
import { exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { functionNamed, onlyResourceOfType, props, resourcesOfType } from './template.js';

const template = synthesizeTemplate();
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

function queueId(pattern: RegExp): string {
  const found = resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => pattern.test(id));
  if (!found) throw new Error(`no queue ${pattern}`);
  return found[0];
}
const queue = queueId(/CommandsQueue/);
const deadLetters = queueId(/CommandsDeadLetterQueue/);
const [busId] = onlyResourceOfType(template, 'AWS::Events::EventBus');
const [ruleId, rule] =
  resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) => props(r).EventBusName !== undefined) ?? [];

type Statement = { Effect: string; Action: string | string[]; Principal?: unknown; Condition?: unknown };
function policyOf(queueLogicalId: string): Statement[] {
  const [, policy] =
    resourcesOfType(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      JSON.stringify(props(p).Queues).includes(queueLogicalId),
    ) ?? [];
  return ((policy && props(policy).PolicyDocument) as { Statement: Statement[] }).Statement;
}

describe('ForkCommands', () => {
  it('puts one rule on the dbfork bus for the four commands from any source but aws.*', () => {
    expect(props(rule ?? { Type: '' })).toMatchObject({
      EventBusName: { Ref: busId },
      State: 'ENABLED',
      EventPattern: {
        'detail-type': ['Create Fork', 'Delete Fork', 'Extend Fork', 'Refresh Fork'],
        source: [{ 'anything-but': { prefix: 'aws.' } }],
      },
    });
    // The offline mode puts exactly this pattern on the emulator's bus.
    expect(props(rule ?? { Type: '' }).EventPattern).toEqual(COMMAND_EVENT_PATTERN);
  });

  it("targets the command queue, dead-lettering what it cannot deliver within a day into the queue's own DLQ", () => {
    expect(props(rule ?? { Type: '' }).Targets).toEqual([
      {
        Id: 'Target0',
        Arn: arnOf(queue),
        DeadLetterConfig: { Arn: arnOf(deadLetters) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400 },
      },
    ]);
  });

  it('retries a failing command on the queue and dead-letters it after the consumer’s last try', () => {
    const [, q] = resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => id === queue) ?? [];
    expect(props(q ?? { Type: '' })).toEqual({
      RedrivePolicy: { deadLetterTargetArn: arnOf(deadLetters), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
      // Six times the consumer's timeout (30 s), as Lambda's SQS event source asks.
      VisibilityTimeout: 180,
    });
    const [, dlq] = resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => id === deadLetters) ?? [];
    expect(props(dlq ?? { Type: '' })).toEqual({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    expect(DEFAULT_COMMAND_MAX_RECEIVES).toBe(COMMAND_DELIVERY.maxReceiveCount);
  });

  it('lets only the command rule send to either queue, and only over TLS', () => {
    for (const id of [queue, deadLetters]) {
      const statements = policyOf(id);
      expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': arnOf(ruleId ?? '') } },
      });
      expect([allows[0]?.Action].flat()).toContain('sqs:SendMessage');
    }
  });

  it('feeds the consumer batches of five, reporting failed items only', () => {
    const consumer = functionNamed(template, COMMANDS_FUNCTION);
    const [, mapping] = onlyResourceOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(props(mapping)).toEqual({
      BatchSize: 5,
      EventSourceArn: arnOf(queue),
      FunctionName: { Ref: consumer.logicalId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(consumer.properties).toMatchObject({ Handler: 'index.handler', Timeout: 30 });
    expect(consumer.env.DBFORK_COMMAND_MAX_RECEIVES).toBe('5');
    expect(consumer.env.DBFORK_FUNCTION).toBe(COMMANDS_FUNCTION);
  });

  it('runs each command through the API route of the same method and path, with the same handler', () => {
    for (const [detailType, command] of Object.entries(COMMAND_ROUTES)) {
      const route = ROUTES.find((r) => r.method === command?.method && r.pattern === command.pattern);
      expect(route?.handle, detailType).toBe(command?.handle);
    }
    expect(Object.keys(COMMAND_ROUTES).sort()).toEqual([
      'Create Fork',
      'Delete Fork',
      'Extend Fork',
      'Refresh Fork',
    ]);
  });

  it('builds none of it with automation.enabled false', () => {
    const config = exampleConfig();
    const off = synthesizeTemplate({ ...config, automation: { enabled: false } });
    expect(resourcesOfType(off, 'AWS::SQS::Queue')).toEqual([]);
    expect(resourcesOfType(off, 'AWS::Lambda::EventSourceMapping')).toEqual([]);
    expect(resourcesOfType(off, 'AWS::Events::Rule').filter(([, r]) => props(r).EventBusName)).toEqual([]);
    expect(() => functionNamed(off, COMMANDS_FUNCTION)).toThrow();
  });
});
