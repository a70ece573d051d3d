import { Command } from 'commander';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { sourcesTable } from '../output.js';

export function sourcesCommand(deps: Deps): Command {
  const command = new Command('sources').description(
    'list the databases dbfork sees, and whether each may be forked',
  );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork sources
  $ dbfork sources --json | jq -r '.sources[] | select(.allowed) | .id'`,
    )
    .action(async (options: CommonOptions) => {
      const client = await deps.connect(options);
      const body = await client.listSources();
      emit(deps.io, options, body, () => sourcesTable(body.sources));
    });
}
