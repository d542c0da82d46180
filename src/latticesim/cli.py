"""The ``latticesim`` command: run, validate and describe scenarios.

Every user mistake ends in one plain line (``FILE:LINE:COL: field: message`` for
scenario files) and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

# for the scripts and tests that serve the dashboard (it was defined here first)
from latticesim.seminar.server import DashboardDidNotStart, dashboard_server
from latticesim.sweeps import calibration_cli

__all__ = ["DashboardDidNotStart", "dashboard_server", "main"]

EXIT_USER_ERROR = 2


if TYPE_CHECKING:  # pragma: no cover
    # what add_parser is called on: the object ArgumentParser.add_subparsers returns
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="latticesim",
        description="Simulate how states coordinate security policy through overlapping forums.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_run,
        _add_validate,
        _add_blocs,
        _add_schema,
        _add_sweep,
        _add_compare,
        _add_plot,
        _add_report,
        _add_dashboard,
        _add_examples,
        calibration_cli.add_parser,
    ):
        add(sub)
    return parser


def _add_run(sub: Subparsers) -> None:
    run = sub.add_parser("run", help="run a scenario and write its run folder")
    run.add_argument("scenario", help="scenario file (YAML), e.g. scenarios/us_pivot.yaml")
    run.add_argument("--seed", type=int, default=None, help="random seed (default: the file's)")
    run.add_argument("--out", default=None, help="run folder (default: runs/NAME-seedN)")
    run.add_argument(
        "--until",
        default=None,
        metavar="QUARTER",
        help="last quarter to simulate, e.g. 2030Q4 (default: the horizon)",
    )
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    run.add_argument("--quiet", action="store_true", help="print only errors")


def _add_validate(sub: Subparsers) -> None:
    val = sub.add_parser("validate", help="check scenario files; one line per problem")
    val.add_argument("files", nargs="+", help="scenario files")


def _add_blocs(sub: Subparsers) -> None:
    blocs = sub.add_parser(
        "blocs", help="the blocs implied by actors' views (landscape theory of aggregation)"
    )
    blocs.add_argument("target", nargs="?", help="a run folder, or a scenario file to run")
    blocs.add_argument("--date", default=None, help="quarter to look at (default: the last)")
    blocs.add_argument("--seed", type=int, default=None, help="seed when running a scenario")
    blocs.add_argument("--sizes", default=None, help="sizes CSV (actor,size), with --pairs")
    blocs.add_argument("--pairs", default=None, help="pairwise CSV (actor_a,actor_b,propensity)")
    blocs.add_argument("--top", type=int, default=5, help="splits to list")
    blocs.add_argument("--starts", type=int, default=400, help="search starts beyond exact reach")


def _add_schema(sub: Subparsers) -> None:
    schema = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--out", default=None, help="write it to this file instead")
    schema.add_argument(
        "--partial",
        action="store_true",
        help="the variant for files that extend another (nothing is required)",
    )


def _add_sweep(sub: Subparsers) -> None:
    sweep = sub.add_parser("sweep", help="run a sweep file's design of runs into a sweep folder")
    sweep.add_argument("experiment", help="sweep file (YAML), e.g. experiments/smoke.yaml")
    sweep.add_argument("--out", default=None, help="sweep folder (default: sweeps/NAME)")
    sweep.add_argument(
        "--workers", type=int, default=None, help="parallel workers (1: in process; default: cores)"
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on Dask: 'local' for a LocalCluster, or a scheduler's address",
    )
    sweep.add_argument(
        "--chunk-size", type=int, default=None, help="runs per task (default: shrinking to 1)"
    )
    sweep.add_argument("--dry-run", action="store_true", help="check the file and say the plan")
    sweep.add_argument(
        "--allow-large",
        action="store_true",
        help="allow a plan of more than a million runs (see docs/limits.md)",
    )
    sweep.add_argument("--quiet", action="store_true", help="print only errors")


def _add_compare(sub: Subparsers) -> None:
    cmp = sub.add_parser("compare", help="compare scenarios on common random numbers")
    cmp.add_argument(
        "scenarios", nargs="*", help="two or more scenario files; the first is the base"
    )
    cmp.add_argument(
        "--file", default=None, metavar="FILE", help="a comparison file (instead of scenarios)"
    )
    cmp.add_argument("--replications", type=int, default=None, help="runs per scenario (20)")
    cmp.add_argument("--out", default=None, help="folder (default: comparisons/A-vs-B)")
    cmp.add_argument("--seed", type=int, default=None, help="root seed of the replications (1)")
    cmp.add_argument("--until", default=None, metavar="QUARTER", help="last quarter simulated")
    cmp.add_argument(
        "--metrics", default=None, help="model-table columns over time, comma-separated"
    )
    cmp.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="NAME=TABLE:SELECT:READ[:STAT[:WINDOW]]",
        help="an outcome by name, e.g. nato_china=meetings:NATO:strength_china_stance:mean",
    )
    cmp.add_argument("--outcomes", default=None, metavar="SET", help="shipped sets: headline")
    cmp.add_argument("--window", type=int, default=None, help="end quarters a series averages (4)")
    cmp.add_argument("--workers", type=int, default=None, help="parallel workers")
    cmp.add_argument("--scheduler", default=None, metavar="ADDRESS", help="as for sweep")
    cmp.add_argument("--quiet", action="store_true", help="print only errors")


def _add_plot(sub: Subparsers) -> None:
    plot = sub.add_parser("plot", help="figures of a sweep: envelopes, heatmaps, sensitivity")
    plot.add_argument("sweep", help="sweep folder (written by latticesim sweep)")
    plot.add_argument("--out", default=None, help="figures folder (default: SWEEP/figures)")
    plot.add_argument("--ema", default=None, metavar="FILE", help="also export to EMA Workbench")


def _add_report(sub: Subparsers) -> None:
    report = sub.add_parser(
        "report",
        help="a run or comparison folder as one self-contained HTML page, to print or email",
    )
    report.add_argument(
        "run_dir",
        metavar="RUN_DIR",
        help="run folder (written by latticesim run) or comparison folder (latticesim compare)",
    )
    report.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="file to write (default: RUN_DIR/report.html, RUN_DIR/handout.html with --student)",
    )
    report.add_argument(
        "--student",
        action="store_true",
        help="a student handout of a run: the question, figures, questions for discussion "
        "and a glossary, in at most six A4 pages",
    )


def _add_dashboard(sub: Subparsers) -> None:
    dash = sub.add_parser(
        "dashboard", help="the seminar dashboard in a browser (step, watch, role-play)"
    )
    dash.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 lets "
        "players' devices on the room's network join)",
    )
    dash.add_argument(
        "--scenarios", default=None, metavar="DIR", help="scenario folder (default: ./scenarios)"
    )
    dash.add_argument(
        "--comparisons",
        default=None,
        metavar="DIR",
        help="a comparison folder, or a folder of them, shown read-only (default: ./comparisons)",
    )


def _add_examples(sub: Subparsers) -> None:
    ex = sub.add_parser("examples", help="copy the shipped scenarios and sweep files to a folder")
    ex.add_argument("dest", metavar="DIR", help="folder to copy into (made if missing)")
    ex.add_argument("--overwrite", action="store_true", help="replace files already there")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``latticesim`` console script."""
    args = _parser().parse_args(argv)
    if args.version:
        from latticesim.outputs.runs import package_version

        print(f"latticesim {package_version()}")
        return 0
    if args.command is None:
        _parser().print_help()
        return EXIT_USER_ERROR
    handler = {
        "run": _run,
        "validate": _validate,
        "schema": _schema,
        "blocs": _blocs,
        "sweep": _sweep,
        "compare": _compare,
        "plot": _plot,
        "report": _report,
        "dashboard": _dashboard,
        "examples": _examples,
        "calibrate": calibration_cli.command,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("latticesim: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USER_ERROR


def _run(args: argparse.Namespace) -> int:
    from latticesim.common.limits import LATEST_YEAR
    from latticesim.common.quarters import Quarter
    from latticesim.outputs.runs import run
    from latticesim.outputs.store import RunFolderError
    from latticesim.scenario.loading import load_checked
    from latticesim.scenario.messages import ScenarioError

    try:
        spec, warnings = load_checked(args.scenario)
    except ScenarioError as exc:
        return _fail(str(exc))
    for warning in warnings:
        print(warning, file=sys.stderr)
    if args.until is not None:
        try:
            until = Quarter.parse(args.until)
        except ValueError as exc:
            return _fail(f"--until: {exc}")
        if until < spec.start_quarter:
            return _fail(f"--until: {until} is before the scenario's start {spec.start}")
        if until.year > LATEST_YEAR:
            return _fail(f"--until: {until} is after {LATEST_YEAR} (see docs/limits.md)")
    seed = spec.seed if args.seed is None else args.seed
    if seed < 0:
        return _fail(f"--seed: must be 0 or more, got {seed}")
    out = Path(args.out) if args.out else Path("runs") / f"{spec.name}-seed{seed}"
    started = time.perf_counter()
    try:
        result = run(
            spec,
            seed=seed,
            until=args.until,
            out=out,
            figures=not args.no_figures,
            progress=not args.quiet,
            source=args.scenario,
        )
    except RunFolderError as exc:
        return _fail(str(exc))
    if not args.quiet:
        last = result.model.iloc[-1]
        held = int(result.meetings["met"].sum())
        print(
            f"{spec.name} (seed {seed}): {len(result.model)} quarters "
            f"{result.model['date'].iloc[0]}-{last['date']}, {held} meetings held"
        )
        print(
            f"  leading platform at {last['date']}: {last['leading_platform']} "
            f"(share {last['leading_platform_share']:.2f}); coordination index "
            f"{last['coordination_index']:.2f}; forums {int(last['n_forums'])}"
        )
        print(
            f"wrote {out}/ in {time.perf_counter() - started:.1f} s: manifest.json, "
            f"{len(result.tables)} Parquet tables, chronicle.md, {len(result.figures)} figures"
        )
    return 0


def _blocs(args: argparse.Namespace) -> int:
    from latticesim.blocs import alignment
    from latticesim.blocs import landscape as blocs
    from latticesim.common.quarters import Quarter
    from latticesim.outputs.runs import simulate
    from latticesim.outputs.store import RunFolderError, read_tables
    from latticesim.scenario.loading import load_scenario
    from latticesim.scenario.messages import ScenarioError

    for flag, value, most in (("--top", args.top, 1000), ("--starts", args.starts, 100_000)):
        if not 1 <= value <= most:
            return _fail(f"{flag}: must be between 1 and {most:,}, got {value}")
    if args.sizes or args.pairs:
        if not (args.sizes and args.pairs):
            return _fail("blocs: give both --sizes and --pairs")
        try:
            land = blocs.read_landscape(args.sizes, args.pairs)
        except (blocs.BlocsInputError, OSError) as exc:
            return _fail(str(exc))
        print(f"{land.n} actors from {args.sizes} and {args.pairs}")
        for line in alignment.describe(land, None, args.top, args.starts, seed=0, exact_max=24):
            print(line)
        return 0
    if not args.target:
        return _fail("blocs: give a run folder or a scenario file (or --sizes and --pairs)")
    target = Path(args.target)
    try:
        date = str(Quarter.parse(args.date)) if args.date else None
    except ValueError as exc:
        return _fail(f"--date: {exc}")
    if target.is_dir():
        try:
            actors = read_tables(target, ["actors"])["actors"]
        except RunFolderError as exc:
            return _fail(str(exc))
        date = date or actors["date"].iloc[-1]
        rows = actors[actors["date"] == date]
        if rows.empty:
            first, last = actors["date"].iloc[0], actors["date"].iloc[-1]
            return _fail(f"--date: {date} is not in the run ({first}-{last})")
        source = f"{target} at {date}"
    else:
        try:
            spec = load_scenario(target)
        except ScenarioError as exc:
            return _fail(str(exc))
        if date is not None and not (spec.start_quarter <= Quarter.parse(date)):
            return _fail(f"--date: {date} is before the scenario's start {spec.start}")
        seed = spec.seed if args.seed is None else args.seed
        actors = simulate(spec, seed, until=date).recorder.frames()["actors"]
        date = actors["date"].iloc[-1]
        rows = actors[actors["date"] == date]
        source = f"{spec.name} (seed {seed}) at {date}"
    land, tracked = alignment.landscape_from_actors(rows.reset_index(drop=True))
    print(f"Blocs implied by views and shared forums: {source}, {land.n} actors")
    for line in alignment.describe(land, tracked, args.top, args.starts, seed=0):
        print(line)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from latticesim.scenario.loading import validate_files

    failed, lines = validate_files(args.files)
    for line in lines:
        print(line, file=sys.stderr if ": ok" not in line else sys.stdout)
    return EXIT_USER_ERROR if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from latticesim.scenario.loading import dump_schema

    text = dump_schema(args.out, partial=args.partial)
    if args.out is None:
        print(text)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from latticesim.sweeps.experiment import SweepRunError
    from latticesim.sweeps.runner import run_sweep
    from latticesim.sweeps.sweepfile import SweepError

    for flag, value in (("--workers", args.workers), ("--chunk-size", args.chunk_size)):
        if value is not None and value < 1:
            return _fail(f"{flag}: must be at least 1, got {value}")
    try:
        exp = calibration_cli.load_sweep(args)
    except SweepError as exc:
        return _fail(str(exc))
    if args.dry_run:
        print(exp.describe())
        return 0
    out = Path(args.out) if args.out else Path("sweeps") / exp.name
    if not args.quiet:
        print(exp.describe())
    try:
        summary = run_sweep(
            exp,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
        )
    except SweepRunError as exc:
        return _fail(str(exc))
    if not args.quiet:
        print(summary.line())
    return 0


def _compare(args: argparse.Namespace) -> int:
    from latticesim.scenario.messages import ScenarioError
    from latticesim.sweeps.compare import CompareError, compare
    from latticesim.sweeps.experiment import SweepRunError

    if args.workers is not None and args.workers < 1:
        return _fail(f"--workers: must be at least 1, got {args.workers}")
    try:
        options = _compare_options(args)
        stems = "-vs-".join(Path(s).stem for s in options["scenarios"])
        default = Path(args.file).stem if args.file else stems
        out = Path(args.out) if args.out else Path("comparisons") / default
        result = compare(
            out=out,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
            **options,
        )
    except (ScenarioError, CompareError, SweepRunError) as exc:
        return _fail(str(exc))
    if not args.quiet:
        print(result.markdown())
        print(result.line())
    return 0


def _compare_options(args: argparse.Namespace) -> dict:
    """``compare``'s arguments from a comparison file and the options (which win)."""
    from latticesim.sweeps.compare import CompareError
    from latticesim.sweeps.compare_outcomes import OutcomeSyntaxError, parse_option
    from latticesim.sweeps.comparefile import load_comparison

    if args.file and args.scenarios:
        raise CompareError("compare: give scenario files or --file, not both")
    options: dict = load_comparison(args.file).options() if args.file else {}
    options.setdefault("scenarios", args.scenarios)
    options["calibrated"] = calibration_cli.accepted_set(args.calibrated, CompareError)
    given = {"replications": 20, "seed": 1, "until": None, "window": 4}
    for key, default in given.items():
        value = getattr(args, key)
        if value is not None or key not in options:
            options[key] = value if value is not None else default
    if args.metrics is not None:
        options["metrics"] = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if args.outcomes is not None:
        options["sets"] = [m.strip() for m in args.outcomes.split(",") if m.strip()]
    named = dict(options.get("outcomes") or {})
    for text in args.outcome:
        try:
            name, spec = parse_option(text)
        except OutcomeSyntaxError as exc:
            raise CompareError(str(exc)) from None
        named[name] = spec
    if args.outcome:
        options["outcomes"], options["label"] = named, "--outcome"
    return options


def _plot(args: argparse.Namespace) -> int:
    from latticesim.sweeps.analysis import plot_sweep
    from latticesim.sweeps.ema import save_ema
    from latticesim.sweeps.experiment import SweepRunError

    try:
        files = plot_sweep(args.sweep, args.out)
        if args.ema:
            files.append(save_ema(args.sweep, args.ema))
    except SweepRunError as exc:
        return _fail(str(exc))
    folder = Path(args.out) if args.out else Path(args.sweep) / "figures"
    print(f"wrote {len(files)} files: figures in {folder}/" + (f", {args.ema}" if args.ema else ""))
    return 0


def _report(args: argparse.Namespace) -> int:
    from latticesim.outputs.report import ReportError, write_report
    from latticesim.sweeps.compare_report import is_comparison, write_compare_report

    comparison = is_comparison(args.run_dir)
    if comparison and args.student:
        return _fail(f"{args.run_dir}: --student is for a run folder, not a comparison")
    try:
        if comparison:
            path = write_compare_report(args.run_dir, args.out)
        else:
            path = write_report(args.run_dir, args.out, student=args.student)
    except ReportError as exc:
        return _fail(str(exc))
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.1f} MB): open it in a browser to read or print")
    return 0


