/**
 * The `dbfork` command line: one subcommand per file in commands/. `runCli` parses, runs and turns
 * every failure into a message + hint on stderr (and `{"error": …}` on stdout with --json); it
 * returns the exit code instead of exiting, so tests can drive it in-process.
 */
import { Command, CommanderError } from 'commander';
import { backupsCommand } from './commands/backups.js';
import { connectCommand } from './commands/connect.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { extendCommand } from './commands/extend.js';
import { listCommand } from './commands/list.js';
import { poolsCommand } from './commands/pools.js';
import { refreshCommand } from './commands/refresh.js';
import { showCommand } from './commands/show.js';
import { sourcesCommand } from './commands/sources.js';
import { waitCommand } from './commands/wait.js';
import { type Deps, defaultDeps, withCommonOptions } from './context.js';
import { ApiError, CliError } from './errors.js';

export const VERSION = '0.1.0';

export function buildProgram(deps: Deps): Command {
  const program = withCommonOptions(new Command('dbfork'))
    .description(
      'Fork databases on demand: independent, writable copies with their own credentials, DNS name and TTL.',
    )
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => deps.io.out(s), writeErr: (s) => deps.io.err(s) })
    .exitOverride()
    // --api, --principal and --json work before the command too (`dbfork --api URL --json list`):
    // what was given there fills in what the command itself was not given.
    .hook('preAction', (root, action) => {
      for (const [key, value] of Object.entries(root.opts())) {
        if (value !== undefined && action.getOptionValue(key) === undefined)
          action.setOptionValue(key, value);
      }
    })
    .addHelpText(
      'after',
      `
Target API: --api <url>, else $DBFORK_API_URL, else the ApiUrl output of the deployed DbFork stack
($DBFORK_STACK_NAME). Requests to AWS are SigV4-signed with your default AWS credentials; the offline
API (npm run local) takes --principal / $DBFORK_PRINCIPAL as the caller instead.

Options go before or after the command (dbfork --api URL --json list = dbfork list --api URL --json).

Examples:
  $ export DBFORK_API_URL=http://127.0.0.1:3000     # npm run local
  $ dbfork sources
  $ dbfork pools
  $ dbfork create orders-postgres --name pr-1234 --ttl 24h --wait
  $ dbfork list --mine
  $ dbfork connect pr-1234 --url
  $ dbfork extend pr-1234 --ttl 48h
  $ dbfork refresh pr-1234 --wait
  $ dbfork delete pr-1234 --yes`,
    );
  for (const make of [
    createCommand,
    listCommand,
    showCommand,
    connectCommand,
    waitCommand,
    extendCommand,
    refreshCommand,
    deleteCommand,
    sourcesCommand,
    backupsCommand,
    poolsCommand,
  ]) {
    program.addCommand(
      make(deps)
        .exitOverride()
        .configureOutput({
          writeOut: (s) => deps.io.out(s),
          writeErr: (s) => deps.io.err(s),
        })
        .showHelpAfterError('(add --help for usage)'),
    );
  }
  return program;
}

/** Runs the CLI with `args` (without node and script); resolves with the exit code. */
export async function runCli(args: readonly string[], deps: Deps = defaultDeps()): Promise<number> {
  const program = buildProgram(deps);
  const json = args.includes('--json');
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed it (or the help)
    const { io } = deps;
    if (error instanceof CliError) {
      io.err(`error: ${error.message}\n`);
      if (error.hint) io.err(`hint: ${error.hint}\n`);
      if (json) {
        const body =
          error instanceof ApiError
            ? { code: error.code, status: error.status, message: error.message, details: error.details }
            : { code: error.name, message: error.message };
        io.out(
          `${JSON.stringify({ error: { ...body, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2)}\n`,
        );
      }
      return error.exitCode;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
