import { Command, Option } from 'commander';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import type { Fork } from '../http.js';
import { forksTable } from '../output.js';

export const STATUSES = ['creating', 'ready', 'failed', 'deleting', 'deleted'] as const;

interface ListOptions extends CommonOptions {
  source?: string;
  status?: string;
  mine?: boolean;
}

/** Every page of GET /v1/forks. */
export function listCommand(deps: Deps): Command {
  const command = new Command('list')
    .description('list forks, newest first')
    .option('--source <source>', 'only forks of this database')
    .addOption(new Option('--status <status>', 'only forks in this status').choices(STATUSES))
    .option('--mine', 'only forks you own');
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork list
  $ dbfork list --mine --status ready
  $ dbfork list --source orders-postgres --json | jq -r '.forks[].name'`,
    )
    .action(async (options: ListOptions) => {
      const client = await deps.connect(options);
      const forks: Fork[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.listForks({
          source: options.source,
          status: options.status,
          owner: options.mine ? 'me' : undefined,
          limit: 100,
          nextToken,
        });
        forks.push(...page.forks);
        nextToken = page.nextToken;
      } while (nextToken);
      emit(deps.io, options, { forks }, () => forksTable(forks, deps.io.now()));
    });
}
