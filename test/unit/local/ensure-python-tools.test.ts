/**
 * scripts/ensure-python-tools.sh against fake interpreters (no network, no real pip): it leaves a
 * python3 that has the tools alone, installs what is missing into a virtual environment made with
 * --system-site-packages instead of the system interpreter (PEP 668), says which OS package to
 * install when venv itself is missing, and local/python-tools.ts then runs the tools from there.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cfnLintCommand, pythonCommand } from '../../../local/python-tools.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/ensure-python-tools.sh', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function whichOf(tool: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${tool} is not on this machine's PATH`);
  return found;
}

function executable(path: string, body: string): void {
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
}

/**
 * A sandbox: `bin/python3` with or without the tools and the venv module, calls logged to
 * `calls.log`; the venv it makes has a `python` whose pip "installs" by recording the requirements.
 */
function sandbox(system: { hasTools: boolean; hasVenv: boolean; cfnLintOnPath?: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'dbfork-python-tools-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls.log');
  const venvPython = [
    `echo "venv-python $*" >> ${log}`,
    'here="$(dirname "$0")"',
    'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then',
    '  for arg in "$@"; do case "$arg" in moto*) touch "$here/../moto-installed" ;; cfn-lint) printf "#!/bin/sh\\n" > "$here/cfn-lint"; chmod +x "$here/cfn-lint" ;; esac; done',
    '  exit 0',
    'fi',
    `if [ "$1" = "-c" ]; then [ -e "$here/../moto-installed" ] || [ "${system.hasTools}" = true ]; exit $?; fi`,
  ].join('\n');
  executable(
    join(bin, 'python3'),
    [
      `echo "python3 $*" >> ${log}`,
      `if [ "$1" = "-c" ]; then [ "${system.hasTools}" = true ]; exit $?; fi`,
      'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then',
      system.hasVenv
        ? `  target="\${@: -1}"; mkdir -p "$target/bin"; cat > "$target/bin/python" <<'PY'\n#!/usr/bin/env bash\n${venvPython}\nPY\n  chmod +x "$target/bin/python"; exit 0`
        : '  echo "The virtual environment was not created successfully because ensurepip is not available." >&2; exit 1',
      'fi',
      'exit 3',
    ].join('\n'),
  );
  if (system.cfnLintOnPath ?? system.hasTools) executable(join(bin, 'cfn-lint'), 'exit 0');
  // Nothing else on the PATH but the few utilities the script and the fakes use: a cfn-lint or
  // python3 of the machine must not leak in.
  const utilities = join(dir, 'utilities');
  mkdirSync(utilities);
  for (const tool of ['bash', 'cat', 'chmod', 'dirname', 'mkdir', 'rm', 'touch']) {
    symlinkSync(whichOf(tool), join(utilities, tool));
  }
  const venv = join(dir, 'venv');
  const run = (...tools: string[]) =>
    spawnSync(whichOf('bash'), [SCRIPT, ...tools], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${utilities}`, DBFORK_VENV: venv, HOME: dir },
    });
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { venv, run, calls };
}

describe('scripts/ensure-python-tools.sh', () => {
  it('uses the python3 on the PATH as it is when it has the tools: no virtual environment', () => {
    const s = sandbox({ hasTools: true, hasVenv: true });

    const result = s.run();

    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(s.venv)).toBe(false);
    expect(s.calls()).toEqual(['python3 -c import moto, flask']);
  });

  it('installs what is missing into a virtual environment that sees the system packages, never into python3', () => {
    const s = sandbox({ hasTools: false, hasVenv: true, cfnLintOnPath: true });

    const result = s.run();

    expect(result.status, result.stderr).toBe(0);
    expect(s.calls()).toEqual([
      'python3 -c import moto, flask',
      `python3 -m venv --system-site-packages ${s.venv}`,
      'venv-python -c import moto, flask',
      // cfn-lint on the PATH still counts: only moto is installed.
      'venv-python -m pip install --quiet --disable-pip-version-check moto[server]>=5.2,<5.3',
    ]);
    expect(s.calls().filter((call) => call.startsWith('python3 -m pip'))).toEqual([]);

    // A second run finds everything in the environment and installs nothing.
    const again = s.run();
    expect(again.status, again.stderr).toBe(0);
    expect(s.calls().filter((call) => call.includes('pip install'))).toHaveLength(1);
  });

  it('installs cfn-lint into the environment too when nothing provides it, and the tests then run that one', () => {
    const s = sandbox({ hasTools: false, hasVenv: true, cfnLintOnPath: false });

    const result = s.run();

    expect(result.status, result.stderr).toBe(0);
    expect(s.calls().at(-1)).toBe(
      'venv-python -m pip install --quiet --disable-pip-version-check moto[server]>=5.2,<5.3 cfn-lint',
    );
    expect(cfnLintCommand({ DBFORK_VENV: s.venv })).toBe(join(s.venv, 'bin', 'cfn-lint'));
    expect(pythonCommand({ DBFORK_VENV: s.venv })).toBe(join(s.venv, 'bin', 'python'));
  });

  it('names the OS package to install when python3 cannot make a virtual environment, and leaves nothing', () => {
    const s = sandbox({ hasTools: false, hasVenv: false });

    const result = s.run('moto');

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo apt install python3-venv');
    expect(existsSync(s.venv)).toBe(false);
  });

  it('refuses a tool it does not know', () => {
    const s = sandbox({ hasTools: true, hasVenv: true });

    const result = s.run('terraform');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown tool: terraform');
  });
});

describe('local/python-tools.ts', () => {
  it('runs python3 and the cfn-lint on the PATH while there is no virtual environment, DBFORK_PYTHON first', () => {
    const missing = join(tmpdir(), 'dbfork-no-such-venv');
    expect(pythonCommand({ DBFORK_VENV: missing })).toBe('python3');
    expect(cfnLintCommand({ DBFORK_VENV: missing })).toBe('cfn-lint');
    expect(pythonCommand({ DBFORK_VENV: missing, DBFORK_PYTHON: '/opt/py/bin/python3' })).toBe(
      '/opt/py/bin/python3',
    );
  });
});
