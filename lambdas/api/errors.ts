import { DbForkError } from '../core/errors.js';

/** HTTP-only errors of the API (the domain's are in lambdas/core/errors.ts). */

export class InvalidJsonError extends DbForkError {
  override readonly name = 'InvalidJsonError';
  readonly code = 'invalid_json';
  readonly statusCode = 400;
}

/** The request carries no IAM principal (API Gateway with AWS_IAM auth always sets one). */
export class CallerUnknownError extends DbForkError {
  override readonly name = 'CallerUnknownError';
  readonly code = 'unauthenticated';
  readonly statusCode = 403;
}

/** A dependency refused or failed on our side; the caller may retry. */
export class ServiceUnavailableError extends DbForkError {
  override readonly name = 'ServiceUnavailableError';
  readonly code = 'service_unavailable';
  readonly statusCode = 503;
}
