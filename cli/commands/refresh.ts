import { Command, Option } from 'commander';
import {
  describeRestore,
  FROM_FORMS,
  parseDuration,
  parseFrom,
  parseTtl,
  type RestoreRequest,
  type TtlFields,
} from '../args.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor, UsageError } from '../errors.js';
import type { Fork } from '../http.js';
import { forkDetails, forkLabel } from '../output.js';
import { waitForRefresh } from '../refresh-progress.js';

interface RefreshOptions extends CommonOptions {
  from: RestoreRequest;
  ttl?: TtlFields;
  wait?: boolean;
  timeout: number;
  /** `--schedule <cron>`: a string; `--no-schedule`: false. */
  schedule?: string | false;
}

export function refreshCommand(deps: Deps): Command {
  const command = new Command('refresh')
    .description(
      "rebuild a fork from a newer backup: a new database takes over the fork's name, DNS name, secret and expiry once it is ready, then the old one is deleted",
    )
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork')
    .addOption(
      new Option('--from <from>', `what to restore: ${FROM_FORMS}`)
        .default(parseFrom('latest'), 'latest')
        .argParser(parseFrom),
    )
    .option('--ttl <duration>', 'a new time to live, counted from when the new database takes over', parseTtl)
    .option('--wait', 'wait until the new database serves the fork and the old one is gone')
    .addOption(
      new Option('--timeout <duration>', 'with --wait: give up after this long')
        .default(60 * 60_000, '60m')
        .argParser((v) => parseDuration(v, { allowSeconds: true, what: '--timeout' })),
    )
    .option(
      '--schedule <cron>',
      'instead of refreshing now, refresh on this EventBridge Scheduler cron (UTC), e.g. "cron(0 3 * * ? *)"',
    )
    .option('--no-schedule', 'instead of refreshing now, stop the recurring refresh');
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
A refresh keeps the fork's name, DNS name and secret ARN: apps and CI configs change nothing. The
secret gets the new database's endpoint and password when it takes over; a refresh that fails
leaves the old database serving, untouched.

Examples:
  $ dbfork refresh pr-1234 --wait
  $ dbfork refresh pr-1234 --from snapshot:orders-postgres-manual-1 --ttl 48h
  $ dbfork refresh staging --schedule "cron(0 3 * * ? *)"     # every day at 03:00 UTC
  $ dbfork refresh staging --no-schedule`,
    )
    .action(async (ref: string, options: RefreshOptions) => {
      const { io } = deps;
      const client = await deps.connect(options);
      try {
        if (options.schedule !== undefined) {
          if (options.wait) throw new UsageError('--wait refreshes now; it does not go with --schedule');
          const fork = await client.patchFork(ref, { refreshSchedule: options.schedule || null });
          emit(io, options, fork, () =>
            fork.refreshSchedule
              ? `${forkLabel(fork)} refreshes on ${fork.refreshSchedule} (UTC)`
              : `${forkLabel(fork)} has no recurring refresh`,
          );
          return;
        }
        let fork: Fork = await client.refreshFork(ref, { restore: options.from, ...(options.ttl ?? {}) });
        const attempt = fork.refresh?.attempt ?? 0;
        if (!options.json || options.wait) {
          io.err(
            `Refreshing ${forkLabel(fork)} from ${describeRestore(options.from)}: ${fork.refresh?.databaseId ?? 'a new database'} replaces ${fork.refresh?.previousDatabaseId ?? 'its database'} once ready\n`,
          );
        }
        if (options.wait) {
          fork = await waitForRefresh(client, fork.id, {
            attempt,
            io,
            timeoutMs: options.timeout,
            initial: fork,
          });
        }
        emit(io, options, fork, () =>
          options.wait
            ? forkDetails(fork, io.now())
            : `${forkDetails(fork, io.now())}\n\nFollow it with: dbfork show ${fork.name}`,
        );
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'refresh' })) : error;
      }
    });
}
