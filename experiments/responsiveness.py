"""Responsiveness: every shipped scenario against the baseline on paired seeds.

    python experiments/responsiveness.py --out /tmp/resp               # 30 seeds, to a folder
    python experiments/responsiveness.py --out /tmp/resp --only us_pivot --seeds 10
    python experiments/responsiveness.py --out /tmp/resp --write-docs  # and the docs' tables
    python experiments/responsiveness.py --out /tmp/resp --calibrated  # over accepted draws

Every scenario that extends ``baseline_2024`` runs against the baseline with the same
seeds (replication r of both arms draws the same random streams; the baseline runs once
per seed and serves every scenario). Each run is measured on the headline outcomes of
:data:`OUTCOMES`, each over the quarters from the scenario's first event to its horizon
(the baseline over the same quarters), and each cell of the table gives the baseline's
mean, the scenario's mean, the mean paired difference with its 95% interval (Student's t
over the seeds, ``latticesim.sweeps.stats.mean_ci``), and whether that interval excludes
zero.

Writes ``responsiveness.csv`` and ``responsiveness.md`` to ``--out``. Tracked files change
only with ``--write-docs``: it writes the same table to
``experiments/responsiveness_results/`` and rewrites the marked blocks
(``<!-- responsiveness:start -->`` ... ``<!-- responsiveness:end -->``) in
``docs/calibration.md`` (section 9) and in each scenario's teaching note
(``docs/scenarios/NAME.md``, "Against the baseline"), so that the docs quote the CSV and
nothing else. ``--calibrated`` draws replication r's parameters from the accepted set of
the calibration (``latticesim.sweeps.calibration.accepted_draws()``), the same draw in
both arms, so that the intervals hold parameter uncertainty as well as the draw's.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from latticesim import load_scenario, simulate
from latticesim.scenario.parameters import Parameters
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.hindcast import with_parameters
from latticesim.sweeps.stats import mean_ci, paired_differences
from latticesim.world.names import IP4

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOCS = ROOT / "docs"
TRACKED = ROOT / "experiments" / "responsiveness_results"
BASELINE = "baseline_2024"
START, END = "<!-- responsiveness:start -->", "<!-- responsiveness:end -->"
SECTION = "## 9. Responsiveness: every scenario against the baseline"
DRAW_SEED = 20240711  # fixes which accepted draw each replication takes (--calibrated)

Tables = dict[str, pd.DataFrame]


# --------------------------------------------------------------------------- outcomes


def _window(frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """The rows dated in [first, last] (quarters as text sort as time does)."""
    return frame[frame["date"].between(first, last)]


def model_mean(t: Tables, column: str, first: str, last: str) -> float:
    """Mean of a model-table column over the window."""
    return float(_window(t["model"], first, last)[column].mean())


def heads_share(t: Tables, forum: str, who: Iterable[str] | None, first: str, last: str) -> float:
    """Share of a forum's summit invitations (of ``who``, or its members) answered by a head.

    Every scheduled summit counts, held or not: a leader who stays away is the outcome.
    """
    summits = t["meetings"].loc[t["meetings"]["level"] == "summit", "meeting_id"]
    rows = _window(t["attendance"], first, last)
    rows = rows[(rows["forum"] == forum) & rows["meeting_id"].isin(summits)]
    rows = rows[rows["role"] == "member"] if who is None else rows[rows["actor"].isin(list(who))]
    return float((rows["level"].astype(str) == "head").mean()) if len(rows) else float("nan")


def coded_text(t: Tables, forum: str, dimension: str, first: str, last: str, summits=False):
    """Mean adopted strength of a forum's texts on a dimension, 0 where a meeting has none.

    Meetings that did not reach quorum are left out; NaN if none met.
    """
    m = _window(t["meetings"], first, last)
    m = m[(m["forum"] == forum) & m["met"]]
    if summits:
        m = m[m["level"] == "summit"]
    return float(m[f"strength_{dimension}"].fillna(0.0).mean()) if len(m) else float("nan")


def agenda_length(t: Tables, forum: str, first: str, last: str) -> float:
    """Items decided per meeting of the forum that met."""
    m = _window(t["meetings"], first, last)
    m = m[(m["forum"] == forum) & m["met"]]
    return float(m["n_items"].mean()) if len(m) else float("nan")


def leads(t: Tables, forum: str, first: str, last: str) -> float:
    """Share of the window's quarters in which ``forum`` is the leading platform."""
    return float((_window(t["model"], first, last)["leading_platform"] == forum).mean())


