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

__all__ = ["accepted_set", "add_calibrated_option", "add_parser", "command"]

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


def accepted_set(value: str, error: type[Exception]) -> CalibratedDraws:
    """The draws ``--calibrated`` names (the shipped set for a bare flag).

    Raises:
        error: the set cannot be read (one line, naming the option and the file).
    """
    from latticesim.sweeps.calibration import CalibrationError, calibrated_draws

    try:
        return calibrated_draws(value or None)
    except CalibrationError as exc:
        raise error(f"--calibrated: {exc}") from None


def add_parser(sub: Any) -> None:
    """The ``calibrate`` command's options."""
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
