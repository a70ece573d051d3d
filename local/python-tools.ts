import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where dbfork's Python tools (moto's server, cfn-lint) live. scripts/ensure-python-tools.sh uses
 * the python3 on the PATH when it has them, and otherwise installs them into a project-local
 * virtual environment (.venv/, or DBFORK_VENV) — the way past PEP 668's refusal to pip-install into
 * a system interpreter. Once that environment exists, everything runs the tools from it.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DBFORK_VENV ?? join(ROOT, '.venv');
}

/** DBFORK_PYTHON if set, else the virtual environment's interpreter if there is one, else python3. */
export function pythonCommand(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DBFORK_PYTHON) return env.DBFORK_PYTHON;
  const venvPython = join(venvDir(env), 'bin', 'python');
  return existsSync(venvPython) ? venvPython : 'python3';
}

/** The virtual environment's cfn-lint if it has one, else the one on the PATH. */
export function cfnLintCommand(env: NodeJS.ProcessEnv = process.env): string {
  const venvCfnLint = join(venvDir(env), 'bin', 'cfn-lint');
  return existsSync(venvCfnLint) ? venvCfnLint : 'cfn-lint';
}
