import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_PRINCIPAL,
  LocalApiServer,
  matchResource,
  toProxyEvent,
} from '../../../local/server.js';

describe('toProxyEvent', () => {
  it('maps a request to the REST API proxy event API Gateway would send', () => {
    const event = toProxyEvent(
      {
        method: 'patch',
        url: '/v1/forks/pr%2D7?tag=team:a&tag=pr:1&limit=5',
        rawHeaders: [
          'Content-Type',
          'application/json',
          'X-Custom',
          'one',
          'x-custom',
          'two',
          'X-Dbfork-Principal',
          'arn:aws:iam::123456789012:user/alice',
        ],
        body: Buffer.from('{"ttlMinutes":90}'),
        sourceIp: '127.0.0.1',
      },
      { requestId: 'req-1', now: new Date('2026-11-20T12:00:00Z') },
    );

    expect(event).toMatchObject({
      httpMethod: 'PATCH',
      path: '/v1/forks/pr%2D7',
      resource: '/v1/forks/{id}',
      pathParameters: { id: 'pr-7' },
      queryStringParameters: { tag: 'pr:1', limit: '5' },
      multiValueQueryStringParameters: { tag: ['team:a', 'pr:1'], limit: ['5'] },
      headers: {
        'Content-Type': 'application/json',
        'X-Custom': 'one',
        'x-custom': 'two',
        'X-Dbfork-Principal': 'arn:aws:iam::123456789012:user/alice',
      },
      multiValueHeaders: { 'X-Custom': ['one'], 'x-custom': ['two'] },
      body: '{"ttlMinutes":90}',
      isBase64Encoded: false,
      requestContext: {
        httpMethod: 'PATCH',
        requestId: 'req-1',
        requestTimeEpoch: Date.parse('2026-11-20T12:00:00Z'),
        resourcePath: '/v1/forks/{id}',
        identity: {
          userArn: 'arn:aws:iam::123456789012:user/alice',
          caller: 'arn:aws:iam::123456789012:user/alice',
          sourceIp: '127.0.0.1',
        },
      },
    });
  });

  it('stands in a local IAM user for the caller when no principal header is sent, and nulls what is absent', () => {
    const event = toProxyEvent({ method: 'GET', url: '/v1/sources', rawHeaders: [] });

    expect(event.requestContext.identity.userArn).toBe(DEFAULT_LOCAL_PRINCIPAL);
    expect(event).toMatchObject({
      resource: '/v1/sources',
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
    });
  });

  it('uses the configured default principal', () => {
    const event = toProxyEvent(
      { method: 'GET', url: '/v1/forks', rawHeaders: ['x-dbfork-principal', '  '] },
      { defaultPrincipal: 'arn:aws:iam::123456789012:user/bob' },
    );
    expect(event.requestContext.identity.userArn).toBe('arn:aws:iam::123456789012:user/bob');
  });
});

describe('matchResource', () => {
  it.each([
    ['/v1/forks', '/v1/forks', null],
    ['/v1/forks/fork-abcdef123456', '/v1/forks/{id}', { id: 'fork-abcdef123456' }],
    ['/v1/sources/orders-postgres/backups', '/v1/sources/{id}/backups', { id: 'orders-postgres' }],
    ['/v1/nope', '/v1/nope', null],
  ])('%s → %s', (path, resource, pathParameters) => {
    expect(matchResource(path)).toEqual({ resource, pathParameters });
  });
});

describe('LocalApiServer', () => {
  let server: LocalApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers /v1/health 503 until ready, then serves the api with the mapped event', async () => {
    server = new LocalApiServer({ port: 0 });
    const { url } = await server.listen();

    const starting = await fetch(`${url}/v1/health`);
    expect([starting.status, await starting.json()]).toEqual([503, { status: 'starting' }]);
    const early = await fetch(`${url}/v1/forks`);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');

    const seen: APIGatewayProxyEvent[] = [];
    server.ready(async (event) => {
      seen.push(event);
      return {
        statusCode: 202,
        headers: { 'content-type': 'application/json', location: '/v1/forks/fork-1' },
        body: JSON.stringify({ ok: true }),
      };
    });

    const health = await fetch(`${url}/v1/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const response = await fetch(`${url}/v1/forks?status=ready`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-dbfork-principal': 'arn:aws:iam::123456789012:user/carol',
      },
      body: '{"source":"orders-postgres"}',
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/v1/forks/fork-1');
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      httpMethod: 'POST',
      path: '/v1/forks',
      resource: '/v1/forks',
      queryStringParameters: { status: 'ready' },
      body: '{"source":"orders-postgres"}',
      requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/carol' } },
    });
  });

  it('refuses a port that is taken', async () => {
    server = new LocalApiServer({ port: 0 });
    const { port } = await server.listen();
    const second = new LocalApiServer({ port });

    await expect(second.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
