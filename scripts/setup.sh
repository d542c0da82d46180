#!/usr/bin/env bash
# Creates .venv with Python 3.12 (pyenv's, where .python-version asks for it) and
# installs latticesim with its test tools. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  py=python3
  if command -v pyenv >/dev/null 2>&1; then py="$(pyenv which python3 2>/dev/null || echo python3)"; fi
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || {
    echo "setup: Python 3.12 or newer is needed (found $("$py" --version 2>&1))" >&2; exit 1; }
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dashboard,test]"
