import { DbForkError } from '../core/errors.js';

/** Why a command is refused before any route sees it (the routes' own errors are lambdas/core/errors.ts). */

/** The message is not an EventBridge event with an object `detail`. */
export class InvalidCommandError extends DbForkError {
  override readonly name = 'InvalidCommandError';
  readonly code = 'invalid_command';
  readonly statusCode = 400;
}

/** A detail-type dbfork takes on the bus but cannot carry out (yet). */
export class UnsupportedCommandError extends DbForkError {
  override readonly name = 'UnsupportedCommandError';
  readonly code = 'unsupported_command';
  readonly statusCode = 400;
}

/** A command put with dbfork's own source or an AWS service's. */
export class CommandSourceRefusedError extends DbForkError {
  override readonly name = 'CommandSourceRefusedError';
  readonly code = 'command_source_refused';
  readonly statusCode = 403;
}

/**
 * The command's idempotency key names a fork that failed (e.g. its workflow could not be started on
 * an earlier try): the same key only ever replays that fork, as an HTTP retry with the same
 * Idempotency-Key would. Final; a new command (another event, or another idempotencyKey) tries anew.
 */
export class ReplayedFailedForkError extends DbForkError {
  override readonly name = 'ReplayedFailedForkError';
  readonly code = 'fork_failed';
  readonly statusCode = 409;
}
