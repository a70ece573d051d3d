/** Runs bin/app.ts as `cdk synth` would: a child process with the context in CDK_CONTEXT_JSON. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/dbfork-function.js';

export interface AppRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Contents of validation-report.json (cdk-nag and CDK's template validation), if written. */
  readonly validationReport: { pluginReports?: unknown[] } | undefined;
}

export function runApp(context: Record<string, unknown>): AppRun {
  const outdir = mkdtempSync(join(tmpdir(), 'dbfork-app-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        // Skip esbuild: this checks the app and its validations, not the bundles.
        CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
        // Report through the file and exit code, as under `cdk synth`.
        NODE_ENV: 'production',
        // CDK's built-in template validation adds ~6 s; cfn-lint.test.ts lints the template instead.
        CDK_VALIDATION: 'false',
      },
    });
    let validationReport: AppRun['validationReport'];
    try {
      validationReport = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    } catch {
      validationReport = undefined;
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, validationReport };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
