import { describe, expect, it } from 'vitest';
import {
  assertCommandSource,
  type CommandEvent,
  parseCommand,
} from '../../../lambdas/commands/command-event.js';
import { COMMAND_ROUTES, commandRequest, commandRoute } from '../../../lambdas/commands/command-routes.js';
import { automationRuntime } from '../../../lambdas/commands/consume.js';
import { mockedRuntime } from '../../support/runtime.js';
import { commandEvent } from './support.js';

const AUTOMATION = 'dbfork-automation';

function command(detailType: string, detail: Record<string, unknown>, id = 'evt-1'): CommandEvent {
  return parseCommand(JSON.stringify(commandEvent({ detailType, detail, id })));
}

function requestFor(detailType: string, detail: Record<string, unknown>) {
  return commandRequest(command(detailType, detail), commandRoute(detailType), AUTOMATION);
}

describe('commandRequest', () => {
  it('makes Create Fork the POST /v1/forks its HTTP caller would send, keyed by the event id', () => {
    expect(requestFor('Create Fork', { source: 'orders-prod', ttlHours: 2 })).toEqual({
      method: 'POST',
      path: '/v1/forks',
      params: {},
      query: {},
      headers: { 'content-type': 'application/json', 'idempotency-key': 'evt-1' },
      body: JSON.stringify({ source: 'orders-prod', ttlHours: 2 }),
      caller: AUTOMATION,
      requestId: 'evt-1',
    });
  });

  it('takes detail.idempotencyKey over the event id, and keeps it out of the body', () => {
    const request = requestFor('Create Fork', { source: 'orders-prod', idempotencyKey: 'nightly-1' });
    expect(request.headers['idempotency-key']).toBe('nightly-1');
    expect(JSON.parse(request.body ?? '')).toEqual({ source: 'orders-prod' });
  });

  it('puts detail.fork in the path of Extend Fork and Delete Fork, and the rest in the body', () => {
    expect(requestFor('Extend Fork', { fork: 'pr-7', ttlHours: 3 })).toMatchObject({
      method: 'PATCH',
      path: '/v1/forks/pr-7',
      params: { id: 'pr-7' },
      body: JSON.stringify({ ttlHours: 3 }),
    });
    expect(requestFor('Delete Fork', { fork: 'fork-abcdef123456' })).toMatchObject({
      method: 'DELETE',
      path: '/v1/forks/fork-abcdef123456',
      params: { id: 'fork-abcdef123456' },
      body: undefined,
    });
  });

  it('makes Refresh Fork the POST /v1/forks/{fork}/refresh, its optional body from the rest of the detail', () => {
    expect(requestFor('Refresh Fork', { fork: 'staging' })).toMatchObject({
      method: 'POST',
      path: '/v1/forks/staging/refresh',
      params: { id: 'staging' },
      headers: { 'content-type': 'application/json', 'idempotency-key': 'evt-1' },
      body: '{}',
    });
    expect(
      requestFor('Refresh Fork', { fork: 'staging', restore: { type: 'latest-backup' }, ttlHours: 48 }),
    ).toMatchObject({
      path: '/v1/forks/staging/refresh',
      body: JSON.stringify({ restore: { type: 'latest-backup' }, ttlHours: 48 }),
    });
  });

  it('keeps a fork reference in one path segment, for the route to refuse', () => {
    expect(requestFor('Delete Fork', { fork: '../sources' })).toMatchObject({
      path: '/v1/forks/..%2Fsources',
      params: { id: '../sources' },
    });
  });

  it.each([
    ['Delete Fork', {}, 'detail.fork: is required (the fork id or name)'],
    ['Extend Fork', { fork: 42, ttlHours: 1 }, 'detail.fork: must be a fork id or name'],
    [
      'Delete Fork',
      { fork: 'pr-7', reason: 'done' },
      'takes only "fork" (and "idempotencyKey"), not "reason"',
    ],
    [
      'Create Fork',
      { source: 'orders-prod', idempotencyKey: 'has space' },
      'detail.idempotencyKey: must be 1-255',
    ],
  ])('refuses %s with %j', (detailType, detail, message) => {
    expect(() => requestFor(detailType, detail)).toThrow(message);
  });
});

describe('commandRoute', () => {
  it('maps the four commands dbfork carries out, and refuses anything else', () => {
    expect(Object.keys(COMMAND_ROUTES).sort()).toEqual([
      'Create Fork',
      'Delete Fork',
      'Extend Fork',
      'Refresh Fork',
    ]);
    expect(() => commandRoute('Fork Ready')).toThrow(
      expect.objectContaining({ code: 'unsupported_command', statusCode: 400 }),
    );
    expect(() => commandRoute('Fork Ready')).toThrow(/cannot carry out "Fork Ready" commands/);
  });
});

describe('assertCommandSource', () => {
  it.each(['ci.pipeline', 'dbfork-ci', 'my.dbfork', 'awsome.tool'])('takes %s', (source) => {
    expect(() => assertCommandSource(source)).not.toThrow();
  });

  it.each(['dbfork', 'aws.rds', 'aws.events'])('refuses %s', (source) => {
    expect(() => assertCommandSource(source)).toThrow(
      expect.objectContaining({ code: 'command_source_refused', statusCode: 403 }),
    );
  });
});

describe('automationRuntime', () => {
  it('adds the automation principal to the admins only with automation.admin, without changing the runtime it was given', () => {
    const plain = mockedRuntime().rt;
    expect(automationRuntime(plain)).toBe(plain);

    const admin = mockedRuntime({
      env: { policy: { adminPrincipals: ['arn:aws:iam::1:role/ops'], automation: { admin: true } } },
    }).rt;
    expect(automationRuntime(admin).env.policy.adminPrincipals).toEqual([
      'arn:aws:iam::1:role/ops',
      AUTOMATION,
    ]);
    expect(admin.env.policy.adminPrincipals).toEqual(['arn:aws:iam::1:role/ops']);
  });
});
