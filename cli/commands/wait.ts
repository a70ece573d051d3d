import { Command, Option } from 'commander';
import { parseDuration } from '../args.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor } from '../errors.js';
import { forkDetails } from '../output.js';
import { waitForFork } from '../progress.js';

interface WaitCommandOptions extends CommonOptions {
  timeout: number;
}

export function waitCommand(deps: Deps): Command {
  const command = new Command('wait')
    .description(
      'wait until a fork is ready, showing its progress; fails (exit 1) with the cause if the fork fails',
    )
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork')
    .addOption(
      new Option('--timeout <duration>', 'give up after this long')
        .default(60 * 60_000, '60m')
        .argParser((v) => parseDuration(v, { allowSeconds: true, what: '--timeout' })),
    );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork wait pr-1234
  $ dbfork wait fork-1a2b3c4d5e6f --timeout 30m --json > fork.json`,
    )
    .action(async (ref: string, options: WaitCommandOptions) => {
      const client = await deps.connect(options);
      try {
        const fork = await waitForFork(client, ref, {
          target: 'ready',
          io: deps.io,
          timeoutMs: options.timeout,
        });
        emit(deps.io, options, fork, () => forkDetails(fork, deps.io.now()));
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'wait' })) : error;
      }
    });
}
