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
