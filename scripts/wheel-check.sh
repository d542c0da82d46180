#!/usr/bin/env bash
# Builds the wheel, installs it (with the dashboard extra) in a fresh virtual environment
# in a temporary folder outside the checkout, and uses it there as a user would: the
# version, the shipped files (equal to the checkout's), `latticesim examples`, a scenario
# run, a small sweep on two workers, and the dashboard's first page over HTTP.
# scripts/test.sh runs it; alone: bash scripts/wheel-check.sh (after scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
started=$SECONDS
tmp="$(mktemp -d "${TMPDIR:-/tmp}/latticesim-wheel.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM -- "-$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
say() { echo "wheel-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# 1. The wheel, built from the project's files alone (tracked or new, not ignored), so
#    nothing left in the work tree (build/, runs/) can reach it.
mkdir -p "$tmp/src" "$tmp/dist"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$tmp/src" -xf -
.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir "$tmp/dist" "$tmp/src" \
  >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; fail "the wheel did not build"; }
wheel="$(ls "$tmp"/dist/latticesim-*.whl)"
say "built $(basename "$wheel") in $((SECONDS - started)) s"

# 2. A fresh environment from the same Python, resolved to the versions the project's
#    .venv has (so pip takes them from its cache instead of fetching new releases).
base="$(.venv/bin/python -c 'import sys; print(sys._base_executable)')"
"$base" -m venv "$tmp/venv"
.venv/bin/python -m pip freeze --exclude-editable | grep -v '^latticesim' >"$tmp/constraints.txt"
"$tmp/venv/bin/python" -m pip install --quiet --no-compile --disable-pip-version-check \
  -c "$tmp/constraints.txt" "${wheel}[dashboard]" >"$tmp/pip.log" 2>&1 \
  || { cat "$tmp/pip.log" >&2; fail "the wheel did not install"; }
say "installed in a fresh environment ($("$tmp/venv/bin/python" -m pip list 2>/dev/null | tail -n +3 | wc -l) packages) at $((SECONDS - started)) s"

# 3. Used outside the checkout: nothing of the checkout on the path, no ./scenarios.
work="$tmp/work"
mkdir -p "$work"
cd "$work"
unset PYTHONPATH LATTICESIM_SCENARIOS
export PATH="$tmp/venv/bin:$PATH" SOLARA_TELEMETRY_MIXPANEL_ENABLE=False
latticesim --version | grep -qx "latticesim $(cd "$repo" && .venv/bin/python -c 'import latticesim; print(latticesim.__version__)')" \
  || fail "latticesim --version"
python - "$repo" <<'EOF' || fail "the wheel's shipped files differ from the checkout's"
import sys
from pathlib import Path

from latticesim.common.shipped import examples_root, shipped_files

repo, root = Path(sys.argv[1]), examples_root()
assert "site-packages" in root.parts, f"examples read from {root}, not the installed package"
files = shipped_files()
expected = sorted(
    p.relative_to(repo)
    for pattern in ("scenarios/*.yaml", "experiments/*.yaml", "experiments/comparisons/*.yaml")
    for p in repo.glob(pattern)
)
assert files == expected, set(files) ^ set(expected)
differ = [str(p) for p in files if (root / p).read_bytes() != (repo / p).read_bytes()]
assert not differ, differ
print(f"wheel-check: {len(files)} shipped files, equal to the checkout's", file=sys.stderr)
EOF
latticesim examples ex >/dev/null
latticesim run ex/scenarios/us_pivot.yaml --until 2025Q4 --out runs/pivot --quiet
python -c 'import json, sys; sys.exit(0 if json.load(open("runs/pivot/manifest.json"))["complete"] else 1)' \
  || fail "the run folder is not complete"
latticesim sweep ex/experiments/smoke.yaml --out sweeps/smoke --workers 2 --calibrated --quiet
python -c 'import json, sys; s = json.load(open("sweeps/smoke/sweep.json"))["status"]; sys.exit(0 if s["complete"] and s["runs_done"] == 8 else 1)' \
  || fail "the sweep is not complete"
say "ran a scenario and an 8-run sweep at $((SECONDS - started)) s"

# 4. The dashboard: its page rendered as a browser session gets it (scenarios from the
#    package) and an upload checked in its worker; then the server started on a free port
#    and its first page fetched.
# (run with -c: a worker process cannot re-read a script that came on standard input)
page_check="$(cat <<'EOF'
import solara

from latticesim.seminar.page import Page
from latticesim.seminar.scenarios import scenario_dir, scenario_names

assert "site-packages" in scenario_dir().parts, scenario_dir()
assert scenario_names()[0] == "baseline_2024" and "us_pivot" in scenario_names()
box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
html = "\n".join(str(h.widget.unsafe_innerHTML) for h in rc.find(solara.widgets.HTML))
assert "<b class='running-scenario'>us_pivot</b>" in html, "no running scenario in the header"
rc.close()
from latticesim.seminar.scenarios import UPLOADS, load_uploaded

key = load_uploaded("mine.yaml", b"extends: us_pivot.yaml\nname: mine\nhorizon: 2027Q4\n")
assert UPLOADS[key].name == "mine"  # checked in a worker process of the installed package
EOF
)"
python -c "$page_check" >/dev/null || fail "the dashboard's page did not render, or an upload was refused"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
setsid latticesim dashboard --port "$port" >"$tmp/dashboard.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fsS -o "$tmp/page.html" "http://127.0.0.1:$port/" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/dashboard.log" >&2; fail "the dashboard exited"; }
  sleep 0.5
done
grep -qi "solara" "$tmp/page.html" 2>/dev/null || { cat "$tmp/dashboard.log" >&2; fail "no dashboard page on port $port"; }
kill -TERM -- "-$server"
for _ in $(seq 1 40); do kill -0 "$server" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$server" 2>/dev/null; then fail "the dashboard did not stop on SIGTERM"; fi
server=""
say "served the dashboard's first page; all good in $((SECONDS - started)) s"
