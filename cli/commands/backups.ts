import { Command } from 'commander';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor } from '../errors.js';
import { backupsView } from '../output.js';

export function backupsCommand(deps: Deps): Command {
  const command = new Command('backups')
    .description(
      'list what a fork of a database can restore from: snapshots (newest first) and the restorable window',
    )
    .argument('<source>', 'database identifier or ARN');
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork backups orders-postgres
  $ dbfork create orders-postgres --from snapshot:$(dbfork backups orders-postgres --json | jq -r '.backups[0].id')`,
    )
    .action(async (source: string, options: CommonOptions) => {
      const client = await deps.connect(options);
      try {
        const body = await client.listBackups(source);
        emit(deps.io, options, body, () => backupsView(body));
      } catch (error) {
        throw error instanceof ApiError
          ? error.withHint(hintFor(error, { command: 'backups', source }))
          : error;
      }
    });
}
