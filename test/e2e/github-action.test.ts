/**
 * The GitHub Action as the runner runs it: the committed bundles (action/dist/main.mjs, then
 * post.mjs) executed by node with the runner's environment — INPUT_* from the workflow's `with:`
 * plus action.yml's defaults, GITHUB_OUTPUT / GITHUB_STATE files, STATE_* for the post step —
 * against the offline runtime (`npm run local`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionBuildOptions } from '../../scripts/build-action.js';
import { cleanEnv, type OfflineProcess, startOfflineProcess } from '../support/offline-process.js';
import { deployedStackEnv } from './deployed-stack.js';
import { leftovers, NOTHING_LEFT, secretIn } from './leftovers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACTION = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string; post: string };
};

let app: OfflineProcess;
const dirs: string[] = [];

/** `name<<delimiter\nvalue\ndelimiter` records of a GITHUB_OUTPUT / GITHUB_STATE file. */
function fileCommands(path: string): Record<string, string> {
  const text = readFileSync(path, 'utf8');
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    out[match[1] ?? ''] = match[3] ?? '';
  }
  return out;
}

interface StepRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
}

/** One step the way the runner runs it. */
function runStep(
  step: 'main' | 'post',
  withInputs: Record<string, string>,
  state: Record<string, string> = {},
  env: Record<string, string> = {},
): StepRun {
  const dir = mkdtempSync(join(tmpdir(), 'dbfork-action-'));
  dirs.push(dir);
  const outputFile = join(dir, 'output');
  const stateFile = join(dir, 'state');
  writeFileSync(outputFile, '');
  writeFileSync(stateFile, '');
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    const value = withInputs[name] ?? spec.default ?? '';
    inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const result = spawnSync(
    process.execPath,
    [join(ROOT, step === 'main' ? ACTION.runs.main : ACTION.runs.post)],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: cleanEnv({
        ...inputs,
        ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
        GITHUB_OUTPUT: outputFile,
        GITHUB_STATE: stateFile,
        GITHUB_REPOSITORY: 'acme/orders-service',
        GITHUB_RUN_ID: String(Date.now()),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'integration',
        ...env,
      }),
    },
  );
  return {
    code: result.status,
    stdout: `${result.stdout}${result.stderr}`,
    outputs: fileCommands(outputFile),
    state: fileCommands(stateFile),
  };
}

async function statusOf(forkId: string): Promise<string> {
  const response = await fetch(`${app.apiUrl}/v1/forks/${forkId}`);
  return ((await response.json()) as { status: string }).status;
}

async function until(forkId: string, status: string): Promise<void> {
  for (let i = 0; i < 240 && (await statusOf(forkId)) !== status; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await statusOf(forkId)).toBe(status);
}

describe('the GitHub Action (action.yml)', () => {
  beforeAll(async () => {
    app = await startOfflineProcess();
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs on a current Node runtime from committed bundles that match the sources', async () => {
    expect(ACTION.runs.using).toBe('node24');
    const out = mkdtempSync(join(tmpdir(), 'dbfork-action-build-'));
    dirs.push(out);
    await build({ ...actionBuildOptions(out), logLevel: 'silent' });
    const committed = join(ROOT, 'action/dist');
    expect(readdirSync(committed).sort(), 'run npm run build:action').toEqual(readdirSync(out).sort());
    for (const file of readdirSync(out)) {
      expect(readFileSync(join(out, file), 'utf8'), `${file}: run npm run build:action`).toBe(
        readFileSync(join(committed, file), 'utf8'),
      );
    }
  });

  it('forks, waits, sets every output with the password masked first, and the post step deletes the fork', async () => {
    const main = runStep('main', {
      source: 'orders-postgres',
      name: 'gha-pr-7',
      tags: 'pr=7\nteam=orders',
      'api-url': app.apiUrl,
    });

    expect(main.code, main.stdout).toBe(0);
    expect(Object.keys(main.outputs).sort()).toEqual(Object.keys(ACTION.outputs).sort());
    const { outputs } = main;
    expect(outputs).toMatchObject({
      'fork-id': expect.stringMatching(/^fork-/),
      name: 'gha-pr-7',
      'dns-name': expect.stringContaining('gha-pr-7.'),
      'secret-arn': expect.stringMatching(/^arn:aws:secretsmanager:/),
      port: '5432',
    });
    const { password } = await secretIn(app.emulator, outputs['secret-arn'] ?? '');
    const url = new URL(outputs['database-url'] ?? '');
    expect(url.protocol).toBe('postgresql:');
    expect(url.hostname).toBe(outputs.host);
    expect(decodeURIComponent(url.password)).toBe(password);
    // Masked before anything printed it: the log holds the password only in its add-mask command.
    const lines = main.stdout.split('\n');
    const firstMask = lines.indexOf(`::add-mask::${password}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(lines.filter((line) => line.includes(password) && !line.startsWith('::add-mask::'))).toEqual([]);
    // The fork is tagged with where it came from.
    const fork = (await (await fetch(`${app.apiUrl}/v1/forks/${outputs['fork-id']}`)).json()) as {
      status: string;
      tags: Record<string, string>;
    };
    expect(fork.status).toBe('ready');
    expect(fork.tags).toMatchObject({ pr: '7', team: 'orders', 'github-repository': 'acme/orders-service' });

    const post = runStep('post', { 'api-url': app.apiUrl }, main.state);

    expect(post.code, post.stdout).toBe(0);
    await until(outputs['fork-id'] ?? '', 'deleted');
    expect(await leftovers(app.emulator, { id: outputs['fork-id'] ?? '' })).toEqual(NOTHING_LEFT);
  }, 180_000);

  it("finds the API from the deployed stack's output without api-url, and keeps the fork when keep is true", async () => {
    // The job's AWS credentials reach a stack whose ApiUrl output is the (offline) API.
    const jobAws = await deployedStackEnv(app.emulator, app.apiUrl);
    const main = runStep('main', { source: 'orders-postgres', wait: 'false' }, {}, jobAws);
    expect(main.code, main.stdout).toBe(0);
    expect(main.outputs['database-url']).toBe('');

    const post = runStep('post', { keep: 'true' }, main.state, jobAws);

    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toContain('keeping');
    expect(await statusOf(main.outputs['fork-id'] ?? '')).not.toBe('deleting');
    await fetch(`${app.apiUrl}/v1/forks/${main.outputs['fork-id']}`, { method: 'DELETE' });
  }, 180_000);

  it("fails the step with the API's message for a bad request, and its post step has nothing to delete", async () => {
    const main = runStep('main', { source: 'no-such-database', 'api-url': app.apiUrl });

    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(/::error::.*no-such-database/);
    expect(main.state).toEqual({});
    const post = runStep('post', { 'api-url': app.apiUrl }, main.state);
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toContain('no fork was made');
  });
});
