"""The ``latticesim`` command: run, validate and describe scenarios.

Every user mistake ends in one plain line (``FILE:LINE:COL: field: message`` for
scenario files) and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="latticesim",
        description="Simulate how states coordinate security policy through overlapping forums.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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

    val = sub.add_parser("validate", help="check scenario files; one line per problem")
    val.add_argument("files", nargs="+", help="scenario files")

    schema = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--out", default=None, help="write it to this file instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``latticesim`` console script."""
    args = _parser().parse_args(argv)
    if args.version:
        from latticesim.runs import package_version

        print(f"latticesim {package_version()}")
        return 0
    if args.command is None:
        _parser().print_help()
        return EXIT_USER_ERROR
    handler = {"run": _run, "validate": _validate, "schema": _schema}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("latticesim: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USER_ERROR


def _run(args: argparse.Namespace) -> int:
    from latticesim.loading import ScenarioError, load_scenario
    from latticesim.quarters import Quarter
    from latticesim.runs import run
    from latticesim.store import RunFolderError

    try:
        spec = load_scenario(args.scenario)
    except ScenarioError as exc:
        return _fail(str(exc))
    if args.until is not None:
        try:
            until = Quarter.parse(args.until)
        except ValueError as exc:
            return _fail(f"--until: {exc}")
        if until < spec.start_quarter:
            return _fail(f"--until: {until} is before the scenario's start {spec.start}")
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
        )
    except RunFolderError as exc:
        return _fail(str(exc))
    result.manifest["scenario"]["file"] = args.scenario
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


def _validate(args: argparse.Namespace) -> int:
    from latticesim.loading import validate_files

    failed, lines = validate_files(args.files)
    for line in lines:
        print(line, file=sys.stderr if ": ok" not in line else sys.stdout)
    return EXIT_USER_ERROR if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from latticesim.loading import dump_schema

    text = dump_schema(args.out)
    if args.out is None:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
