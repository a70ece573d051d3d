import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES } from '../../../lambdas/api/request.js';
import { SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import {
  type ApiHarness,
  apiEvent,
  apiHarness,
  bodyOf,
  expectError,
  givenRds,
  REQUEST_ID,
} from './support.js';

let h: ApiHarness;

beforeEach(() => {
  h = apiHarness();
  givenRds(h.mocks, [sourceInstance()]);
  h.mocks.dynamo?.on(TransactWriteCommand).resolves({});
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
});

describe('the API handler', () => {
  it('answers JSON with the request id on success', async () => {
    const result = await h.call('GET', '/v1/sources');

    expect(result.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-request-id': REQUEST_ID,
    });
  });

  it('answers 404 with the error object when no route has the path', async () => {
    const error = expectError(await h.call('GET', '/v2/forks'), 404, 'route_not_found');

    expect(error.details).toEqual([{ message: 'unknown route', method: 'GET', path: '/v2/forks' }]);
  });

  it('answers 405 with an Allow header when the path exists but not with that method', async () => {
    const result = await h.call('PUT', '/v1/forks/fork-abcdef123456');

    const error = expectError(result, 405, 'method_not_allowed');
    expect(result.headers?.allow).toBe('GET, PATCH, DELETE');
    expect(error.details).toEqual([{ message: 'method not allowed', allow: ['GET', 'PATCH', 'DELETE'] }]);
  });

  it('routes a trailing slash like the path without it', async () => {
    expect((await h.call('GET', '/v1/sources/')).statusCode).toBe(200);
  });

  it('answers 413 and reads nothing when the body is over 64 KiB', async () => {
    const body = JSON.stringify({ source: SOURCE_ID, tags: { pad: 'x'.repeat(MAX_BODY_BYTES) } });

    const error = expectError(await h.call('POST', '/v1/forks', { body }), 413, 'payload_too_large');

    expect(error.details).toEqual([{ message: 'body too large', limitBytes: 65536 }]);
    expect(h.mocks.rds.calls()).toEqual([]);
    expect(h.mocks.dynamo?.calls()).toEqual([]);
  });

  it('measures the decoded size of a base64 body', async () => {
    const body = JSON.stringify({ source: SOURCE_ID, name: 'x'.repeat(MAX_BODY_BYTES) });

    expectError(await h.call('POST', '/v1/forks', { body, base64: true }), 413, 'payload_too_large');
  });

  it('decodes a base64 body', async () => {
    const result = await h.call('POST', '/v1/forks', { body: { source: SOURCE_ID }, base64: true });

    expect(result.statusCode).toBe(202);
  });

  it('answers 403 when the request carries no IAM identity', async () => {
    const error = expectError(await h.call('GET', '/v1/sources', { caller: null }), 403, 'unauthenticated');

    expect(error.message).toContain('SigV4');
    expect(h.mocks.rds.calls()).toEqual([]);
  });

  it('falls back to the identity caller when API Gateway gives no user ARN', async () => {
    const event = apiEvent('POST', '/v1/forks', { body: { source: SOURCE_ID }, caller: null });
    event.requestContext.identity.caller = 'AROAEXAMPLE:alice';

    const result = await h.api(event);

    expect(bodyOf(result).owner).toBe('AROAEXAMPLE:alice');
  });

  it('answers 500 with a generic message, logging the error, when something unexpected fails', async () => {
    h.mocks.dynamo?.on(GetCommand).rejects(new Error('socket hang up at 10.0.0.7'));
    const logged = vi.spyOn(h.rt.logger, 'error');

    const error = expectError(await h.call('GET', '/v1/forks/fork-abcdef123456'), 500, 'internal_error');

    expect(error.message).toBe(`dbfork failed to handle this request (request ${REQUEST_ID})`);
    expect(error.details).toEqual([]);
    expect(logged).toHaveBeenCalledWith('unhandled error', {
      error: expect.objectContaining({ message: 'socket hang up at 10.0.0.7' }),
    });
  });

  it('answers 503 with Retry-After when AWS throttles dbfork', async () => {
    h.mocks.dynamo
      ?.on(GetCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const result = await h.call('GET', '/v1/forks/fork-abcdef123456');

    expectError(result, 503, 'service_unavailable');
    expect(result.headers?.['retry-after']).toBe('1');
  });

  it('answers 503 with Retry-After when a create keeps colliding with concurrent transactions', async () => {
    h.mocks.dynamo?.on(GetCommand).resolves({});
    h.mocks.dynamo?.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled [None, None, TransactionConflict, None]',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'TransactionConflict' },
          { Code: 'None' },
        ],
      }),
    );

    const result = await h.call('POST', '/v1/forks', { body: { source: SOURCE_ID } });

    expectError(result, 503, 'service_unavailable');
    expect(result.headers?.['retry-after']).toBe('1');
    expect(h.workflows.started).toEqual([]);
  });

  it.each([
    ['an empty method', '', '/v1/forks'],
    ['an empty path', 'GET', ''],
    ['a path of slashes', 'GET', '///'],
    ['a bad escape', 'GET', '/v1/forks/%E0%A4%A'],
  ])('answers 4xx, never 5xx, for %s', async (_case, method, path) => {
    const result = await h.api(apiEvent(method, path));

    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(Object.keys(bodyOf(result))).toEqual(['error']);
  });
});

describe('the API handler with hostile input', () => {
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  it.each([
    ['POST', '/v1/forks', '{"__proto__": {"polluted": true}, "source": "orders-prod"}'],
    ['POST', '/v1/forks', `{"source": "orders-prod", "nested": ${deep}}`],
    ['POST', '/v1/forks', '{"source": "orders-prod", "ttlHours": 1e308}'],
    ['POST', '/v1/forks', '{"source": "orders-prod", "ttlHours": -0.0000001}'],
    [
      'POST',
      '/v1/forks',
      '{"source": "orders-prod", "restore": {"type": "point-in-time", "time": "2026-02-30T00:00:00Z"}}',
    ],
    ['POST', '/v1/forks', '{"source": "orders-prod", "name": "\u0000"}'],
    ['POST', '/v1/forks', '{"source": "arn:aws:rds:us-east-1:123456789012:db:"}'],
    ['POST', '/v1/forks', '{"source": "orders-prod", "tags": {"a": {"b": 1}}}'],
    ['POST', '/v1/forks', '\uFEFF{"source": "orders-prod"}'],
    ['PATCH', '/v1/forks/fork-abcdef123456', '{"expiresAt": "+275760-09-13T00:00:00.000Z"}'],
    ['PATCH', '/v1/forks/fork-abcdef123456', '{"ttlHours": null}'],
  ])('answers 4xx with an error object to %s %s %#', async (method, path, body) => {
    const result = await h.call(method, path, { body });

    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(Object.keys(bodyOf(result))).toEqual(['error']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
