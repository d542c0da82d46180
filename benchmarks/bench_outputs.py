"""Time one run's outputs stage by stage: tables, chronicle, Parquet and figures.

Usage:
    python benchmarks/bench_outputs.py [--scenario scenarios/us_pivot.yaml] [--repeat 9]
                                       [--workers N] [--without ticks,png,gc] [--markdown]

Everything is measured in this process (and the one that draws half of the figures when
a core is idle), in one sitting. The first run of the process is reported on its own: it
is what ``latticesim run SCENARIO`` does in a fresh interpreter (matplotlib imported,
fonts loaded, caches cold), timed by the run itself (its manifest). Then ``--repeat``
rounds each time the stages that ``latticesim.run`` goes through, one after the other on
a fresh model with the same seed: loading the scenario, the model loop, the tables, the
chronicle, the Parquet files, the figures. A round ends with a whole ``run(...,
out=...)`` (manifest and atomic folder included).

"All outputs" is what the 2-second target is about: the tables, the chronicle, the
Parquet files and the figures, everything a run does after its model loop. Stage times
are medians (and minima) over the rounds, in wall time and in CPU time (this process and
its children). Each is also given as a multiple of the model loop measured in the same
rounds: the loop is the one stage the outputs do not touch, so the ratios compare
sittings even when other work shares the machine, and the minima show what the machine
does undisturbed. The load average before and after the rounds is printed.

``--without`` draws the figures without pieces of :mod:`latticesim.figures.render`'s
machinery, to measure what each one gains (``--workers 1`` does the same for the second
drawing process): ``ticks`` leaves the ticks to matplotlib, ``png`` writes the PNGs with
Pillow as matplotlib does, ``gc`` leaves the figures to Python's collector.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_OUTPUTS_S = 2.0
STAGES = ("load", "simulate", "tables", "chronicle", "parquet", "figures")
OUTPUTS = ("tables", "chronicle", "parquet", "figures")  # what the target is about
PIECES = ("ticks", "png", "gc")  # the machinery --without can leave out


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the figure process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn: Callable[[], Any], wall: list[float], cpu: list[float]) -> Any:
    t, c = time.perf_counter(), _cpu()
    result = fn()
    wall.append(time.perf_counter() - t)
    cpu.append(_cpu() - c)
    return result


def _cold_run(scenario: Path, out: Path) -> dict[str, float]:
    """The first run of the process, as the command line makes it, by its own timings."""
    from latticesim import run

    t = time.perf_counter()
    result = run(scenario, out=out)
    timings = dict(result.manifest["timings_s"])
    timings["outputs"] = timings["total"] - timings["load"] - timings["simulate"]
    timings["wall"] = time.perf_counter() - t
    return timings


def _round(
    scenario: Path,
    folder: Path,
    workers: int | None,
    wall: dict[str, list[float]],
    cpu: dict[str, list[float]],
) -> None:
    """One round: the stages of ``latticesim.run`` one by one, then a whole run."""
    from latticesim import load_scenario, run, simulate
    from latticesim.figures.render import make_figures
    from latticesim.outputs.chronicle import chronicle
    from latticesim.outputs.store import write_tables

    folder.mkdir()
    spec = _timed(lambda: load_scenario(scenario), wall["load"], cpu["load"])
    model = _timed(lambda: simulate(spec, spec.seed), wall["simulate"], cpu["simulate"])
    tables = _timed(model.recorder.frames, wall["tables"], cpu["tables"])
    title = f"{spec.name} (seed {spec.seed})"

    def write_chronicle() -> None:
        header = {"scenario": spec.name, "seed": spec.seed}
        text = chronicle(tables, title=f"Chronicle: {title}", header=header)
        (folder / "chronicle.md").write_text(text, encoding="utf-8")

    _timed(write_chronicle, wall["chronicle"], cpu["chronicle"])
    _timed(lambda: write_tables(folder, tables), wall["parquet"], cpu["parquet"])
    _timed(
        lambda: make_figures(tables, folder / "figures", title=title, workers=workers),
        wall["figures"],
        cpu["figures"],
    )
    for d in (wall, cpu):
        d["outputs"].append(sum(d[s][-1] for s in OUTPUTS))
    _timed(lambda: run(scenario, out=folder / "run"), wall["run"], cpu["run"])


def _leave_out(pieces: set[str]) -> None:
    """Draw the figures without these pieces of the machinery (in this process and its fork)."""
    from latticesim.figures import render

    if "ticks" in pieces:
        render._freeze_ticks = lambda fig: None
    if "png" in pieces:
        from PIL import Image

        def pillow(rgba: Any, path: Path) -> None:
            Image.fromarray(rgba).save(path, format="png", dpi=(render.PNG_DPI,) * 2)

        render._write_png = pillow
    if "gc" in pieces:
        render.garbage_freed_young = contextlib.nullcontext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "us_pivot.yaml"))
    parser.add_argument("--repeat", type=int, default=9, help="rounds (medians over them)")
    parser.add_argument(
        "--workers", type=int, default=None, help="figure processes (default: as a run)"
    )
    parser.add_argument(
        "--without", default="", help=f"machinery left out, comma-separated: {', '.join(PIECES)}"
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    scenario = Path(args.scenario)
    without = {p.strip() for p in args.without.split(",") if p.strip()}
    if without - set(PIECES):
        parser.error(f"--without: unknown {', '.join(sorted(without - set(PIECES)))}")
    _leave_out(without)
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cold = _cold_run(scenario, tmp / "cold")

        wall: dict[str, list[float]] = {k: [] for k in (*STAGES, "outputs", "run")}
        cpu: dict[str, list[float]] = {k: [] for k in wall}
        for k in range(args.repeat):
            _round(scenario, tmp / f"r{k}", args.workers, wall, cpu)
    load_after = os.getloadavg()

    sim = statistics.median(wall["simulate"])
    left_out = f"; without {', '.join(sorted(without))}" if without else ""
    print(
        f"{scenario.name}: {args.repeat} rounds in one process{left_out}; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    print("first run of the process, as the command line makes it (manifest timings, s):")
    print("  " + ", ".join(f"{k} {v:.3f}" for k, v in cold.items()))
    print()
    rows = []
    names = {
        "load": "load the scenario",
        "simulate": "model loop (the floor)",
        "tables": "tables as DataFrames",
        "chronicle": "chronicle (build and write)",
        "parquet": "Parquet files",
        "figures": "figures, PNG and SVG",
        "outputs": "all outputs (tables to figures)",
        "run": "run(..., out=...) end to end",
    }
    for key, name in names.items():
        med, low = statistics.median(wall[key]), min(wall[key])
        rows.append((name, med, low, statistics.median(cpu[key]), med / sim))
    if args.markdown:
        print("| stage | wall median s | wall min s | CPU median s | x model loop |")
        print("|---|---:|---:|---:|---:|")
        for name, med, low, c, ratio in rows:
            print(f"| {name} | {med:.3f} | {low:.3f} | {c:.3f} | {ratio:.1f} |")
    else:
        print(f"{'stage':42s} {'wall med':>9s} {'wall min':>9s} {'CPU med':>9s} {'x loop':>7s}")
        for name, med, low, c, ratio in rows:
            print(f"{name:42s} {med:9.3f} {low:9.3f} {c:9.3f} {ratio:7.1f}")
    print(f"\ntarget: all outputs < {TARGET_OUTPUTS_S} s")


if __name__ == "__main__":
    main()
