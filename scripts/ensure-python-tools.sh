#!/usr/bin/env bash
# Makes the Python tools dbfork uses available, installing only what is missing.
#   bash scripts/ensure-python-tools.sh            # moto[server] and cfn-lint (what the tests use)
#   bash scripts/ensure-python-tools.sh moto       # moto[server] only (what `npm run local` uses)
#
# When the python3 on the PATH already has them, it is used as it is. Otherwise they go into a
# project-local virtual environment (.venv/, or $DBFORK_VENV), created with --system-site-packages
# so that whatever is preinstalled still counts: current Debian, Ubuntu and Homebrew Pythons refuse
# `pip install` into the system interpreter (PEP 668, "externally-managed-environment").
# local/python-tools.ts makes the scripts and tests use .venv/ once it exists.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${DBFORK_VENV:-$root/.venv}"
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(moto cfn-lint)
for tool in "${wanted[@]}"; do
  case "$tool" in moto | cfn-lint) ;; *) echo "unknown tool: $tool (moto, cfn-lint)" >&2; exit 2 ;; esac
done

# The missing tools' pip requirements, one a line, as seen by the interpreter $1 (and its bin/ $2).
missing() {
  local python="$1" bin="$2" tool
  for tool in "${wanted[@]}"; do
    case "$tool" in
      # The server extra (flask) is what moto's server mode needs beyond `import moto`.
      moto) "$python" -c "import moto, flask" >/dev/null 2>&1 || echo "moto[server]>=5.2,<5.3" ;;
      # The environment's own, else one on the PATH (local/python-tools.ts looks in the same order).
      cfn-lint) { [ -n "$bin" ] && [ -x "$bin/cfn-lint" ]; } || command -v cfn-lint >/dev/null 2>&1 || echo "cfn-lint" ;;
    esac
  done
}

# need=(…) of `missing` (no mapfile: macOS still ships bash 3.2).
need_of() {
  need=()
  local line
  while IFS= read -r line; do need+=("$line"); done < <(missing "$@")
}

if [ -x "$venv/bin/python" ]; then
  python="$venv/bin/python"
  need_of "$python" "$venv/bin"
else
  if ! command -v python3 >/dev/null 2>&1; then
    echo "dbfork needs Python 3 (python3 on the PATH) for its AWS emulator (moto) and cfn-lint; install it first." >&2
    exit 1
  fi
  need_of python3 ""
  [ "${#need[@]}" -gt 0 ] || exit 0
  echo "dbfork: python3 lacks ${need[*]}; creating a virtual environment in $venv" >&2
  if ! python3 -m venv --system-site-packages "$venv" >&2; then
    rm -rf "$venv"
    echo "dbfork: python3 cannot create a virtual environment. Install the OS package that provides" >&2
    echo "  venv, then run this again: Debian/Ubuntu: sudo apt install python3-venv (or python3.X-venv" >&2
    echo "  for your version); Fedora/RHEL: it ships with python3; Homebrew: brew install python." >&2
    exit 1
  fi
  python="$venv/bin/python"
  need_of "$python" "$venv/bin"
fi

if [ "${#need[@]}" -gt 0 ]; then
  echo "dbfork: installing ${need[*]} into $venv" >&2
  "$python" -m pip install --quiet --disable-pip-version-check "${need[@]}"
fi
