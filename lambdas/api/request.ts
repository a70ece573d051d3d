import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '../core/errors.js';
import type * as z from '../core/zod.js';
import { CallerUnknownError, InvalidJsonError } from './errors.js';
import { zodDetails } from './respond.js';

/** An API Gateway proxy event reduced to what routes read; the body is decoded but not parsed. */
export interface ApiRequest {
  method: string;
  path: string;
  /** Path parameters from the route pattern, URL-decoded. */
  params: Record<string, string>;
  /** Query parameters; a repeated name keeps all its values. */
  query: Record<string, string[]>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string | undefined;
  /** The IAM principal that signed the request. */
  caller: string;
  requestId: string;
}

export const MAX_BODY_BYTES = 64 * 1024;

/** A missing field reads "is required" unless its schema says otherwise. */
const PARSE_OPTIONS = {
  error: (issue: { code: string; input?: unknown }) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

/** The caller is the signing principal's ARN (API Gateway AWS_IAM auth); no principal, no access. */
export function callerOf(event: APIGatewayProxyEvent): string {
  const identity = event.requestContext?.identity;
  const caller = identity?.userArn || identity?.caller || identity?.user;
  if (!caller) {
    throw new CallerUnknownError('the request carries no IAM identity; sign it with SigV4 (AWS_IAM auth)');
  }
  return caller;
}

function decodeBody(event: APIGatewayProxyEvent): string | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `the request body is ${bytes.byteLength} bytes; the limit is ${MAX_BODY_BYTES} bytes (64 KiB)`,
      { details: [{ message: 'body too large', limitBytes: MAX_BODY_BYTES }] },
    );
  }
  return bytes.toString('utf8');
}

function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    const first = values?.[0];
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

function queryOf(event: APIGatewayProxyEvent): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values) out[name] = [...values];
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !out[name]) out[name] = [value];
  }
  return out;
}

export function toApiRequest(event: APIGatewayProxyEvent, params: Record<string, string>): ApiRequest {
  const body = decodeBody(event);
  return {
    method: event.httpMethod,
    path: event.path,
    params,
    query: queryOf(event),
    headers: lowerCaseHeaders(event),
    body,
    caller: callerOf(event),
    requestId: event.requestContext?.requestId ?? '',
  };
}

export function header(request: ApiRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues);
    const first = details[0];
    const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    throw new ValidationError(`invalid ${what}: ${summary}${more}`, { details });
  }
  return parsed.data;
}

/** The JSON object body, validated. Bad JSON or a non-object is a 400 naming the problem. */
export function parseBody<S extends z.ZodMiniType>(request: ApiRequest, schema: S): z.output<S> {
  if (request.body === undefined || request.body.trim() === '') {
    throw new InvalidJsonError('this request needs a JSON object body', {
      details: [{ path: '', message: 'body is empty' }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch (error) {
    throw new InvalidJsonError(
      `the request body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`,
      {
        details: [{ path: '', message: 'malformed JSON' }],
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new InvalidJsonError(`the request body must be a JSON object, not ${kind}`, {
      details: [{ path: '', message: 'expected a JSON object' }],
    });
  }
  return validate(schema, value, 'request body');
}

/** Like {@link parseBody}, but no body (or a blank one) reads as `{}`: for requests whose fields are all optional. */
export function parseOptionalBody<S extends z.ZodMiniType>(request: ApiRequest, schema: S): z.output<S> {
  if (request.body === undefined || request.body.trim() === '') return validate(schema, {}, 'request body');
  return parseBody(request, schema);
}

/** Query parameters, each given at most once, validated (unknown parameters are refused by strict schemas). */
export function parseQuery<S extends z.ZodMiniType>(request: ApiRequest, schema: S): z.output<S> {
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.query)) {
    if (values.length > 1) {
      throw new ValidationError(`query parameter "${name}" was given ${values.length} times; give it once`, {
        details: [{ path: name, message: 'repeated query parameter' }],
      });
    }
    const [value] = values;
    if (value !== undefined) single[name] = value;
  }
  return validate(schema, single, 'query parameters');
}

export function parseParams<S extends z.ZodMiniType>(request: ApiRequest, schema: S): z.output<S> {
  return validate(schema, request.params, 'path');
}
