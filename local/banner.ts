import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoSource } from './demo-sources.js';

/** The short "try this" block `npm run local` prints once it is up. */

const ENGINE_LABELS: Record<string, string> = {
  postgres: 'RDS PostgreSQL',
  mysql: 'RDS MySQL',
  mariadb: 'RDS MariaDB',
  'aurora-postgresql': 'Aurora PostgreSQL',
  'aurora-mysql': 'Aurora MySQL',
  docdb: 'DocumentDB',
};

export const CLI_PATH = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));

/** `  hooks:    mask (default, examples/hooks/mask.mjs), …`: each ran after a restore, before the DNS name. */
function hookLines(hooks: readonly { name: string; path: string }[]): string[] {
  if (hooks.length === 0) return [];
  const listed = hooks
    .map((hook, i) => `${hook.name} (${i === 0 ? 'default, ' : ''}${relative(process.cwd(), hook.path)})`)
    .join(', ');
  const other = hooks[1] ? `; another: dbfork create … --hook ${hooks[1].name}` : '';
  return [`  hooks:    ${listed}${other}`];
}

export function tryThis(options: {
  apiUrl: string;
  endpoint: string;
  startedEmulator: boolean;
  sources: readonly DemoSource[];
  /** Post-restore hook modules (the first is the default). */
  hooks?: readonly { name: string; path: string }[];
  /** Warm pools (DBFORK_POOLS). */
  pools?: readonly { source: string; size: number }[];
  cliPath?: string;
}): string {
  const cli = options.cliPath ?? CLI_PATH;
  const source = options.sources[0]?.id ?? '<source>';
  const sources = options.sources.length
    ? options.sources.map((s) => `${s.id} (${ENGINE_LABELS[s.engine] ?? `${s.kind} ${s.engine}`})`).join(', ')
    : `none seeded: sources in ${options.endpoint} tagged dbfork:allow-fork=true can be forked`;
  const lines = [
    '',
    `dbfork is running offline at ${options.apiUrl}`,
    `  emulator: ${options.endpoint}${options.startedEmulator ? ' (moto, started for this run)' : ''}`,
    `  sources:  ${sources}`,
    ...hookLines(options.hooks ?? []),
    ...(options.pools?.length
      ? [
          `  pools:    ${options.pools.map((p) => `${p.source} (${p.size})`).join(', ')}: a create of one from its latest backup takes a ready member`,
        ]
      : []),
    '',
    'Try this in another terminal:',
    ...(existsSync(cli) ? [] : ['  npm run build                     # builds the CLI (dist/cli.mjs)']),
    `  export DBFORK_API_URL=${options.apiUrl}`,
    `  alias dbfork='node "${cli}"'`,
    '  dbfork sources',
    `  dbfork backups ${source}`,
    `  dbfork create ${source} --name demo --ttl 90m --wait`,
    '  dbfork connect demo --url                    # its connection URI, from its secret',
    '  dbfork list',
    ...(options.pools?.length
      ? ['  dbfork pools                                 # the warm pools, and what they cost']
      : []),
    '  dbfork extend demo --ttl 2d',
    '  dbfork refresh demo --wait                   # a new database from the latest backup takes over',
    `  dbfork create ${source} --name blink --ttl 1m   # gone about a minute later`,
    '  dbfork delete demo --yes',
    '',
    `Ctrl-C stops dbfork${options.startedEmulator ? ' and the emulator' : ''}.`,
    '',
  ];
  return lines.join('\n');
}
