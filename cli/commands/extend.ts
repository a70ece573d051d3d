import { Command, Option } from 'commander';
import { parseTtl, type TtlFields } from '../args.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor } from '../errors.js';
import { expiryWarning, forkLabel, relative, shortTime } from '../output.js';

interface ExtendOptions extends CommonOptions {
  ttl: TtlFields;
}

export function extendCommand(deps: Deps): Command {
  const command = new Command('extend')
    .description("set a fork's time to live again, counted from now (longer or shorter)")
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork')
    .addOption(
      new Option('--ttl <duration>', 'new time to live from now, e.g. 90m, 48h, 7d')
        .argParser(parseTtl)
        .makeOptionMandatory(),
    );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork extend pr-1234 --ttl 48h
  $ dbfork extend pr-1234 --ttl 2h30m`,
    )
    .action(async (ref: string, options: ExtendOptions) => {
      const client = await deps.connect(options);
      try {
        const fork = await client.patchFork(ref, { ...options.ttl });
        emit(deps.io, options, fork, () => {
          const now = deps.io.now();
          const warning = expiryWarning(fork, now);
          return `${forkLabel(fork)} now expires at ${shortTime(fork.expiresAt)} (${relative(fork.expiresAt, now)})${warning ? `; ${warning}` : ''}`;
        });
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'extend' })) : error;
      }
    });
}
