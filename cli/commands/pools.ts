import { Command } from 'commander';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { poolsView } from '../output.js';

export function poolsCommand(deps: Deps): Command {
  const command = new Command('pools').description(
    'list the warm pools: members ready and warming per source, and what they keep running',
  );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
A create from a source's latest backup (no --from, no override but the pool's class) takes a ready
member of the source's pool: it only gets credentials, a DNS name and an expiry, in seconds.

Examples:
  $ dbfork pools
  $ dbfork pools --json | jq '.pools[] | {source, ready}'`,
    )
    .action(async (options: CommonOptions) => {
      const client = await deps.connect(options);
      const body = await client.listPools();
      emit(deps.io, options, body, () => poolsView(body.pools));
    });
}