@dataclass(frozen=True)
class Outcome:
    """A headline outcome: one number per run over a window of quarters."""

    name: str
    label: str
    value: Callable[[Tables, str, str], float]


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "joint_coordination",
        "joint coordination",
        lambda t, a, b: model_mean(t, "joint_coordination", a, b),
    ),
    Outcome(
        "coordination_index",
        "coordination index",
        lambda t, a, b: model_mean(t, "coordination_index", a, b),
    ),
    Outcome(
        "nato_heads",
        "NATO members' leaders at NATO summits (share)",
        lambda t, a, b: heads_share(t, "NATO", None, a, b),
    ),
    Outcome(
        "ip4_heads",
        "IP4 leaders at the NATO+IP4 session (share)",
        lambda t, a, b: heads_share(t, "NATO+IP4", IP4, a, b),
    ),
    Outcome(
        "nato_china",
        "NATO's China text at its summits",
        lambda t, a, b: coded_text(t, "NATO", "china_stance", a, b, summits=True),
    ),
    Outcome(
        "nato_ip4_reach",
        "NATO+IP4's reach text",
        lambda t, a, b: coded_text(t, "NATO+IP4", "global_reach", a, b),
    ),
    Outcome(
        "nato_reach",
        "NATO's reach text",
        lambda t, a, b: coded_text(t, "NATO", "global_reach", a, b),
    ),
    Outcome(
        "nato_agenda",
        "NATO's agenda (items per meeting)",
        lambda t, a, b: agenda_length(t, "NATO", a, b),
    ),
    Outcome(
        "g7_leads",
        "G7 the leading platform (share of quarters)",
        lambda t, a, b: leads(t, "G7", a, b),
    ),
    Outcome(
        "nato_burden",
        "NATO's spending text",
        lambda t, a, b: coded_text(t, "NATO", "burden_sharing", a, b),
    ),
    Outcome(
        "defence_effort",
        "NATO members' defence effort (% of GDP)",
        lambda t, a, b: model_mean(t, "defence_pct_gdp_mean", a, b),
    ),
)
LABELS = {o.name: o.label for o in OUTCOMES}


def measure(tables: Tables, first: str, last: str) -> dict[str, float]:
    """Every outcome of one run over [first, last]."""
    return {o.name: o.value(tables, first, last) for o in OUTCOMES}


# --------------------------------------------------------------------------- the table


def first_event(spec: ScenarioSpec) -> str:
    """The quarter from which a scenario differs from the baseline: its first event."""
    return min((str(e.date) for e in spec.events), default=str(spec.start))


def build_table(values: pd.DataFrame) -> pd.DataFrame:
    """The responsiveness table from every run's outcomes.

    ``values`` holds one row per scenario, arm (``baseline`` or ``scenario``) and seed,
    with the window (``from``, ``to``) and a column per outcome; the baseline's rows of a
    scenario are measured over that scenario's window. One row per scenario and outcome.
    """
    rows = []
    for scenario, runs in values.groupby("scenario", sort=True):
        base = runs[runs["arm"] == "baseline"].set_index("seed")
        other = runs[runs["arm"] == "scenario"].set_index("seed")
        for o in OUTCOMES:
            d = paired_differences(base[o.name], other[o.name])
            mean, lo, hi = mean_ci(d.to_numpy())
            rows.append(
                {
                    "scenario": scenario,
                    "from": runs["from"].iloc[0],
                    "to": runs["to"].iloc[0],
                    "outcome": o.name,
                    "label": o.label,
                    "baseline": float(base[o.name].mean()),
                    "scenario_mean": float(other[o.name].mean()),
                    "difference": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "seeds": int(d.size),
                    "clear_of_zero": bool(lo > 0 or hi < 0),
                }
            )
    return pd.DataFrame(rows)


def shipped_scenarios() -> list[str]:
    """Every shipped scenario that extends the baseline, by name."""
    return sorted(
        p.stem
        for p in SCENARIOS.glob("*.yaml")
        if p.stem != BASELINE and f"extends: {BASELINE}.yaml" in p.read_text(encoding="utf-8")
    )


