#!/usr/bin/env bash
# Sets up (if needed), lints, and runs the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check --quiet src tests benchmarks experiments
.venv/bin/ruff format --check --quiet src tests benchmarks experiments
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
