/**
 * What every command gets: the terminal (`Io`, replaceable in tests) and a way to reach the API
 * from the common options (--api, --principal, --json).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { type Command, Option } from 'commander';
import { CliError } from './errors.js';
import { type SecretReader, secretReaderFor } from './fork-secret.js';
import type { ApiClient } from './http.js';
import { apiClientFor } from './target.js';

export interface Io {
  /** Writes to stdout (results). */
  out(text: string): void;
  /** Writes to stderr (progress, errors, hints). */
  err(text: string): void;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Asks on the terminal; resolves with the answer. */
  prompt(question: string): Promise<string>;
  env: NodeJS.ProcessEnv;
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export interface CommonOptions {
  api?: string;
  principal?: string;
  json?: boolean;
}

export interface Deps {
  io: Io;
  connect(options: CommonOptions): Promise<ApiClient>;
  /** Reads fork secrets with the caller's credentials, where this API keeps them. */
  secrets(api: ApiClient): Promise<SecretReader>;
  /** Runs a program on this terminal; resolves with its exit code. */
  exec(command: string, args: string[], env: Record<string, string>): Promise<number>;
}

/** Runs a database client in the foreground (its own stdin/stdout), the extra variables added. */
function execInTerminal(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new CliError(`${command} is not installed (or not on the PATH)`, {
              hint: `install the database's client, or use --url / --env with a client of your own`,
            })
          : error,
      ),
    );
    child.once('close', (code) => resolve(code ?? 1));
  });
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export function defaultDeps(io: Io = processIo()): Deps {
  return {
    io,
    connect: (options) => apiClientFor(options, io.env),
    secrets: (api) => secretReaderFor(api, io.env),
    exec: execInTerminal,
  };
}

/** Adds --api, --principal and --json to a command. */
export function withCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--api <url>',
        'dbfork API base URL (default: $DBFORK_API_URL, else the DbFork stack output ApiUrl)',
      ),
    )
    .addOption(
      new Option(
        '--principal <arn>',
        'offline API only: act as this IAM principal (default: $DBFORK_PRINCIPAL)',
      ),
    )
    .option('--json', 'print JSON (for scripts and jq)');
}

/** Prints a value as JSON, or as text for a person. */
export function emit(io: Io, options: CommonOptions, value: unknown, text: () => string): void {
  io.out(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}
