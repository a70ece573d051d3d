import { Command, Option } from 'commander';
import { parseDuration } from '../args.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, CliError, hintFor, UsageError } from '../errors.js';
import type { Fork } from '../http.js';
import { forkLabel } from '../output.js';
import { waitForFork } from '../progress.js';

interface DeleteOptions extends CommonOptions {
  yes?: boolean;
  wait?: boolean;
  timeout: number;
}

export function deleteCommand(deps: Deps): Command {
  const command = new Command('delete')
    .description('delete a fork and everything it made (database, DNS name, secret, schedule)')
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork')
    .option('-y, --yes', "do not ask to type the fork's name (needed without a terminal, e.g. in CI)")
    .option('--wait', 'wait until it is deleted')
    .addOption(
      new Option('--timeout <duration>', 'with --wait: give up after this long')
        .default(30 * 60_000, '30m')
        .argParser((v) => parseDuration(v, { allowSeconds: true, what: '--timeout' })),
    );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork delete pr-1234              # asks you to type pr-1234
  $ dbfork delete pr-1234 --yes --wait`,
    )
    .action(async (ref: string, options: DeleteOptions) => {
      const { io } = deps;
      const client = await deps.connect(options);
      try {
        if (!options.yes) {
          if (!io.stdinIsTTY) {
            throw new UsageError(`refusing to delete ${ref} without confirmation`, {
              hint: 'pass --yes to delete without being asked (scripts, CI)',
            });
          }
          const target = await client.getFork(ref);
          const answer = await io.prompt(
            `This deletes fork ${forkLabel(target)} and its database for good.\nType ${target.name} to confirm: `,
          );
          if (answer.trim() !== target.name) {
            throw new CliError(`"${answer.trim()}" is not ${target.name}; nothing was deleted`);
          }
        }
        let fork: Fork = await client.deleteFork(ref);
        if (!options.json || options.wait) io.err(`Deleting ${forkLabel(fork)}\n`);
        if (options.wait) {
          fork = await waitForFork(client, fork.id, {
            target: 'deleted',
            io,
            timeoutMs: options.timeout,
            initial: fork,
          });
        }
        emit(io, options, fork, () => `${forkLabel(fork)} is ${fork.status}`);
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'delete' })) : error;
      }
    });
}
