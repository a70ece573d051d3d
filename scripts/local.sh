#!/usr/bin/env bash
# `npm run local`: dbfork offline — the real API on 127.0.0.1:${DBFORK_PORT:-3000} against the moto
# emulator — until Ctrl-C. Installs only what is missing first. See local/main.ts for the options.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node modules: when missing, or older than the lock file (a pull changed the dependencies).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "dbfork: installing node modules (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi

# The emulator, unless one is given: moto[server] through pip only if Python cannot import it
# (with its server extra; cfn-lint, which only the tests use, is not needed here).
if [ -z "${DBFORK_AWS_ENDPOINT:-}" ]; then
  bash scripts/ensure-python-tools.sh moto
fi

# The CLI the "try this" commands use (dist/cli.mjs; about a second).
npm run --silent build >&2

exec npx tsx local/main.ts
