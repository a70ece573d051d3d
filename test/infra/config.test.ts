import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { configFromContext, DbForkConfigError, parseConfig } from '../../lib/config.js';
import { exampleConfig, synthesizeTemplate } from '../../local/synth.js';
import { runApp } from './app.js';
import { resourcesOfType } from './template.js';

const valid = { hostedZone: { id: 'Z0123456789EXAMPLE', domain: 'forks.example.internal' } };

function errorOf(input: unknown): string {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DbForkConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('applies the defaults to a minimal config', () => {
    const config = parseConfig(valid);
    expect(config.ttl).toEqual({ defaultHours: 24, maxHours: 720, minMinutes: 60 });
    expect(config.auditRetentionDays).toBe(30);
    expect(config.logRetentionDays).toBe(30);
    expect(config.allowTaggedSources).toBe(true);
  });

  it('has commands in on by default, owned by dbfork-automation, which is no admin', () => {
    expect(parseConfig(valid).automation).toEqual({
      principal: 'dbfork-automation',
      admin: false,
      enabled: true,
    });
    expect(parseConfig({ ...valid, automation: { admin: true } }).automation).toEqual({
      principal: 'dbfork-automation',
      admin: true,
      enabled: true,
    });
  });

  it('names automation.principal when it is empty or has spaces, and an unknown automation field', () => {
    expect(errorOf({ ...valid, automation: { principal: 'ci bot' } })).toBe(
      'dbfork config: automation.principal must be 1-255 visible ASCII characters, no spaces',
    );
    expect(errorOf({ ...valid, automation: { principal: '' } })).toContain('automation.principal ');
    expect(errorOf({ ...valid, automation: { owner: 'x' } })).toBe(
      'dbfork config: automation.owner is not a known field',
    );
  });

  it('names hostedZone.id when the zone id is not a Route 53 id', () => {
    expect(errorOf({ hostedZone: { ...valid.hostedZone, id: 'zone-1' } })).toBe(
      'dbfork config: hostedZone.id must be a Route 53 hosted zone id like Z0123456789ABC',
    );
  });

  it('names ttl.defaultHours when the default TTL exceeds the maximum', () => {
    expect(errorOf({ ...valid, ttl: { defaultHours: 48, maxHours: 24 } })).toBe(
      'dbfork config: ttl.defaultHours must not exceed ttl.maxHours',
    );
  });

  it('names ttl.minMinutes when the minimum TTL exceeds the default TTL', () => {
    expect(errorOf({ ...valid, ttl: { defaultHours: 1, minMinutes: 90 } })).toBe(
      'dbfork config: ttl.minMinutes must not exceed ttl.defaultHours (in minutes)',
    );
  });

  it('names an unknown field, also inside a nested object', () => {
    expect(errorOf({ ...valid, allowedSource: ['x'] })).toBe(
      'dbfork config: allowedSource is not a known field',
    );
    expect(errorOf({ ...valid, quotas: { maxForks: 3 } })).toBe(
      'dbfork config: quotas.maxForks is not a known field',
    );
  });

  it('names every bad field at once', () => {
    const message = errorOf({ hostedZone: { id: 'x', domain: 'not a domain' }, auditRetentionDays: 0 });
    expect(message).toContain('hostedZone.id ');
    expect(message).toContain('hostedZone.domain ');
    expect(message).toContain('auditRetentionDays ');
  });

  it('rejects a log retention CloudWatch Logs does not offer', () => {
    expect(errorOf({ ...valid, logRetentionDays: 31 })).toMatch(
      /^dbfork config: logRetentionDays must be one of 1, 3, 5, .* got 31$/,
    );
  });

  it('rejects a missing config', () => {
    expect(errorOf(undefined)).toBe(
      'dbfork config: (root) Invalid input: expected object, received undefined',
    );
  });
});

describe('configFromContext', () => {
  it('reads the dbfork context key, as an object or as JSON text (-c dbfork=...)', () => {
    expect(configFromContext(new App({ context: { dbfork: valid } })).hostedZone.id).toBe(
      'Z0123456789EXAMPLE',
    );
    expect(configFromContext(new App({ context: { dbfork: JSON.stringify(valid) } })).hostedZone.id).toBe(
      'Z0123456789EXAMPLE',
    );
  });

  it('says how to fix a missing context key', () => {
    expect(() => configFromContext(new App())).toThrow(/missing; set the context key "dbfork" in cdk.json/);
  });
});

describe('DbFork config in the app', () => {
  it('synthesizes the example config of cdk.json', () => {
    const template = synthesizeTemplate(exampleConfig());
    expect(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).toHaveLength(3);
    expect(exampleConfig().allowedSources).toEqual(['orders-prod']);
  });

  it('fails the synth of a construct given a bad config, naming the field', () => {
    expect(() => synthesizeTemplate({ ...valid, ttl: { defaultHours: 100, maxHours: 10 } })).toThrow(
      'dbfork config: ttl.defaultHours must not exceed ttl.maxHours',
    );
  });

  it('rejects a policy too large for a Lambda environment', () => {
    const allowedSources = Array.from({ length: 200 }, (_, i) => `source-database-number-${i}`);
    expect(() => synthesizeTemplate({ ...valid, allowedSources })).toThrow(/Lambda environments hold 4 KB/);
  });

  it('makes bin/app.ts exit 1 with one line naming the field', () => {
    const run = runApp({
      dbfork: { ...exampleConfig(), hostedZone: { id: 'bad', domain: 'forks.example.internal' } },
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'dbfork config: hostedZone.id must be a Route 53 hosted zone id like Z0123456789ABC',
    );
  }, 60_000);
});
