import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cfnLintCommand } from '../../local/python-tools.js';
import { synthesizeTemplate } from '../../local/synth.js';

/** cfn-lint exit code bits: 2 = error, 4 = warning, 8 = informational. */
const CFN_LINT_ERROR = 2;

const dir = mkdtempSync(join(tmpdir(), 'dbfork-cfn-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cfnLint(args: string[]) {
  return spawnSync(cfnLintCommand(), args, { encoding: 'utf8', timeout: 120_000 });
}

describe('cfn-lint', () => {
  it('is installed (on PATH or in .venv/; scripts/ensure-python-tools.sh installs it)', () => {
    const version = cfnLint(['--version']);
    if (version.error) {
      throw new Error(
        `cfn-lint is not installed or not on PATH (${version.error.message}); install it with "pip install cfn-lint" or run scripts/ensure-python-tools.sh`,
      );
    }
    expect(version.status).toBe(0);
  }, 60_000);

  it('finds no error in the synthesized template (CDK warnings such as W3005 are allowed)', () => {
    const file = join(dir, 'DbFork.template.json');
    writeFileSync(file, JSON.stringify(synthesizeTemplate(), null, 1));
    const result = cfnLint(['--format', 'parseable', '--', file]);
    if (result.error) throw new Error(`cfn-lint could not run: ${result.error.message}`);
    const status = result.status ?? -1;
    const errors = result.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(
      status >= 0 && (status & CFN_LINT_ERROR) === 0,
      `cfn-lint exit ${status}\n${result.stdout}${result.stderr}`,
    ).toBe(true);
  }, 120_000);
});
