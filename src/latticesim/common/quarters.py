"""Calendar quarters: the model's unit of time.

One model step is one quarter. Summits are scheduled by quarter, events are dated by
quarter and every output row carries its quarter as text (``2024Q3``) so that tables,
figures and the chronicle speak the calendar a seminar speaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter, ordered and countable.

    Stored as an absolute index (``year * 4 + quarter - 1``) so that ordering,
    differences and offsets are plain integer arithmetic.
    """

    index: int

    @classmethod
    def of(cls, year: int, quarter: int) -> Quarter:
        """Build from a year and a quarter number (1-4)."""
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1-4, got {quarter}")
        return cls(year * 4 + quarter - 1)

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Parse ``2024Q3`` (also ``2024-Q3``, ``2024q3``).

        Raises:
            ValueError: with a message that shows the expected form.
        """
        if isinstance(text, Quarter):
            return text
        m = _QUARTER_RE.match(str(text))
        if not m:
            raise ValueError(f"'{text}' is not a quarter; write it like 2024Q3")
        return cls.of(int(m.group(1)), int(m.group(2)))

    @property
    def year(self) -> int:
        """Calendar year."""
        return self.index // 4

    @property
    def quarter(self) -> int:
        """Quarter number, 1 to 4."""
        return self.index % 4 + 1

    @property
    def decimal_year(self) -> float:
        """Where the quarter starts on a time axis in years: 2024Q3 is 2024.5."""
        return self.year + (self.quarter - 1) / 4.0

    def __add__(self, n: int) -> Quarter:
        return Quarter(self.index + int(n))

    def __sub__(self, other: Quarter) -> int:
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def __repr__(self) -> str:
        return f"Quarter('{self}')"


def quarter_range(start: Quarter, end: Quarter) -> list[Quarter]:
    """All quarters from ``start`` to ``end``, both included."""
    return [Quarter(i) for i in range(start.index, end.index + 1)]


def decimal_years(dates: Iterable[str]) -> np.ndarray:
    """Quarters ("2024Q3") as :attr:`Quarter.decimal_year` values, the x axis of time plots.

    A table has thousands of rows but a run a few dozen quarters, so each distinct
    quarter is read once and the rest is a lookup.
    """
    values = dates if isinstance(dates, pd.Series | pd.Index | np.ndarray) else list(dates)
    codes, quarters = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    years = np.array([Quarter.parse(str(q)).decimal_year for q in quarters], dtype=float)
    return years[codes]