def _examples(args: argparse.Namespace) -> int:
    from latticesim.common.shipped import ExamplesError, copy_examples

    try:
        files = copy_examples(args.dest, overwrite=args.overwrite)
    except ExamplesError as exc:
        return _fail(str(exc))
    example = Path(args.dest) / "scenarios" / "us_pivot.yaml"
    print(f"wrote {len(files)} files to {args.dest}: try latticesim run {example}")
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("solara") is None:
        return _fail("the dashboard needs its extra packages: pip install 'latticesim[dashboard]'")
    if not 0 < args.port < 65536:
        return _fail(f"--port: {args.port} is not a port number (1-65535)")
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
    # solara-assets ships every asset the page uses; with the CDN closed, a request for
    # anything else fails at once instead of making the server fetch (and cache) it
    env.setdefault("SOLARA_ASSETS_CDN", "http://127.0.0.1:9/")
    if args.scenarios is not None:
        folder = Path(args.scenarios)
        if not folder.is_dir() or not any(folder.glob("*.yaml")):
            return _fail(f"--scenarios: {folder} is not a folder of scenario files (*.yaml)")
        env["LATTICESIM_SCENARIOS"] = str(folder.resolve())
    shown = _dashboard_comparisons(args.comparisons, env)
    if isinstance(shown, int):
        return shown
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            return _fail(
                f"--port: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
                "another dashboard may be running there: pick another with --port"
            )
    app = Path(__file__).with_name("seminar") / "app.py"
    print(f"latticesim dashboard on http://{args.host}:{args.port}/  (Ctrl-C stops it)")
    if shown:
        print(f"  comparisons: http://{args.host}:{args.port}/{shown}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "  listening beyond this machine: anyone who can reach it can use the dashboard "
            "(see docs/security.md)"
        )
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0


def _dashboard_comparisons(given: str | None, env: dict[str, str]) -> str | int:
    """The comparisons' address (``?...``, "" if none) with ``env`` set, or an exit code."""
    from latticesim.seminar.comparisons import COMPARISONS_ENV, comparison_folders, comparisons_dir

    folder = Path(given) if given is not None else comparisons_dir()
    found = comparison_folders(folder)
    if given is not None and not found:
        return _fail(
            f"--comparisons: {folder} is neither a comparison folder nor a folder of them "
            "(a comparison folder holds compare.json: latticesim compare --out DIR writes one)"
        )
    env[COMPARISONS_ENV] = str(folder.resolve())
    if len(found) == 1:
        return f"?comparison={quote(next(iter(found)), safe='')}"
    return "?view=comparisons" if found else ""


if __name__ == "__main__":
    sys.exit(main())
