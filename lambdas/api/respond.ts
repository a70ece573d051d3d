import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type ErrorDetail, errorName, isDbForkError } from '../core/errors.js';
import type * as z from '../core/zod.js';

/** What a route returns; the handler turns it into the proxy result. */
export interface ApiResponse {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

export function json(response: ApiResponse, requestId?: string): APIGatewayProxyResult {
  return {
    statusCode: response.statusCode,
    headers: { ...BASE_HEADERS, ...(requestId ? { 'x-request-id': requestId } : {}), ...response.headers },
    body: JSON.stringify(response.body),
  };
}

export function errorBody(code: string, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => (typeof segment === 'symbol' ? (segment.description ?? '') : String(segment)))
    .join('.');
}

/** Zod issues as error details: one `{path, message}` per problem, unknown fields named one by one. */
export function zodDetails(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ErrorDetail[] {
  return issues.flatMap((issue): ErrorDetail[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: pathOf([...path, key]), message: 'unknown field' }));
      case 'invalid_key':
      case 'invalid_element':
        return zodDetails(issue.issues, path);
      default:
        return [{ path: pathOf(path), message: issue.message }];
    }
  });
}

/** AWS throttling: our fault and transient, so 503 (never surfaced as a 4xx nor a raw 500). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestLimitExceededException',
]);

/**
 * DynamoDB cancelled a transaction only because a concurrent one touched the same items (the store
 * retries a few times first): transient, so 503 like throttling.
 */
function isTransactionConflict(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'TransactionConflictException') return true;
  if (name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/**
 * Every error as `{"error": {code, message, details}}`. A DbForkError answers with its own status;
 * anything else is a 500 with a generic message (the error itself is logged, never returned).
 */
export function errorResponse(error: unknown, logger: Logger, requestId?: string): APIGatewayProxyResult {
  if (isDbForkError(error)) {
    const log = { code: error.code, statusCode: error.statusCode, message: error.message };
    if (error.statusCode >= 500) logger.error('request failed', { ...log, error });
    else logger.info('request refused', log);
    return json(
      { statusCode: error.statusCode, body: errorBody(error.code, error.message, error.details) },
      requestId,
    );
  }
  logger.error('unhandled error', { error: error instanceof Error ? error : String(error) });
  const name = errorName(error);
  if ((name && THROTTLING.has(name)) || isTransactionConflict(error)) {
    return json(
      {
        statusCode: 503,
        headers: { 'retry-after': '1' },
        body: errorBody('service_unavailable', 'dbfork is being throttled by AWS; retry shortly'),
      },
      requestId,
    );
  }
  const reference = requestId ? ` (request ${requestId})` : '';
  return json(
    {
      statusCode: 500,
      body: errorBody('internal_error', `dbfork failed to handle this request${reference}`),
    },
    requestId,
  );
}
