/**
 * Typed errors. Every error a caller can cause carries an HTTP status and a stable code; names are
 * explicit strings (not constructor names) because minified bundles rename classes, and Step
 * Functions matches Retry/Catch on the error name.
 */
export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

export abstract class DbForkError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
  abstract readonly statusCode: number;
  readonly details: ErrorDetail[];
  constructor(message: string, options: { cause?: unknown; details?: ErrorDetail[] } = {}) {
    super(message, { cause: options.cause });
    this.details = options.details ?? [];
  }
}

export class ValidationError extends DbForkError {
  override readonly name = 'ValidationError';
  readonly code = 'validation_failed';
  readonly statusCode = 400;
}

export class PayloadTooLargeError extends DbForkError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
  readonly statusCode = 413;
}

export class RouteNotFoundError extends DbForkError {
  override readonly name = 'RouteNotFoundError';
  readonly code = 'route_not_found';
  readonly statusCode = 404;
}

export class MethodNotAllowedError extends DbForkError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'method_not_allowed';
  readonly statusCode = 405;
}

export class SourceNotAllowedError extends DbForkError {
  override readonly name = 'SourceNotAllowedError';
  readonly code = 'source_not_allowed';
  readonly statusCode = 403;
}

export class SourceNotFoundError extends DbForkError {
  override readonly name = 'SourceNotFoundError';
  readonly code = 'source_not_found';
  readonly statusCode = 404;
}

export class SourceNotAvailableError extends DbForkError {
  override readonly name = 'SourceNotAvailableError';
  readonly code = 'source_not_available';
  readonly statusCode = 409;
}

export class BackupNotFoundError extends DbForkError {
  override readonly name = 'BackupNotFoundError';
  readonly code = 'backup_not_found';
  readonly statusCode = 400;
}

export class RestoreWindowError extends DbForkError {
  override readonly name = 'RestoreWindowError';
  readonly code = 'outside_restore_window';
  readonly statusCode = 400;
}

export class UnsupportedRestoreError extends DbForkError {
  override readonly name = 'UnsupportedRestoreError';
  readonly code = 'unsupported_restore';
  readonly statusCode = 400;
}

export class ForkNotFoundError extends DbForkError {
  override readonly name = 'ForkNotFoundError';
  readonly code = 'fork_not_found';
  readonly statusCode = 404;
}

export class NameTakenError extends DbForkError {
  override readonly name = 'NameTakenError';
  readonly code = 'name_taken';
  readonly statusCode = 409;
}

export class IdempotencyConflictError extends DbForkError {
  override readonly name = 'IdempotencyConflictError';
  readonly code = 'idempotency_key_reused';
  readonly statusCode = 409;
}

/** A state transition the fork's current state does not allow (never backwards, never resurrect). */
export class ForkStateConflictError extends DbForkError {
  override readonly name = 'ForkStateConflictError';
  readonly code = 'invalid_state';
  readonly statusCode = 409;
}

export class NotOwnerError extends DbForkError {
  override readonly name = 'NotOwnerError';
  readonly code = 'forbidden';
  readonly statusCode = 403;
}

export class QuotaExceededError extends DbForkError {
  override readonly name = 'QuotaExceededError';
  readonly code = 'quota_exceeded';
  readonly statusCode = 429;
}

/** A destructive call aimed at something dbfork did not create (safety invariant 1). */
export class NotManagedResourceError extends DbForkError {
  override readonly name = 'NotManagedResourceError';
  readonly code = 'not_managed';
  readonly statusCode = 409;
}

/** The fork's database ended in a failed state, or vanished, while it was being made. */
export class RestoreFailedError extends DbForkError {
  override readonly name = 'RestoreFailedError';
  readonly code = 'restore_failed';
  readonly statusCode = 502;
}

/**
 * An AWS call inside a step failed in a way worth trying again: throttling (`ThrottlingException`,
 * `Throttling`, `TooManyRequestsException`, `RequestLimitExceeded`, HTTP 429…), a transient network
 * or timeout error, or a 5xx. The create Tasks retry on exactly this name; the AWS error is `cause`.
 */
export class TransientAwsError extends DbForkError {
  override readonly name = 'TransientAwsError';
  readonly code = 'aws_transient';
  readonly statusCode = 503;
}

/** A wait loop ran past its budget; the create workflow cleans up. */
export class WaitTimeoutError extends DbForkError {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'wait_timeout';
  readonly statusCode = 504;
}

/**
 * A post-restore hook failed: it threw, returned an error, could not be invoked, or ran before (a
 * hook is never started twice). The message names the hook; the create workflow cleans up.
 */
export class PostRestoreHookError extends DbForkError {
  override readonly name = 'PostRestoreHookError';
  readonly code = 'post_restore_hook_failed';
  readonly statusCode = 502;
}

/** A post-restore hook did not answer within `postRestoreHook.timeoutSeconds`. */
export class PostRestoreHookTimeoutError extends DbForkError {
  override readonly name = 'PostRestoreHookTimeoutError';
  readonly code = 'post_restore_hook_timeout';
  readonly statusCode = 504;
}

export function isDbForkError(error: unknown): error is DbForkError {
  return error instanceof DbForkError;
}

/** Name of an AWS SDK (or any) error, for matching service exceptions without importing each class. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
