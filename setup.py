"""Build step that pyproject.toml cannot say: the shipped YAML files go into the wheel.

The scenarios and sweep files live at the project's top (``scenarios/``, ``experiments/``),
where users of the checkout find them. A wheel carries copies in ``latticesim/examples/``,
made here when the package is built, so that an installed latticesim has them too
(``latticesim.common.shipped`` finds either). Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
FOLDERS = ("scenarios", "experiments", "experiments/comparisons")  # as EXAMPLE_FOLDERS


class BuildWithExamples(build_py):
    """``build_py`` that also copies the shipped YAML files into the built package."""

    def run(self) -> None:
        """Build the package as usual, then add the examples (not in an editable install)."""
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        target = Path(self.build_lib) / "latticesim" / "examples"
        shutil.rmtree(target, ignore_errors=True)  # a file removed since the last build goes
        for folder in FOLDERS:
            for src in sorted((HERE / folder).glob("*.yaml")):
                dest = target / folder / src.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)


setup(cmdclass={"build_py": BuildWithExamples})
