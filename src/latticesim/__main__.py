"""``python -m latticesim``: the ``latticesim`` command where its script is not on PATH."""

import sys

from latticesim.cli import main

sys.exit(main())
