/**
 * What the CLI reports on failure: a message (the API's own, when it answered) and a hint saying
 * what to do next. The exit code is 1 for a failure, 2 for a command line that makes no sense.
 */
export interface ErrorDetail {
  path?: string;
  message?: string;
  [key: string]: unknown;
}

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(
    message: string,
    options: { hint?: string | undefined; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A bad argument or option, found before anything was sent. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** The API answered with an error (`{"error": {code, message, details}}`, or API Gateway's `{"message"}`). */
export class ApiError extends CliError {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    hint?: string,
  ) {
    super(message, { hint });
  }

  withHint(hint: string | undefined): ApiError {
    return new ApiError(this.status, this.code, this.message, this.details, hint ?? this.hint);
  }
}

/** A fork the CLI waited for ended failed (or was deleted meanwhile). */
export class ForkFailedError extends CliError {
  override readonly name = 'ForkFailedError';
}

/** What to do next about an API error, by its code; `source` is the database the command was about. */
export function hintFor(
  error: ApiError,
  context: { command?: string; source?: string } = {},
): string | undefined {
  const command = context.command ?? '<command>';
  const source = context.source ?? '<source>';
  switch (error.code) {
    case 'validation_failed':
    case 'invalid_json':
      return `see the options: dbfork ${command} --help`;
    case 'source_not_found':
      return 'list the databases you can fork: dbfork sources';
    case 'source_not_allowed':
      return 'dbfork sources shows which databases may be forked; a platform admin can add it to allowedSources or tag it dbfork:allow-fork=true';
    case 'source_not_available':
      return 'fork it from a backup (--from latest) or try again once it is available';
    case 'backup_not_found':
      return `list its snapshots: dbfork backups ${source}`;
    case 'outside_restore_window':
      return `dbfork backups ${source} shows the restorable window`;
    case 'unsupported_restore':
      return 'pick another --from (see dbfork create --help)';
    case 'fork_not_found':
      return 'list forks: dbfork list';
    case 'name_taken':
      return 'pick another --name, or delete the fork that has it';
    case 'forbidden':
      return "only the fork's owner or a dbfork admin may do this (offline, --principal or DBFORK_PRINCIPAL says who you are)";
    case 'unauthenticated':
    case 'aws_auth':
      return 'check your AWS credentials (AWS_PROFILE, aws sso login) and that they may call execute-api:Invoke on the dbfork API';
    case 'quota_exceeded':
      return 'delete forks you no longer need: dbfork list --mine';
    case 'invalid_state':
      return 'dbfork show <fork> tells where it is';
    case 'idempotency_key_reused':
      return 'use a new --idempotency-key for a different request';
    default:
      return error.status >= 500 ? 'retry in a moment; if it persists, the dbfork logs say more' : undefined;
  }
}
