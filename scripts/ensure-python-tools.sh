#!/usr/bin/env bash
# Installs the Python tools dbfork uses, only when missing, through pip.
#   bash scripts/ensure-python-tools.sh            # moto[server] and cfn-lint (what the tests use)
#   bash scripts/ensure-python-tools.sh moto       # moto[server] only (what `npm run local` uses)
set -euo pipefail
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(moto cfn-lint)
need=()
for tool in "${wanted[@]}"; do
  case "$tool" in
    # The server extra (flask) is what moto's server mode needs beyond `import moto`.
    moto) python3 -c "import moto, flask" >/dev/null 2>&1 || need+=("moto[server]>=5.2,<5.3") ;;
    cfn-lint) command -v cfn-lint >/dev/null 2>&1 || python3 -c "import cfnlint" >/dev/null 2>&1 || need+=("cfn-lint") ;;
    *) echo "unknown tool: $tool (moto, cfn-lint)" >&2; exit 2 ;;
  esac
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} with pip" >&2
  python3 -m pip install --quiet "${need[@]}" || python3 -m pip install --quiet --user "${need[@]}"
fi
