#!/usr/bin/env bash
# Sets up (if needed), lints, runs the whole test suite (slow and browser tests included)
# and checks the wheel installed outside the checkout (scripts/wheel-check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The dashboard's browser tests drive Debian's Chromium (Playwright's own download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the dashboard's browser tests" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
fi
.venv/bin/ruff check --quiet src tests benchmarks experiments
.venv/bin/ruff format --check --quiet src tests benchmarks experiments
# the layers of docs/architecture.md ([tool.importlinter] in pyproject.toml)
.venv/bin/lint-imports --no-cache --no-logo | tail -n 2
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# The wheel installed outside the checkout (a minute or so); skipped when tests are named.
if [ $# -eq 0 ]; then bash scripts/wheel-check.sh; fi
