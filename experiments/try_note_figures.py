"""Redraw the run figures the teaching notes show (docs/figures/<scenario>_<figure>.png).

    python experiments/try_note_figures.py

Each note shows one or two figures of one run (seed 3) of its scenario, exactly as
``latticesim run scenarios/<scenario>.yaml --seed 3`` writes them into the run folder's
``figures/``: each scenario as its file says, at the package's defaults (the values
calibrated on the 2019-2024 hindcast, docs/calibration.md, section 8) unless the file
sets parameters of its own. Runs one scenario at a time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from latticesim import run

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
SEED = 3
NOTE_FIGURES: dict[str, tuple[str, ...]] = {
    "us_pivot": ("leading_platform", "statement_strength"),
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
    with tempfile.TemporaryDirectory() as tmp:
        for name, figures in NOTE_FIGURES.items():
            out = Path(tmp) / name
            run(ROOT / "scenarios" / f"{name}.yaml", seed=SEED, out=out)
            for figure in figures:
                target = FIGURES / f"{name}_{figure}.png"
                shutil.copyfile(out / "figures" / f"{figure}.png", target)
                print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
