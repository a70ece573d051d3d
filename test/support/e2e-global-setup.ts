/**
 * vitest globalSetup of the `e2e` project: builds the CLI (`npm run build` → dist/cli.mjs) the
 * tests drive, as a user would have it. The offline mode itself is started by each test file
 * (test/support/offline-process.ts), exactly as the README says.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_DIR } from './offline-process.js';

export default async function setup(): Promise<void> {
  await promisify(execFile)('node', ['scripts/build-cli.mjs'], { cwd: PROJECT_DIR, timeout: 120_000 });
}
