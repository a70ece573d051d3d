import { Command, Option } from 'commander';
import { type ClientTool, clientPlan, connectionEnv, connectionUrl, envLines } from '../connection.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, CliError, hintFor } from '../errors.js';

interface ConnectOptions extends CommonOptions {
  url?: boolean;
  env?: boolean;
  psql?: boolean;
  mysql?: boolean;
  mongosh?: boolean;
}

const TOOLS: readonly ClientTool[] = ['psql', 'mysql', 'mongosh'];
const MODES = ['url', 'env', ...TOOLS] as const;

export function connectCommand(deps: Deps): Command {
  const exclusive = (name: string) => MODES.filter((m) => m !== name);
  const command = new Command('connect')
    .description("connect to a fork: its connection URI, its variables, or the engine's client")
    .argument('<fork>', 'fork id (fork-…) or the name of a live fork')
    .addOption(
      new Option(
        '--url',
        'print a connection URI (postgresql://, mysql://, mongodb://), password included',
      ).conflicts(exclusive('url')),
    )
    .addOption(
      new Option(
        '--env',
        "print DATABASE_URL and the engine's variables (PGHOST… PGPASSWORD), password included",
      ).conflicts(exclusive('env')),
    )
    .addOption(
      new Option('--psql', 'run psql on the fork (PostgreSQL, Aurora PostgreSQL)').conflicts(
        exclusive('psql'),
      ),
    )
    .addOption(
      new Option('--mysql', 'run mysql on the fork (MySQL, MariaDB, Aurora MySQL)').conflicts(
        exclusive('mysql'),
      ),
    )
    .addOption(
      new Option('--mongosh', 'run mongosh on the fork (DocumentDB)').conflicts(exclusive('mongosh')),
    );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
The credentials are read from the fork's secret in Secrets Manager with your own AWS credentials
(offline: from the emulator). Without an option nothing secret is printed.

Examples:
  $ dbfork connect pr-1234                      # host, port, user, database: no password
  $ dbfork connect pr-1234 --url                # postgresql://app:…@fork-….rds.amazonaws.com:5432/app?sslmode=require
  $ eval "$(dbfork connect pr-1234 --env)" && psql -c 'select 1'
  $ dbfork connect pr-1234 --env > .env.fork
  $ dbfork connect pr-1234 --psql`,
    )
    .action(async (ref: string, options: ConnectOptions) => {
      const api = await deps.connect(options);
      let fork: Awaited<ReturnType<typeof api.getFork>>;
      try {
        fork = await api.getFork(ref);
      } catch (error) {
        throw error instanceof ApiError ? error.withHint(hintFor(error, { command: 'show' })) : error;
      }
      if (fork.status !== 'ready' || !fork.secretArn) {
        throw new CliError(
          `fork ${fork.name ?? fork.id} is ${fork.status}: there is nothing to connect to yet`,
          {
            hint: fork.status === 'creating' ? `dbfork wait ${fork.name ?? fork.id}` : undefined,
          },
        );
      }
      const secret = await (await deps.secrets(api))(fork.secretArn);
      const tool = TOOLS.find((t) => options[t]);
      if (tool) {
        const plan = clientPlan(secret, tool);
        const code = await deps.exec(plan.command, plan.args, plan.env);
        if (code !== 0) throw new CliError(`${plan.command} exited with ${code}`, { exitCode: code });
        return;
      }
      if (options.url) {
        const url = connectionUrl(secret);
        emit(deps.io, options, { url }, () => url);
        return;
      }
      if (options.env) {
        const env = connectionEnv(secret);
        emit(deps.io, options, { env }, () => envLines(env));
        return;
      }
      const details = {
        engine: secret.engine,
        host: secret.host,
        port: secret.port,
        username: secret.username,
        ...(secret.dbname ? { dbname: secret.dbname } : {}),
        ...(fork.dnsName ? { dnsName: fork.dnsName } : {}),
        secretArn: fork.secretArn,
      };
      emit(deps.io, options, details, () =>
        [
          ...Object.entries(details).map(([key, value]) => `${`${key}:`.padEnd(10)} ${value}`),
          `${'password:'.padEnd(10)} in the secret (--url or --env print it; --psql / --mysql / --mongosh use it)`,
        ].join('\n'),
      );
    });
}
