"""Redraw the run figures the teaching notes show (docs/figures/<scenario>_<figure>.png).

    python experiments/try_note_figures.py

Each note shows one or two figures of one run (seed 3) of its scenario, exactly as
``latticesim run scenarios/<scenario>.yaml --seed 3`` writes them into the run folder's
``figures/``, at the calibrated parameters (the values fitted to the 2019-2024 record,
read from ``scenarios/hindcast_2019.yaml``). Runs one scenario at a time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from latticesim import hindcast as hc
from latticesim import load_scenario, run

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
SEED = 3
NOTE_FIGURES: dict[str, tuple[str, ...]] = {
    "us_pivot": ("leading_platform",),
    "us_retrenchment": ("attendance",),
    "france_autonomy": ("statement_strength",),
    "france_autonomy_soft": ("statement_strength",),
    "taiwan_crisis": ("statement_strength",),
    "russia_dprk": ("positions",),
    "china_enabler": ("statement_strength",),
    "ip4_standalone": ("lattice",),
    "spoilers": ("statement_strength",),
    "economic_security": ("statement_strength",),
    "hindcast_2019": ("statement_strength", "attendance"),
}


def main() -> int:
    calibrated = load_scenario(ROOT / "scenarios" / "hindcast_2019.yaml").parameters
    params = {k: getattr(calibrated, k) for k in hc.FREE_PARAMETERS}
    with tempfile.TemporaryDirectory() as tmp:
        for name, figures in NOTE_FIGURES.items():
            spec = hc.with_parameters(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), params)
            out = Path(tmp) / name
            run(spec, seed=SEED, out=out)
            for figure in figures:
                target = FIGURES / f"{name}_{figure}.png"
                shutil.copyfile(out / "figures" / f"{figure}.png", target)
                print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
