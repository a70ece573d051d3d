import { Command } from 'commander';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor } from '../errors.js';
import { forkDetails } from '../output.js';

export function showCommand(deps: Deps): Command {
  const command = new Command('show')
    .description('show a fork: status, connection details, expiry, history')
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork');
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork show pr-1234
  $ dbfork show pr-1234 --json | jq -r .secretArn`,
    )
    .action(async (ref: string, options: CommonOptions) => {
      const client = await deps.connect(options);
      try {
        const fork = await client.getFork(ref);
        emit(deps.io, options, fork, () => forkDetails(fork, deps.io.now(), { history: true }));
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'show' })) : error;
      }
    });
}
