/**
 * Starts and stops moto's server (with dbfork's DocumentDB patches, see
 * local/moto/launcher.py) on a free loopback port.
 *
 *   const moto = await startMoto();
 *   // ... SDK clients with { endpoint: moto.endpoint, region: 'us-east-1', credentials: dummy }
 *   await moto.reset();   // POST /moto-api/reset: forget every resource
 *   await moto.stop();    // kills the server's whole process group
 *
 * The Python interpreter is DBFORK_PYTHON, else the project's .venv/ when scripts/ensure-python-tools.sh
 * made one, else `python3` (local/python-tools.ts).
 *
 * The emulator starts in its faithful mode (AWS statuses, state checks, default groups, …; see
 * docs/aws-fidelity.md) unless `faithful: false`, or DBFORK_FAITHFUL=0 in the environment when
 * the option is not given. Change it at run time with local/emulator-config.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonCommand } from './python-tools.js';

export interface StartMotoOptions {
  /** Port to listen on. @default a free loopback port */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** How long to wait for the server to answer. @default 30_000 ms */
  readonly startTimeoutMs?: number;
  /** Python interpreter. @default pythonCommand() of local/python-tools.ts */
  readonly python?: string;
  /** Receives every line moto writes (request log, warnings). @default lines are kept for errors only */
  readonly onLog?: (line: string) => void;
  /** AWS-faithful mode. @default process.env.DBFORK_FAITHFUL (on unless `0`), else on */
  readonly faithful?: boolean;
  /** How long each faithful transition (creating → available, deleting → gone, …) takes.
   * @default process.env.DBFORK_FAITHFUL_DELAY_MS, else 3000 ms */
  readonly faithfulDelayMs?: number;
}

export interface MotoServer {
  /** e.g. `http://127.0.0.1:40123`: the `endpoint` of every SDK client */
  readonly endpoint: string;
  readonly port: number;
  /** The server's process id (also its process group id). */
  readonly pid: number;
  /** Stops the server and its process group; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
  /** Forgets every resource in every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
}

/** moto (or Python) is missing, or the server did not come up. */
export class MotoStartError extends Error {
  override readonly name = 'MotoStartError';
}

const LAUNCHER = fileURLToPath(new URL('./moto/launcher.py', import.meta.url));
const INSTALL_HINT =
  'bash scripts/ensure-python-tools.sh moto (into .venv/ when the system Python refuses pip)';
const LOG_TAIL_LINES = 40;
const STOP_GRACE_MS = 3_000;

/** A port that was free on the loopback interface a moment ago. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const motoChecks = new Map<string, Promise<void>>();

/** Resolves when `python -c "import moto"` works; rejects with an install hint otherwise. */
export function assertMotoInstalled(python = defaultPython()): Promise<void> {
  let check = motoChecks.get(python);
  if (check === undefined) {
    check = new Promise<void>((resolve, reject) => {
      execFile(python, ['-c', 'import moto.server'], { timeout: 30_000 }, (error, _stdout, stderr) => {
        if (error === null) {
          resolve();
          return;
        }
        const reason =
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${python} not found` : stderr.trim();
        reject(
          new MotoStartError(
            `moto is not available to ${python} (${reason.split('\n').pop() ?? reason}). Install it: ${INSTALL_HINT}`,
            { cause: error },
          ),
        );
      });
    });
    motoChecks.set(python, check);
    check.catch(() => motoChecks.delete(python));
  }
  return check;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? defaultPython();
  const host = options.host ?? '127.0.0.1';
  await assertMotoInstalled(python);
  // A free port can be taken between the probe and moto's bind: try a few when we chose it.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await findFreePort(host));
    try {
      return await launch(python, host, port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof MotoStartError) || !/address already in use/i.test(error.message)) throw error;
    }
  }
  throw lastError;
}

async function launch(
  python: string,
  host: string,
  port: number,
  options: StartMotoOptions,
): Promise<MotoServer> {
  const logTail: string[] = [];
  const onLine = (line: string): void => {
    logTail.push(line);
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    options.onLog?.(line);
  };
  // moto's request recorder writes to ./moto_recording unless told otherwise: keep it out of the repo.
  const recording = process.env.MOTO_RECORDER_FILEPATH ?? join(tmpdir(), `dbfork-moto-${port}.recording`);
  const child = spawn(
    python,
    [LAUNCHER, '-H', host, '-p', String(port), '--exit-on-stdin-eof', ...faithfulArgs(options)],
    {
      // Own process group (stop() kills it whole); stdin is the parent-death signal (EOF).
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_RECORDER_FILEPATH: recording },
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new MotoStartError(`could not start ${python}: ${error.message}`, { cause: error });
  }
  // Always drain moto's output: an unread pipe fills up and blocks the server.
  pipeLines(child.stdout, onLine);
  pipeLines(child.stderr, onLine);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = (): void => killGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);
  // Do not keep the parent alive for moto: when it exits, stdin closes and moto follows.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      // The launcher is the group leader; make sure nothing it started survives it.
      killGroup(pid, 'SIGKILL');
      child.stdin?.destroy();
      if (process.env.MOTO_RECORDER_FILEPATH === undefined) await rm(recording, { force: true });
    })();
    return stopping;
  };

  try {
    await waitUntilAnswering(endpoint, exited, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    const detail = logTail.join('\n');
    throw new MotoStartError(
      `moto did not start on ${endpoint}: ${(error as Error).message}${detail ? `\n${detail}` : ''}`,
      { cause: error },
    );
  }

  return {
    endpoint,
    port,
    pid,
    stop,
    reset: () => resetMotoAt(endpoint),
  };
}

/** Launcher flags for the faithful options; none when not given (the launcher reads the environment). */
export function faithfulArgs(options: Pick<StartMotoOptions, 'faithful' | 'faithfulDelayMs'>): string[] {
  const args: string[] = [];
  if (options.faithful !== undefined) args.push(options.faithful ? '--faithful' : '--no-faithful');
  if (options.faithfulDelayMs !== undefined) {
    if (!Number.isInteger(options.faithfulDelayMs) || options.faithfulDelayMs < 0) {
      throw new RangeError(`faithfulDelayMs must be a whole number >= 0, not ${options.faithfulDelayMs}`);
    }
    args.push('--faithful-delay-ms', String(options.faithfulDelayMs));
  }
  return args;
}

/** `POST /moto-api/reset` on a running moto server. */
export async function resetMotoAt(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state: { exited: boolean; code: number | null } = { exited: false, code: null };
  void exited.then((code) => {
    state.exited = true;
    state.code = code;
  });
  while (Date.now() < deadline) {
    if (state.exited) throw new Error(`the server exited with code ${state.code}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/config`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
}

function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function defaultPython(): string {
  return pythonCommand();
}
