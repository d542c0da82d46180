"""The command line of calibration: ``latticesim calibrate`` and ``--calibrated``.

Kept apart from :mod:`latticesim.cli` so that the command's options and their checks
live beside the calibration they drive. Nothing heavy is imported until a command runs,
so ``latticesim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from latticesim.sweeps.designs import CalibratedDraws
    from latticesim.sweeps.experiment import Experiment

__all__ = [
    "accepted_set",
    "add_calibrated_option",
    "add_parser",
    "calibrated",
    "command",
    "load_sweep",
]

EXIT_USER_ERROR = 2


def add_calibrated_option(parser: argparse.ArgumentParser) -> None:
    """``--calibrated [ACCEPTED_CSV]`` for ``sweep`` and ``compare``."""
    parser.add_argument(
        "--calibrated",
        nargs="?",
        const="",
        default=None,
        metavar="ACCEPTED_CSV",
        help="each replication takes the model parameters of an accepted calibration draw "
        "(the shipped set, or an accepted.csv of latticesim calibrate)",
    )


def accepted_set(value: str | None, error: type[Exception]) -> CalibratedDraws | None:
    """The draws ``--calibrated`` names (the shipped set for a bare flag; None without it).

    Raises:
        error: the set cannot be read (one line, naming the option and the file).
    """
    from latticesim.sweeps.calibration import CalibrationError, calibrated_draws

    if value is None:
        return None
    try:
        return calibrated_draws(value or None)
    except CalibrationError as exc:
        raise error(f"--calibrated: {exc}") from None


def calibrated(exp: Experiment, value: str | None) -> Experiment:
    """``exp`` with ``--calibrated``'s draws (as it is without the flag).

    Raises:
        SweepError: the accepted set cannot be read, as one line naming the file and
            the option, like a sweep file's mistakes.
    """
    from latticesim.scenario.messages import Problem
    from latticesim.sweeps.calibration import CALIBRATED_CSV, CalibrationError, with_calibrated
    from latticesim.sweeps.sweepfile import SweepError

    if value is None:
        return exp
    try:
        return with_calibrated(exp, value or None)
    except CalibrationError as exc:
        source = value or str(CALIBRATED_CSV)
        reason = str(exc).removeprefix(f"{source}: ")
        raise SweepError([Problem(source, 1, 1, "--calibrated", reason)]) from None


def load_sweep(args: argparse.Namespace) -> Experiment:
    """``latticesim sweep``'s file (``args.experiment``), with ``--calibrated``'s draws.

    Raises:
        SweepError: the file or the accepted set has mistakes (one line each).
    """
    from latticesim.sweeps.sweepfile import load_experiment

    exp = load_experiment(args.experiment, allow_large=args.allow_large)
    return calibrated(exp, args.calibrated)


def add_parser(sub: Any) -> None:
    """The ``calibrate`` command's options, and ``--calibrated`` for ``sweep`` and ``compare``.

    Called after those two commands' parsers are made, so their options stay in one place.
    """
    for name in ("sweep", "compare"):
        add_calibrated_option(sub.choices[name])
    cal = sub.add_parser(
        "calibrate", help="accepted parameter draws that reproduce the 2019-2024 record"
    )
    cal.add_argument("scenario", nargs="?", help="hindcast scenario (default: the shipped one)")
    cal.add_argument("--out", required=True, help="calibration folder (resumable)")
    cal.add_argument("--draws", type=int, default=1000, help="prior draws (1000)")
    cal.add_argument("--replications", type=int, default=8, help="runs per draw (8)")
    cal.add_argument("--seed", type=int, default=1, help="root seed of draws and runs (1)")
    cal.add_argument("--min-accepted", type=int, default=200, help="accepted at least (200)")
    cal.add_argument("--workers", type=int, default=None, help="parallel workers")
    cal.add_argument("--scheduler", default=None, metavar="ADDRESS", help="as for sweep")
    cal.add_argument("--ship", action="store_true", help="also replace the package's accepted set")
    cal.add_argument("--quiet", action="store_true", help="print only errors")


def command(args: argparse.Namespace) -> int:
    """Run ``latticesim calibrate``: progress on stderr, a mistake in one line."""
    from latticesim.scenario.messages import ScenarioError
    from latticesim.sweeps.calibration import CalibrationError, calibrate
    from latticesim.sweeps.experiment import SweepRunError

    if args.workers is not None and args.workers < 1:
        print(f"--workers: must be at least 1, got {args.workers}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        result = calibrate(
            args.out,
            args.scenario,
            draws=args.draws,
            replications=args.replications,
            seed=args.seed,
            min_accepted=args.min_accepted,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
            ship=args.ship,
        )
    except (ScenarioError, CalibrationError, SweepRunError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    if not args.quiet:
        print(result.sweep.line())
        print(result.line())
    return 0
