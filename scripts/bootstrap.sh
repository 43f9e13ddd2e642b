#!/usr/bin/env bash
# Create the virtual environment and install Tierline (and the agent) into it.
set -euo pipefail
PYTHON="${1:-python3}"
VENV="${2:-.venv}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Tierline needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  # Debian ships venv support as a separate package.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  else
    echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
# Some machines point pip at local mirrors that do not exist; those warnings are noise here.
quiet_pip() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 \
  | { grep -v 'is ignored: it is neither a file nor a directory' || true; }; }

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
quiet_pip --upgrade pip
quiet_pip -e '.[dev]'
if [ -f agent/pyproject.toml ]; then
  quiet_pip -e './agent[test]'
fi
echo "Installed into $VENV"
