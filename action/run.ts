/**
 * The dbfork GitHub Action's two steps, written against @actions/core so the runner's inputs,
 * outputs, state and masking are the runner's own. `main` forks (and by default waits for the fork
 * and hands over its connection), `post` deletes it when the job ends, whatever its outcome,
 * unless `keep`. Requests are signed like the CLI's (cli/http.ts); offline, point `api-url` at
 * `npm run local`.
 */
import * as core from '@actions/core';
import { parseFrom, parseTtl } from '../cli/args.js';
import { connectionUrl } from '../cli/connection.js';
import { secretReaderFor } from '../cli/fork-secret.js';
import type { Fork } from '../cli/http.js';
import { waitForFork } from '../cli/progress.js';
import { apiClientFor } from '../cli/target.js';
import { actionIo } from './io.js';

export const STATE = { forkId: 'fork-id', apiUrl: 'api-url' } as const;

/** `k=v` per line (or comma separated), as the workflow file gives them. */
export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`tag "${item}" is not key=value`);
    tags[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return tags;
}

/** Where the run is, on the fork (repository and run id), so a leftover names its job. */
function runTags(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    ...(env.GITHUB_REPOSITORY ? { 'github-repository': env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_RUN_ID ? { 'github-run-id': env.GITHUB_RUN_ID } : {}),
  };
}

export async function main(): Promise<void> {
  const env = process.env;
  const source = core.getInput('source', { required: true });
  const name = core.getInput('name');
  const ttl = core.getInput('ttl') || '2h';
  const from = core.getInput('from') || 'latest';
  const wait = core.getBooleanInput('wait');
  // The CLI's own way to reach the API and to read a fork's secret.
  const api = await apiClientFor({ api: core.getInput('api-url') || undefined }, env);
  const body = {
    source,
    ...(name ? { name } : {}),
    restore: parseFrom(from),
    ...parseTtl(ttl),
    tags: { ...runTags(env), ...parseTags(core.getInput('tags')) },
  };
  // A retried step of the same run attempt gets the same fork back, not a second one.
  const idempotencyKey = ['github', env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB, name || source]
    .filter(Boolean)
    .join('-')
    .slice(0, 255);
  let fork: Fork = await api.createFork(body, env.GITHUB_RUN_ID ? idempotencyKey : undefined);
  // Saved before anything can fail: the post step deletes what was made even if waiting does not end.
  core.saveState(STATE.forkId, fork.id);
  core.saveState(STATE.apiUrl, api.baseUrl.href);
  core.info(`dbfork: ${fork.name ?? fork.id} (${fork.id}) is ${fork.status}`);
  if (wait)
    fork = await waitForFork(api, fork.id, { target: 'ready', io: actionIo(), timeoutMs: 90 * 60_000 });
  core.setOutput('fork-id', fork.id);
  core.setOutput('name', fork.name ?? '');
  core.setOutput('dns-name', fork.dnsName ?? '');
  core.setOutput('secret-arn', fork.secretArn ?? '');
  core.setOutput('host', fork.endpoint?.host ?? '');
  core.setOutput('port', fork.endpoint ? String(fork.endpoint.port) : '');
  if (fork.status === 'ready' && fork.secretArn) {
    const secret = await (await secretReaderFor(api, env))(fork.secretArn);
    const url = connectionUrl(secret);
    // Masked before anything could print them.
    core.setSecret(secret.password);
    core.setSecret(encodeURIComponent(secret.password));
    core.setSecret(url);
    core.setOutput('database-url', url);
  } else {
    core.setOutput('database-url', '');
  }
}

export async function post(): Promise<void> {
  const forkId = core.getState(STATE.forkId);
  if (!forkId) {
    core.info('dbfork: no fork was made');
    return;
  }
  if (core.getBooleanInput('keep')) {
    core.info(`dbfork: keeping ${forkId} (keep: true); it is deleted at its expiry`);
    return;
  }
  const api = await apiClientFor(
    { api: core.getState(STATE.apiUrl) || core.getInput('api-url') || undefined },
    process.env,
  );
  try {
    const fork = await api.deleteFork(forkId);
    core.info(`dbfork: deleting ${fork.name ?? fork.id} (${fork.status})`);
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      core.info(`dbfork: ${forkId} is already gone`);
      return;
    }
    throw error;
  }
}

/** Runs one step, failing it (not throwing) the way the runner expects. */
export async function runStep(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
