import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { REVIEWED_WILDCARDS } from '../../lib/nag-suppressions.js';
import { buildStack, exampleConfig } from '../../local/synth.js';
import { runApp } from './app.js';

const { app, stack } = buildStack();
app.synth();

type Finding = { severity: string; rule: string; paths: string[] };

function findings(pack: NagPack, scope: IConstruct): Finding[] {
  return pack.validateScope(scope).violations.map((v) => ({
    severity: v.severity ?? 'error',
    rule: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? '?'),
  }));
}

type Acknowledgment = { path: string; id: string; reason: string };

function acknowledgments(scope: IConstruct): Acknowledgment[] {
  return scope.node.findAll().flatMap((node) =>
    node.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: node.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions error or warning', () => {
    expect(findings(new AwsSolutionsChecks(), stack)).toEqual([]);
  });

  it('reports no unacknowledged Serverless error or warning', () => {
    expect(findings(new ServerlessChecks(), stack)).toEqual([]);
  });

  it('acknowledges only on the resource that has the finding, each with a specific reason', () => {
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // On L1 resources (".../Resource" or the CfnResource itself), never on the stack or the DbFork construct.
      expect(ack.path, ack.id).toMatch(/^DbFork\/DbFork\/.+\//);
      expect(ack.path, ack.id).not.toMatch(/^DbFork(\/DbFork)?$/);
      expect(ack.reason.length, ack.id).toBeGreaterThan(60);
    }
    const rules = new Set(acks.map((a) => a.id.replace(/^Annotation::/i, '').replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG3',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'Serverless-EventBusDLQ',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-SQSRedrivePolicy',
    ]);
  });

  it('gives every reviewed wildcard a reason and uses each of them', () => {
    const used = new Set(
      acknowledgments(stack)
        .map((a) => /IAM5\[(.*)\]$/.exec(a.id)?.[1])
        .filter((f): f is string => f !== undefined),
    );
    for (const reviewed of REVIEWED_WILDCARDS) {
      expect(
        [...used].some((f) => reviewed.finding.test(f)),
        String(reviewed.finding),
      ).toBe(true);
    }
  });

  it('still reports a wildcard nobody reviewed', () => {
    const { app: otherApp, stack: other } = buildStack(exampleConfig(), { stackId: 'Other' });
    const role = Stack.of(other)
      .node.findAll()
      .find((n) => n instanceof iam.Role) as iam.Role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::some-bucket'] }),
    );
    otherApp.synth();
    expect(findings(new AwsSolutionsChecks(), other).map((f) => f.rule)).toEqual([
      'AwsSolutions-IAM5[Action::s3:*]',
    ]);
  });

  it('runs in bin/app.ts as validation plugins and the example config synthesizes clean', () => {
    const run = runApp({ dbfork: exampleConfig() });
    expect(run.stderr).not.toMatch(/AwsSolutions-|Serverless-/);
    expect(run.status).toBe(0);
    expect(run.validationReport?.pluginReports ?? []).toEqual([]);
  }, 120_000);
});
