/**
 * e2e support: `npm run local` as a child process on a free port (its own process group, so the
 * whole tree — npm, tsx, node and the moto server it starts — is stopped in afterAll), and the
 * built CLI run as a user runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../local/moto-server.js';

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.mjs', import.meta.url));

/**
 * The e2e tier's one switch of the emulator's AWS-faithful mode (docs/aws-fidelity.md):
 * DBFORK_FAITHFUL `1` or `0`, default {@link E2E_FAITHFUL_DEFAULT}; on, transitions take
 * {@link E2E_FAITHFUL_DELAY_MS} ms. `npm run local` passes both on to the emulator it starts.
 */
export const E2E_FAITHFUL_DEFAULT = '1';
export const E2E_FAITHFUL_DELAY_MS = '200';

function faithfulEnv(): Record<string, string> {
  return {
    DBFORK_FAITHFUL: process.env.DBFORK_FAITHFUL ?? E2E_FAITHFUL_DEFAULT,
    DBFORK_FAITHFUL_DELAY_MS: E2E_FAITHFUL_DELAY_MS,
  };
}

/** The environment of a user's shell, less anything pointing at another API or emulator. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'DBFORK_API_URL',
    'DBFORK_AWS_ENDPOINT',
    'DBFORK_PRINCIPAL',
    'AWS_ENDPOINT_URL',
    'AWS_PROFILE',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

export interface OfflineProcess {
  apiUrl: string;
  /** The moto endpoint the banner names. */
  emulator: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM to the process group, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone already
  }
}

async function answers(url: string): Promise<boolean> {
  if (!url) return false;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(500) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** `npm run local` with DBFORK_PORT set; resolves once GET /v1/health answers 200. */
export async function startOfflineProcess(
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<OfflineProcess> {
  const port = await findFreePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['run', '--silent', 'local'], {
    cwd: PROJECT_DIR,
    env: cleanEnv({ DBFORK_PORT: String(port), ...faithfulEnv(), ...options.env }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  // npm exits at once on SIGTERM; dbfork itself (deeper in the group) stops the moto it started
  // first, so wait until neither answers, then kill whatever is left.
  let emulator = '';
  const stop = async (graceMs = 15_000) => {
    killGroup(child, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    const ownEmulator = /started for this run/.test(out) ? emulator : '';
    while (
      Date.now() < deadline &&
      ((await answers(`${apiUrl}/v1/health`)) || (await answers(ownEmulator)))
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    killGroup(child, 'SIGKILL');
    await exited;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`npm run local exited with ${exitCode} before it was up:\n${err}`);
    }
    try {
      const response = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200 && /dbfork is running offline/.test(out)) break;
      await response.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm run local was not up within the timeout:\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  emulator = /emulator: (http:\/\/[^\s]+)/.exec(out)?.[1] ?? '';
  return { apiUrl, emulator, stdout: () => out, stderr: () => err, stop };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/cli.mjs <args> --api <apiUrl>` (or `--api <apiUrl> <args>` with `apiFirst`; no --api
 * at all with `apiUrl` undefined), no terminal.
 */
export function runCli(
  apiUrl: string | undefined,
  args: readonly string[],
  env: Record<string, string> = {},
  { apiFirst = false }: { apiFirst?: boolean } = {},
): Promise<CliResult> {
  const api = apiUrl === undefined ? [] : ['--api', apiUrl];
  const argv = apiFirst ? [...api, ...args] : [...args, ...api];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: PROJECT_DIR,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses a command's JSON output, saying what the command printed when it is not JSON. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
