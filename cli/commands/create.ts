import { Command, Option } from 'commander';
import {
  collectTag,
  describeRestore,
  FROM_FORMS,
  parseDuration,
  parseFrom,
  parseIops,
  parseTtl,
  type RestoreRequest,
  type TtlFields,
} from '../args.js';
import { type CommonOptions, type Deps, emit, withCommonOptions } from '../context.js';
import { ApiError, hintFor } from '../errors.js';
import { forkDetails, forkLabel } from '../output.js';
import { waitForFork } from '../progress.js';

interface CreateOptions extends CommonOptions {
  name?: string;
  from: RestoreRequest;
  ttl?: TtlFields;
  instanceClass?: string;
  storageType?: string;
  iops?: number;
  multiAz?: boolean;
  tag?: Record<string, string>;
  wait?: boolean;
  timeout: number;
  idempotencyKey?: string;
  refreshSchedule?: string;
  hook?: string;
}

/** The POST /v1/forks body the options ask for. */
export function createBody(source: string, options: CreateOptions): Record<string, unknown> {
  // Checked by the API against what AWS orders for the source's engine version (400 with choices).
  const overrides = {
    ...(options.instanceClass ? { instanceClass: options.instanceClass } : {}),
    ...(options.storageType ? { storageType: options.storageType } : {}),
    ...(options.iops !== undefined ? { iops: options.iops } : {}),
    ...(options.multiAz ? { multiAz: true } : {}),
  };
  return {
    source,
    ...(options.name ? { name: options.name } : {}),
    restore: options.from,
    ...(options.ttl ?? {}),
    ...(Object.keys(overrides).length ? { overrides } : {}),
    ...(options.tag && Object.keys(options.tag).length ? { tags: options.tag } : {}),
    ...(options.refreshSchedule ? { refreshSchedule: options.refreshSchedule } : {}),
    ...(options.hook ? { hook: options.hook } : {}),
  };
}

export function createCommand(deps: Deps): Command {
  const command = new Command('create')
    .description(
      'fork a database: restore it into a new, independent database with its own credentials and DNS name',
    )
    .argument('<source>', 'the database to fork: RDS instance or Aurora/DocumentDB cluster identifier or ARN')
    .option(
      '--name <name>',
      "the fork's name (DNS label: lowercase letters, digits, hyphens); default its id",
    )
    .addOption(
      new Option('--from <from>', `what to restore: ${FROM_FORMS}`)
        .default(parseFrom('latest'), 'latest')
        .argParser(parseFrom),
    )
    .option(
      '--ttl <duration>',
      'time to live, e.g. 90m, 24h, 7d (default: the configured default, usually 24h)',
      parseTtl,
    )
    .option(
      '--instance-class <class>',
      "instance class of the fork, e.g. db.t4g.medium (default: the source's)",
    )
    .option(
      '--storage-type <type>',
      'storage of the fork: gp2, gp3, io1, io2, standard (RDS); aurora, aurora-iopt1 (Aurora); standard, iopt1 (DocumentDB)',
    )
    .option('--iops <n>', 'provisioned IOPS (RDS io1/io2 need them, gp3 may take them)', parseIops)
    .option('--multi-az', 'a Multi-AZ fork (RDS instances only)')
    .option('--tag <key=value>', 'tag the fork (repeatable)', collectTag)
    .option(
      '--hook <function>',
      'the post-restore hook to run instead of the default: a Lambda function name or ARN the deployment allows',
    )
    .option('--wait', 'wait until the fork is ready, showing its progress')
    .addOption(
      new Option('--timeout <duration>', 'with --wait: give up after this long')
        .default(60 * 60_000, '60m')
        .argParser((v) => parseDuration(v, { allowSeconds: true, what: '--timeout' })),
    )
    .option(
      '--refresh-schedule <cron>',
      'refresh the fork on this EventBridge Scheduler cron (UTC), e.g. "cron(0 3 * * ? *)"',
    )
    .option(
      '--idempotency-key <key>',
      'retrying with the same key and options returns the same fork (CI reruns)',
    );
  return withCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ dbfork create orders-postgres --wait
  $ dbfork create orders-postgres --name pr-1234 --ttl 90m --tag pr=1234 --wait
  $ dbfork create orders-postgres --from snapshot:orders-postgres-manual-1
  $ dbfork create analytics-aurora --from time:2026-11-20T10:00:00Z --instance-class db.r6g.large
  $ dbfork create analytics-aurora --from clone --ttl 4h --json | jq -r .id
  $ dbfork create orders-postgres --hook seed-demo-data --wait`,
    )
    .action(async (source: string, options: CreateOptions) => {
      const { io } = deps;
      const client = await deps.connect(options);
      let fork: Awaited<ReturnType<typeof client.createFork>>;
      try {
        fork = await client.createFork(createBody(source, options), options.idempotencyKey);
      } catch (error) {
        throw error instanceof ApiError
          ? error.withHint(hintFor(error, { command: 'create', source }))
          : error;
      }
      if (!options.json || options.wait) {
        io.err(`Creating ${forkLabel(fork)} from ${describeRestore(fork.restore.requested)} of ${source}\n`);
      }
      if (options.wait) {
        fork = await waitForFork(client, fork.id, {
          target: 'ready',
          io,
          timeoutMs: options.timeout,
          initial: fork,
        });
        emit(io, options, fork, () => forkDetails(fork, io.now()));
        return;
      }
      emit(
        io,
        options,
        fork,
        () => `${forkDetails(fork, io.now())}\n\nFollow it with: dbfork wait ${fork.name}`,
      );
    });
}
