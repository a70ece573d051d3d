import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyStatement, wildcardMatch } from '../support/iam-evaluator.js';

const request = (action: string, resource: string, context: Record<string, string | string[]> = {}) => ({
  action,
  resource,
  context,
});

describe('IAM evaluator', () => {
  it('matches * and ? wildcards, actions case-insensitively', () => {
    expect(wildcardMatch('arn:aws:rds:*:*:db:fork-*', 'arn:aws:rds:us-east-1:1:db:fork-abc')).toBe(true);
    expect(wildcardMatch('arn:aws:rds:*:*:db:fork-*', 'arn:aws:rds:us-east-1:1:db:orders')).toBe(false);
    expect(wildcardMatch('fork-?', 'fork-a')).toBe(true);
    expect(wildcardMatch('fork-?', 'fork-ab')).toBe(false);
    expect(wildcardMatch('rds:describe*', 'rds:DescribeDBInstances', true)).toBe(true);
  });

  it('allows by a matching Allow, denies implicitly otherwise, and lets an explicit Deny win', () => {
    const allow: PolicyStatement = {
      Sid: 'A',
      Effect: 'Allow',
      Action: 'rds:Delete*',
      Resource: '*:db:fork-*',
    };
    const deny: PolicyStatement = { Sid: 'D', Effect: 'Deny', NotAction: 'rds:Describe*', Resource: '*' };
    expect(evaluate([allow], request('rds:DeleteDBInstance', 'x:db:fork-1'))).toEqual({
      decision: 'Allowed',
      by: ['A'],
    });
    expect(evaluate([allow], request('rds:DeleteDBInstance', 'x:db:prod')).decision).toBe('ImplicitDeny');
    expect(evaluate([allow, deny], request('rds:DeleteDBInstance', 'x:db:fork-1'))).toEqual({
      decision: 'ExplicitDeny',
      by: ['D'],
    });
    expect(evaluate([deny], request('rds:DescribeDBInstances', '*')).decision).toBe('ImplicitDeny');
  });

  it('honours NotResource', () => {
    const s: PolicyStatement = { Effect: 'Allow', Action: '*', NotResource: '*:db:prod' };
    expect(evaluate([s], request('rds:X', 'a:db:fork')).decision).toBe('Allowed');
    expect(evaluate([s], request('rds:X', 'a:db:prod')).decision).toBe('ImplicitDeny');
  });

  const tagged: PolicyStatement = {
    Effect: 'Allow',
    Action: 'rds:DeleteDBInstance',
    Resource: '*',
    Condition: { StringEquals: { 'aws:ResourceTag/dbfork:managed': 'true' } },
  };

  it('requires a StringEquals key to be present with the value (keys case-insensitive)', () => {
    expect(
      evaluate([tagged], request('rds:DeleteDBInstance', 'a', { 'aws:resourcetag/dbfork:managed': 'true' }))
        .decision,
    ).toBe('Allowed');
    expect(
      evaluate([tagged], request('rds:DeleteDBInstance', 'a', { 'aws:ResourceTag/dbfork:managed': 'false' }))
        .decision,
    ).toBe('ImplicitDeny');
    expect(evaluate([tagged], request('rds:DeleteDBInstance', 'a')).decision).toBe('ImplicitDeny');
  });

  it('treats a missing key as a match for negated operators and IfExists, not for the others', () => {
    const not: PolicyStatement = {
      ...tagged,
      Condition: { StringNotEquals: { 'aws:ResourceTag/team': 'orders' } },
    };
    const ifExists: PolicyStatement = {
      ...tagged,
      Condition: { StringEqualsIfExists: { 'aws:ResourceTag/team': 'x' } },
    };
    expect(evaluate([not], request('rds:DeleteDBInstance', 'a')).decision).toBe('Allowed');
    expect(
      evaluate([not], request('rds:DeleteDBInstance', 'a', { 'aws:ResourceTag/team': 'orders' })).decision,
    ).toBe('ImplicitDeny');
    expect(evaluate([ifExists], request('rds:DeleteDBInstance', 'a')).decision).toBe('Allowed');
    expect(
      evaluate([ifExists], request('rds:DeleteDBInstance', 'a', { 'aws:ResourceTag/team': 'y' })).decision,
    ).toBe('ImplicitDeny');
  });

  it('evaluates ForAllValues (vacuous when empty) and ForAnyValue over multivalued keys', () => {
    const all: PolicyStatement = {
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: '*',
      Condition: {
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': '*.forks.internal',
        },
      },
    };
    const key = 'route53:ChangeResourceRecordSetsNormalizedRecordNames';
    const run = (s: PolicyStatement, names: string[]) =>
      evaluate([s], request('route53:ChangeResourceRecordSets', 'z', { [key]: names })).decision;
    expect(run(all, ['a.forks.internal', 'b.forks.internal'])).toBe('Allowed');
    expect(run(all, ['a.forks.internal', 'prod.example.com'])).toBe('ImplicitDeny');
    expect(run(all, [])).toBe('Allowed');
    const any: PolicyStatement = {
      ...all,
      Condition: { 'ForAnyValue:StringEquals': { [key]: 'a.forks.internal' } },
    };
    expect(run(any, ['x', 'a.forks.internal'])).toBe('Allowed');
    expect(run(any, ['x'])).toBe('ImplicitDeny');
  });

  it('evaluates Bool, Null and ArnLike', () => {
    const s = (Condition: PolicyStatement['Condition']): PolicyStatement => ({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition,
    });
    const decide = (statement: PolicyStatement, context: Record<string, string>) =>
      evaluate([statement], request('kms:CreateGrant', 'k', context)).decision;
    expect(
      decide(s({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }), { 'kms:GrantIsForAWSResource': 'true' }),
    ).toBe('Allowed');
    expect(
      decide(s({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }), { 'kms:GrantIsForAWSResource': 'false' }),
    ).toBe('ImplicitDeny');
    expect(decide(s({ Null: { 'aws:RequestTag/x': 'true' } }), {})).toBe('Allowed');
    expect(decide(s({ Null: { 'aws:RequestTag/x': 'true' } }), { 'aws:RequestTag/x': 'y' })).toBe(
      'ImplicitDeny',
    );
    expect(
      decide(s({ ArnLike: { 'aws:SourceArn': 'arn:aws:rds:*:*:db:fork-*' } }), {
        'aws:SourceArn': 'arn:aws:rds:r:1:db:fork-a',
      }),
    ).toBe('Allowed');
  });

  it('refuses a condition operator it does not implement instead of guessing', () => {
    const s: PolicyStatement = {
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { NumericLessThan: { 'aws:x': '1' } },
    };
    expect(() => evaluate([s], request('a:b', 'r'))).toThrow(/NumericLessThan is not supported/);
  });
});
