#!/usr/bin/env bash
# The test suite against Mesa's next major release (a pre-release, 4.0.0a0 when written).
# It makes a fresh virtual environment in a temporary folder with the packages of the
# project's .venv at their versions, replaces Mesa with the newest 4.x pre-release, and
# runs the tests on the checkout's source (browser tests left out unless asked for:
# `bash scripts/mesa4-check.sh -m browser`; arguments go to pytest). The project itself
# still asks for Mesa 3 (`mesa>=3.5,<4`), so it is installed without its dependencies,
# and the checkout's source comes first on PYTHONPATH.
# Not part of scripts/test.sh: a Mesa pre-release may break for reasons of its own.
# Needs: scripts/setup.sh run once, and the package index (or a pip cache holding Mesa 4).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
mesa="${MESA_SPEC:-mesa>=4.0.0a0,<5}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/latticesim-mesa4.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
say() { echo "mesa4-check: $*" >&2; }

base="$(.venv/bin/python -c 'import sys; print(sys._base_executable)')"
"$base" -m venv "$tmp/venv"
.venv/bin/python -m pip freeze --exclude-editable | grep -v -i -E '^(latticesim|mesa)[=@ ]' \
  >"$tmp/requirements.txt"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r "$tmp/requirements.txt" >"$tmp/pip.log" 2>&1 \
  || { cat "$tmp/pip.log" >&2; say "FAILED: the project's packages did not install"; exit 1; }
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --pre \
  "$mesa" >"$tmp/pip.log" 2>&1 \
  || { cat "$tmp/pip.log" >&2; say "FAILED: no Mesa matching '$mesa' could be installed"; exit 1; }
# latticesim itself without its dependencies (it asks for Mesa 3), for its console script;
# built from a copy of the project's files, so that the build leaves nothing in the checkout
mkdir -p "$tmp/src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$tmp/src" -xf -
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$tmp/src" \
  >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; say "FAILED: latticesim did not install"; exit 1; }
say "testing against Mesa $("$tmp/venv/bin/python" -c 'import mesa; print(mesa.__version__)')"

markers=(-m "not browser")
for arg in "$@"; do [ "$arg" = "-m" ] && markers=(); done
# Mesa 4.0.0a0 has no batch_run (Mesa 3's batch runner is not in it); the test of
# batch_run is left out while that is so, and said to be.
if ! "$tmp/venv/bin/python" -c 'import mesa; mesa.batch_run' 2>/dev/null; then
  say "this Mesa has no batch_run: its test is left out"
  markers+=(--deselect tests/model/test_batch_run.py::test_batch_run_returns_the_model_table_of_each_run)
fi
cd "$repo"
PYTHONPATH="$repo/src" "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider "${markers[@]}" "$@"