def run_all(
    names: list[str],
    seeds: int,
    draws: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Every scenario and the baseline on ``seeds`` paired seeds: the outcomes of each run.

    The baseline runs once per seed and is measured over each scenario's window. With
    ``draws``, replication r of both arms runs at the parameters of :func:`draw_for`.
    """
    specs = {n: load_scenario(SCENARIOS / f"{n}.yaml") for n in [BASELINE, *names]}
    windows = {n: (first_event(specs[n]), str(specs[n].horizon)) for n in names}
    rows = []
    for seed in range(seeds):
        params = draw_for(draws, seed) if draws is not None else {}
        base = _tables(specs[BASELINE], seed, params)
        for n in names:
            first, last = windows[n]
            tables = _tables(specs[n], seed, params)
            for arm, t in (("baseline", base), ("scenario", tables)):
                row = {"scenario": n, "arm": arm, "seed": seed, "from": first, "to": last}
                rows.append(row | params | measure(t, first, last))
        if progress is not None:
            progress(f"seed {seed + 1}/{seeds}")
    return pd.DataFrame(rows)


def _tables(spec: ScenarioSpec, seed: int, params: dict[str, float]) -> Tables:
    spec = with_parameters(spec, params) if params else spec
    return simulate(spec, seed, record_actors=False).recorder.frames()


# --------------------------------------------------------------------------- calibrated


def accepted_draws() -> pd.DataFrame | None:
    """The calibration's accepted parameter draws, or None where this version has none."""
    try:
        from latticesim.sweeps import calibration  # type: ignore[attr-defined]
    except ImportError:
        return None
    loader = getattr(calibration, "accepted_draws", None)
    return loader() if loader is not None else None


def draw_for(draws: pd.DataFrame, replication: int) -> dict[str, float]:
    """The accepted draw replication ``replication`` runs at: a fixed shuffle of the set.

    Only the columns that are model parameters are taken; whole-number parameters stay
    whole. The same replication gets the same draw in every arm (pairing) and every run.
    """
    order = np.random.default_rng(DRAW_SEED).permutation(len(draws))
    row = draws.iloc[int(order[replication % len(draws)])]
    out: dict[str, float] = {}
    for name, field in Parameters.model_fields.items():
        if name in row.index and field.annotation in (int, float):
            out[name] = field.annotation(round(row[name]) if field.annotation is int else row[name])
    return out


# --------------------------------------------------------------------------- Markdown


def _places(outcome: str) -> int:
    """Decimals shown: the coordination index moves by thousandths, so four."""
    return 4 if outcome == "coordination_index" else 3


def _number(x: float, places: int = 3) -> str:
    return "n/a" if np.isnan(x) else f"{x:.{places}f}"


def _difference(r: pd.Series) -> str:
    k = _places(r["outcome"])
    if np.isnan(r["ci_low"]):
        return f"{r['difference']:+.{k}f}"
    text = f"{r['difference']:+.{k}f} [{r['ci_low']:+.{k}f}, {r['ci_high']:+.{k}f}]"
    return f"**{text}**" if r["clear_of_zero"] else text


def note_block(table: pd.DataFrame, scenario: str) -> str:
    """A teaching note's "Against the baseline" table: its scenario's row of the table."""
    rows = table[table["scenario"] == scenario]
    first, last, seeds = rows["from"].iloc[0], rows["to"].iloc[0], int(rows["seeds"].max())
    intro = (
        f"Means over {first}-{last} (the scenario's first event to its horizon), "
        f"{seeds} paired seeds; the difference is the scenario's minus the baseline's, "
        "with its 95% interval, **bold** where the interval excludes zero "
        "(`python experiments/responsiveness.py`, docs/calibration.md section 9)."
    )
    lines = [
        textwrap.fill(intro, 88),
        "",
        "| outcome | baseline | scenario | difference [95% CI] |",
        "|---|---|---|---|",
    ]
    for _, r in rows.iterrows():
        lines.append(
            f"| {r['label']} | {_number(r['baseline'], _places(r['outcome']))} "
            f"| {_number(r['scenario_mean'], _places(r['outcome']))} "
            f"| {_difference(r)} |"
        )
    return "\n".join(lines)


def markdown(table: pd.DataFrame, calibrated: int | None = None) -> str:
    """The whole table: each scenario's outcomes, then a summary of what moves."""
    seeds = int(table["seeds"].max())
    over = f" over {calibrated} accepted parameter draws" if calibrated else ""
    intro = (
        f"Paired seeds: {seeds}{over}. Each outcome is a run's mean over the quarters from the "
        "scenario's first event (*from*) to its horizon, the baseline's over the same "
        "quarters; **bold**: the 95% interval of the paired difference excludes zero."
    )
    lines = [
        textwrap.fill(intro, 88),
        "",
        "| scenario | from | outcome | baseline | scenario | difference [95% CI] |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(
            f"| `{r['scenario']}` | {r['from']} | {r['label']} "
            f"| {_number(r['baseline'], _places(r['outcome']))} "
            f"| {_number(r['scenario_mean'], _places(r['outcome']))} | {_difference(r)} |"
        )
    lines += ["", "What moves, by scenario (outcomes whose interval excludes zero):", ""]
    for scenario, rows in table.groupby("scenario", sort=True):
        moved = rows[rows["clear_of_zero"]]
        words = ", ".join(
            f"{r.label} {r.difference:+.{_places(r.outcome)}f}" for r in moved.itertuples()
        )
        lines.append(f"- `{scenario}`: {words or 'nothing measurable'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the docs


def replace_block(text: str, block: str, where: Callable[[str], int]) -> str:
    """``text`` with its marked block replaced by ``block`` (inserted at ``where`` if new)."""
    wrapped = f"{START}\n{block}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        return head + wrapped + rest.split(END, 1)[1]
    at = where(text)
    return text[:at] + wrapped + "\n" + text[at:]


def block_of(text: str) -> str | None:
    """The marked block's content in ``text``, or None where it has none."""
    if START not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def write_docs(table: pd.DataFrame) -> list[Path]:
    """Rewrite the marked blocks of docs/calibration.md and of each scenario's note."""
    written = []
    path = DOCS / "calibration.md"
    text = path.read_text(encoding="utf-8")
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{SECTION_TEXT}\n\n"
    path.write_text(
        replace_block(text, markdown(table), lambda t: len(t)).rstrip("\n") + "\n",
        encoding="utf-8",
    )
    written.append(path)
    for scenario in sorted(table["scenario"].unique()):
        path = DOCS / "scenarios" / f"{scenario}.md"
        text = path.read_text(encoding="utf-8")
        if START not in text:
            heading = "## Against the baseline\n\n"
            found = re.search(r"^## Things to notice", text, flags=re.M)
            at = found.start() if found else len(text)
            text = text[:at] + heading + f"{START}\n{END}\n\n" + text[at:]
        path.write_text(replace_block(text, note_block(table, scenario), len), encoding="utf-8")
        written.append(path)
    return written


SECTION_TEXT = """\
Every shipped scenario that extends `baseline_2024` against the baseline, on 30 paired
seeds (replication r of both arms on the same seed), on the headline outcomes: joint
coordination and the coordination index (ODD 7.10); the share of NATO members' summit
invitations and of the IP4's invitations to the NATO+IP4 session answered by a head of
state or government; NATO's China text at its summits, NATO+IP4's and NATO's reach texts
and NATO's spending text (each meeting that met counts its adopted text's strength, 0
where it adopted none on the dimension); NATO's agenda (items per meeting); the share of
quarters the G7 is the leading platform (the lead is a race between the G7 and the
NATO+IP4 session: the session leads the other quarters); and NATO members' mean defence
effort (% of GDP). Each outcome is a run's mean over the quarters from the scenario's
first event to its horizon; the coordination index moves by thousandths and is shown to
four decimals. Regenerated, with every teaching note's "Against the baseline" table, by

```bash
python experiments/responsiveness.py --out /tmp/responsiveness --write-docs
```

(about a minute; the table is also in `experiments/responsiveness_results/`, and
`tests/test_responsiveness.py` checks that the docs quote it). The teaching notes state an
effect only where its interval excludes zero. With `--calibrated` the same table is made
over the calibration's accepted parameter draws (`accepted_draws()` of
`latticesim.sweeps.calibration`): replication r of both arms runs at the same draw, so
the intervals hold parameter uncertainty as well as the draw's; it is written as
`responsiveness_calibrated.csv` and `.md`, and `--write-docs` then changes only those
two tracked files. Without an accepted set the option says so and runs nothing."""


# --------------------------------------------------------------------------- command


def write_table(table: pd.DataFrame, out: Path, stem: str, calibrated: int | None) -> None:
    """The table as CSV and Markdown in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{stem}.csv", index=False, float_format="%.6g")
    (out / f"{stem}.md").write_text(markdown(table, calibrated) + "\n", encoding="utf-8")


def read_table(path: Path) -> pd.DataFrame:
    """A table written by :func:`write_table`, as the docs' blocks are made from it."""
    return pd.read_csv(path, dtype={"from": str, "to": str})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the table")
    parser.add_argument("--seeds", type=int, default=30, help="paired seeds per scenario")
    parser.add_argument("--only", nargs="*", choices=shipped_scenarios(), help="some scenarios")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the docs' tables")
    parser.add_argument("--calibrated", action="store_true", help="over accepted draws")
    args = parser.parse_args(argv)
    if args.write_docs and (args.only or args.seeds != 30):
        parser.error("--write-docs needs every scenario on 30 seeds (no --only, no --seeds)")
    draws = accepted_draws() if args.calibrated else None
    if args.calibrated and draws is None:
        print(
            "--calibrated: this version has no accepted parameter draws "
            "(latticesim.sweeps.calibration.accepted_draws)",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    values = run_all(
        args.only or shipped_scenarios(),
        args.seeds,
        draws,
        lambda s: print(f"{s} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True),
    )
    table = build_table(values)
    stem = "responsiveness_calibrated" if draws is not None else "responsiveness"
    n_draws = len(draws) if draws is not None else None
    write_table(table, args.out, stem, n_draws)
    if args.write_docs:
        write_table(table, TRACKED, stem, n_draws)
        table = read_table(TRACKED / f"{stem}.csv")
        if draws is None:
            for path in write_docs(table):
                print(path.relative_to(ROOT), file=sys.stderr)
    print(markdown(table, n_draws))
    return 0


if __name__ == "__main__":
    sys.exit(main())
