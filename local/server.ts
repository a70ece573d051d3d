/**
 * The offline HTTP front door: node:http in place of API Gateway. Each request becomes the
 * `APIGatewayProxyEvent` a REST API proxy integration would send the api Lambda (method, path,
 * resource + pathParameters of the matching route, single- and multi-value query and headers,
 * body), and the Lambda's result becomes the response. The caller identity API Gateway takes from
 * the SigV4 signature comes from the `X-Dbfork-Principal` header instead (default a local IAM user),
 * so ownership rules work the same offline.
 *
 *   const server = new LocalApiServer({ port: 3000 });
 *   await server.listen();          // GET /v1/health → 503 {status: 'starting'}
 *   server.ready(createApi(rt));    // now 200 {status: 'ok'}, and every route is served
 *   await server.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Api } from '../lambdas/api/api.js';
import type { Route } from '../lambdas/api/router.js';
import { ROUTES } from '../lambdas/api/routes.js';

export const PRINCIPAL_HEADER = 'X-Dbfork-Principal';
export const DEFAULT_LOCAL_PRINCIPAL = 'arn:aws:iam::123456789012:user/local-developer';
export const HEALTH_PATH = '/v1/health';
/** API Gateway's own payload limit is 10 MB; the api Lambda refuses more than 64 KiB itself. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

const LOCAL_ACCOUNT = '123456789012';
const STAGE = 'local';

/** What the adapter reads of a request (an IncomingMessage, or a test's plain object). */
export interface RawRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/forks?status=ready&tag=a:1&tag=b:2`. */
  url: string;
  /** Name/value pairs in the order received (`IncomingMessage.rawHeaders`). */
  rawHeaders: readonly string[];
  body?: Buffer | undefined;
  sourceIp?: string | undefined;
}

export interface EventOptions {
  defaultPrincipal?: string;
  routes?: readonly Route[];
  requestId?: string;
  now?: Date;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The route pattern (API Gateway's `resource`) matching a path, and its decoded path parameters. */
export function matchResource(
  path: string,
  routes: readonly Route[] = ROUTES,
): { resource: string; pathParameters: Record<string, string> | null } {
  const actual = segments(path);
  for (const { pattern } of routes) {
    const expected = segments(pattern);
    if (expected.length !== actual.length) continue;
    const params: Record<string, string> = {};
    const matches = expected.every((part, i) => {
      const value = actual[i] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) params[name] = safeDecode(value);
      return name !== undefined || part === value;
    });
    if (matches) return { resource: pattern, pathParameters: Object.keys(params).length ? params : null };
  }
  return { resource: path, pathParameters: null };
}

/** Single-value maps keep the last value of a repeated name, as API Gateway does; multi-value keep all. */
function singleAndMulti(pairs: [string, string][]): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (pairs.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
}

function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  }
  return pairs;
}

function principalOf(headers: [string, string][], fallback: string): string {
  const wanted = PRINCIPAL_HEADER.toLowerCase();
  const given = headers
    .filter(([name]) => name.toLowerCase() === wanted)
    .at(-1)?.[1]
    ?.trim();
  return given ? given : fallback;
}

/** The APIGatewayProxyEvent (REST API, proxy integration) API Gateway would send for this request. */
export function toProxyEvent(request: RawRequest, options: EventOptions = {}): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname;
  const method = request.method.toUpperCase();
  const query = singleAndMulti([...url.searchParams.entries()]);
  const headerList = headerPairs(request.rawHeaders);
  const headers = singleAndMulti(headerList);
  const { resource, pathParameters } = matchResource(path, options.routes);
  const principal = principalOf(headerList, options.defaultPrincipal ?? DEFAULT_LOCAL_PRINCIPAL);
  const now = options.now ?? new Date();
  const requestId = options.requestId ?? randomUUID();
  const body = request.body && request.body.byteLength > 0 ? request.body.toString('utf8') : null;
  const userAgent = headerList.find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
  return {
    httpMethod: method,
    path,
    resource,
    pathParameters,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    body,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: null,
      httpMethod: method,
      path: `/${STAGE}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: resource,
      stage: STAGE,
      identity: {
        accessKey: null,
        accountId: LOCAL_ACCOUNT,
        apiKey: null,
        apiKeyId: null,
        caller: principal,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: principal,
        userAgent,
        userArn: principal,
      },
    },
  };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.statusCode = result.statusCode;
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    res.setHeader(
      name,
      values.map((v) => String(v)),
    );
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function jsonResult(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        reject(new RequestTooLargeError(`request body over ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * What the offline health check tells a client beyond `ok`: the emulator's endpoint, where the
 * CLI reads a fork's secret (`dbfork connect`) as it would from Secrets Manager on AWS.
 */
export interface OfflineDetails {
  awsEndpoint?: string;
}

export interface LocalApiServerOptions {
  /** @default 3000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  defaultPrincipal?: string;
  /** Told about a request the api threw on (it never should: it answers every error itself). */
  onError?: (error: unknown) => void;
}

export class LocalApiServer {
  private readonly server: Server;
  private api: Api | undefined;
  private details: OfflineDetails = {};

  constructor(private readonly options: LocalApiServerOptions = {}) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** From now on requests reach the api and the health check answers 200 (with `details`). */
  ready(api: Api, details: OfflineDetails = {}): void {
    this.api = api;
    this.details = details;
  }

  get isReady(): boolean {
    return this.api !== undefined;
  }

  /** Starts listening; resolves with the base URL. Rejects (EADDRINUSE, ...) when the port is taken. */
  listen(): Promise<{ url: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 3000, host, () => {
        this.server.removeListener('error', onError);
        const { port } = this.server.address() as AddressInfo;
        resolve({ url: `http://${host}:${port}`, port });
      });
    });
  }

  /** Stops accepting requests and closes every open connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        req.resume();
        send(res, this.health());
        return;
      }
      const body = await readBody(req, MAX_REQUEST_BYTES);
      if (!this.api) {
        send(
          res,
          jsonResult(503, {
            error: {
              code: 'service_unavailable',
              message: 'dbfork is still starting; retry when GET /v1/health answers 200',
              details: [],
            },
          }),
        );
        return;
      }
      const event = toProxyEvent(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: req.socket.remoteAddress,
        },
        this.options.defaultPrincipal ? { defaultPrincipal: this.options.defaultPrincipal } : {},
      );
      send(res, await this.api(event));
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        send(
          res,
          jsonResult(413, {
            error: {
              code: 'payload_too_large',
              message: `the request body is over ${MAX_REQUEST_BYTES} bytes`,
              details: [],
            },
          }),
        );
        return;
      }
      this.options.onError?.(error);
      if (!res.headersSent) {
        send(
          res,
          jsonResult(500, { error: { code: 'internal_error', message: 'internal error', details: [] } }),
        );
      } else {
        res.end();
      }
    }
  }

  private health(): APIGatewayProxyResult {
    if (this.api) return jsonResult(200, { status: 'ok', ...this.details });
    return jsonResult(503, { status: 'starting' });
  }
}
