#!/usr/bin/env bash
# Installs the Python tools the tests use (the moto emulator and cfn-lint) only when missing.
set -euo pipefail
need=()
python3 -c "import moto, flask" >/dev/null 2>&1 || need+=("moto[server]>=5.2")
command -v cfn-lint >/dev/null 2>&1 || python3 -c "import cfnlint" >/dev/null 2>&1 || need+=("cfn-lint")
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} with pip" >&2
  python3 -m pip install --quiet "${need[@]}" || python3 -m pip install --quiet --user "${need[@]}"
fi
