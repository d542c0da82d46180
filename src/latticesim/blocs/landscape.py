"""A named landscape: actors, sizes and propensities, solved or read from published tables.

:class:`Landscape` puts names on the arrays the solvers take (:mod:`~latticesim.blocs.theory`,
:mod:`~latticesim.blocs.exact`, :mod:`~latticesim.blocs.heuristic`) and picks exact
enumeration whenever it is affordable. :func:`read_landscape` reads a published case from
a size table and a pair table, and says exactly where a table is wrong.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from latticesim.blocs.exact import global_minima, local_minima
from latticesim.blocs.heuristic import search
from latticesim.blocs.results import BlocsResult
from latticesim.blocs.theory import (
    DEFAULT_REL_TOL,
    ConfigArray,
    FloatArray,
    Rule,
    check_instance,
    energy,
    frustration,
)
from latticesim.common.limits import MAX_CSV_BYTES
from latticesim.common.text import suggest

__all__ = ["BlocsInputError", "Landscape", "read_landscape"]

StrPath = str | PathLike[str]


class BlocsInputError(ValueError):
    """Bad input table; the message is one line, ``FILE:LINE: field: message``."""


@dataclass(frozen=True, eq=False)
class Landscape:
    """A named instance: actors, their sizes and the symmetric propensity matrix.

    Attributes:
        names: Unique actor names; their order is the column order everywhere.
        sizes: Shape ``(n,)``, all > 0.
        propensity: Shape ``(n, n)``, symmetric, zero diagonal.
    """

    names: tuple[str, ...]
    sizes: FloatArray
    propensity: FloatArray

    def __post_init__(self) -> None:
        s, p = check_instance(self.sizes, self.propensity)
        names = tuple(str(v) for v in self.names)
        if len(names) != s.size:
            raise ValueError(f"expected {s.size} names, got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError("actor names must be unique")
        s.setflags(write=False)
        p.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "sizes", s)
        object.__setattr__(self, "propensity", p)

    @classmethod
    def from_csv(cls, sizes_csv: StrPath, pairs_csv: StrPath) -> Landscape:
        """Read a size table and a pair table (see :func:`read_landscape`)."""
        return read_landscape(sizes_csv, pairs_csv)

    @property
    def n(self) -> int:
        """Number of actors."""
        return len(self.names)

    def config(self, side_b: Iterable[str]) -> ConfigArray:
        """Configuration with the named actors on side 1 and everyone else on side 0."""
        pos = {nm: i for i, nm in enumerate(self.names)}
        x = np.zeros(self.n, dtype=np.int8)
        for nm in side_b:
            if nm not in pos:
                raise KeyError(f"unknown actor {nm!r}{suggest(nm, self.names)}")
            x[pos[nm]] = 1
        return x

    def frustration(self, configs: npt.ArrayLike) -> FloatArray:
        """Frustration of every actor (see :func:`frustration`)."""
        return frustration(self.sizes, self.propensity, configs)

    def energy(self, configs: npt.ArrayLike) -> float | FloatArray:
        """Energy per configuration (see :func:`energy`)."""
        return energy(self.sizes, self.propensity, configs)

    def global_minima(self, *, rel_tol: float = DEFAULT_REL_TOL) -> BlocsResult:
        """Exact global minima (see :func:`global_minima`)."""
        return global_minima(self.sizes, self.propensity, names=self.names, rel_tol=rel_tol)

    def local_minima(
        self, *, rule: Rule = "steepest", rel_tol: float = DEFAULT_REL_TOL
    ) -> BlocsResult:
        """Exact local minima with basins (see :func:`local_minima`)."""
        return local_minima(
            self.sizes, self.propensity, rule=rule, names=self.names, rel_tol=rel_tol
        )

    def search(self, **kwargs: object) -> BlocsResult:
        """Heuristic search (see :func:`search`; keyword arguments are passed on)."""
        return search(self.sizes, self.propensity, names=self.names, **kwargs)  # type: ignore[arg-type]

    def solve(
        self,
        *,
        method: Literal["auto", "exact", "descent", "anneal"] = "auto",
        rule: Rule = "steepest",
        exact_max: int = 24,
        **kwargs: object,
    ) -> BlocsResult:
        """The theory's predictions: local minima with basins, exact whenever affordable.

        ``"auto"`` enumerates exactly up to ``exact_max`` actors (about a second at 24)
        and otherwise runs the multi-start descent, whose shares estimate basin shares.

        Args:
            method: ``"auto"``, ``"exact"``, ``"descent"`` or ``"anneal"``.
            rule: Myopic rule defining the basins.
            exact_max: Largest N solved exactly under ``"auto"``.
            **kwargs: Passed to :func:`search` (``starts``, ``rng``, ``top``, ...).

        Returns:
            A :class:`BlocsResult`.
        """
        if method == "exact" or (method == "auto" and self.n <= exact_max):
            return self.local_minima(rule=rule)
        heuristic = "descent" if method == "auto" else method
        return self.search(method=heuristic, rule=rule, **kwargs)


MAX_MAGNITUDE = 1e9
"""Largest size or propensity: energies sum products of them, which must stay finite."""


def _short(value: str) -> str:
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(text)


def _read_text(src: str) -> str:
    """A CSV file's text, refused in one line if too large, binary or not UTF-8."""
    try:
        with open(src, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise BlocsInputError(f"{src}:1: file: no such file") from None
    except IsADirectoryError:
        raise BlocsInputError(f"{src}:1: file: is a folder, not a CSV file") from None
    except OSError as exc:
        raise BlocsInputError(f"{src}:1: file: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_CSV_BYTES:
        raise BlocsInputError(f"{src}:1: file: larger than {MAX_CSV_BYTES:,} bytes")
    if b"\0" in data:
        raise BlocsInputError(
            f"{src}:1: file: holds NUL bytes, so it is UTF-16 or not text; save it as UTF-8 CSV"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BlocsInputError(
            f"{src}:{line}: file: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None


def _read_table(path: StrPath, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as ``(line number, {column: stripped text})``, header checked.

    Line numbers are physical lines (header = 1), which holds because blank lines are
    kept (and skipped here) and fields spanning lines are not expected in these tables.
    """
    src = str(path)
    text = _read_text(src)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise BlocsInputError(f"{src}:1: header: file is empty") from None
    except pd.errors.ParserError as exc:
        text = " ".join(str(exc).split())
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if m:
            raise BlocsInputError(
                f"{src}:{m.group(2)}: row: expected {m.group(1)} fields, saw {m.group(3)}"
            ) from None
        raise BlocsInputError(f"{src}:1: file: cannot parse CSV ({text})") from None
    header = [str(c).strip() for c in df.columns]
    for col in columns:
        if col not in header:
            found = ", ".join(repr(h) for h in header)
            raise BlocsInputError(
                f"{src}:1: header: missing column {col!r}{suggest(col, header)} "
                f"(expected {', '.join(columns)}; found {found})"
            )
    pos = {col: header.index(col) for col in columns}
    rows = []
    for i, rec in enumerate(df.itertuples(index=False, name=None)):
        values = {col: str(rec[j]).strip() for col, j in pos.items()}
        if all(str(v).strip() == "" for v in rec):
            continue
        rows.append((i + 2, values))
    return rows


def _number(src: str, line: int, field: str, text: str) -> float:
    if text == "":
        raise BlocsInputError(f"{src}:{line}: {field}: missing value")
    try:
        value = float(text)
    except ValueError:
        raise BlocsInputError(f"{src}:{line}: {field}: not a number: {_short(text)}") from None
    if not math.isfinite(value):
        raise BlocsInputError(f"{src}:{line}: {field}: must be finite, got {_short(text)}")
    if abs(value) > MAX_MAGNITUDE:
        raise BlocsInputError(
            f"{src}:{line}: {field}: must be at most {MAX_MAGNITUDE:g} in size, got {_short(text)}"
        )
    return value


def read_landscape(sizes_csv: StrPath, pairs_csv: StrPath) -> Landscape:
    """Build a :class:`Landscape` from a size table and a pair table.

    The size table has columns ``actor,size`` (one row per actor, size > 0; its order is
    the actor order). The pair table has ``actor_a,actor_b,propensity``; propensities are
    symmetric, so one row per unordered pair suffices, a pair may be repeated (either
    order) only with the same value, and missing pairs are 0. Extra columns are ignored.
    Every problem is reported as :class:`BlocsInputError` with ``FILE:LINE: field:``, so
    a typo in a published table can be found at once.

    Args:
        sizes_csv: Path of the size table.
        pairs_csv: Path of the pair table.

    Returns:
        The landscape.
    """
    s_src, p_src = str(sizes_csv), str(pairs_csv)
    names: list[str] = []
    sizes: list[float] = []
    first_line: dict[str, int] = {}
    for line, row in _read_table(sizes_csv, ("actor", "size")):
        name = row["actor"]
        if name == "":
            raise BlocsInputError(f"{s_src}:{line}: actor: missing name")
        if name in first_line:
            raise BlocsInputError(
                f"{s_src}:{line}: actor: duplicate actor {_short(name)} "
                f"(first on line {first_line[name]})"
            )
        size = _number(s_src, line, "size", row["size"])
        if size <= 0:
            raise BlocsInputError(f"{s_src}:{line}: size: must be > 0, got {_short(row['size'])}")
        first_line[name] = line
        names.append(name)
        sizes.append(size)
    if len(names) < 2:
        raise BlocsInputError(
            f"{s_src}:1: actor: {len(names) or 'no'} actor{'s' * (len(names) != 1)} in the "
            "size table; a landscape needs at least two to form blocs"
        )

    index = {nm: i for i, nm in enumerate(names)}
    p = np.zeros((len(names), len(names)), dtype=np.float64)
    seen: dict[tuple[int, int], tuple[float, int]] = {}
    for line, row in _read_table(pairs_csv, ("actor_a", "actor_b", "propensity")):
        ends = []
        for field in ("actor_a", "actor_b"):
            name = row[field]
            if name == "":
                raise BlocsInputError(f"{p_src}:{line}: {field}: missing name")
            if name not in index:
                raise BlocsInputError(
                    f"{p_src}:{line}: {field}: unknown actor {_short(name)}"
                    f"{suggest(name, names) or f' (not in {s_src})'}"
                )
            ends.append(index[name])
        i, j = ends
        if i == j:
            raise BlocsInputError(
                f"{p_src}:{line}: actor_b: actor {_short(names[i])} paired with itself "
                "(self-propensity is not part of the model)"
            )
        value = _number(p_src, line, "propensity", row["propensity"])
        key = (min(i, j), max(i, j))
        if key in seen and seen[key][0] != value:
            old, old_line = seen[key]
            raise BlocsInputError(
                f"{p_src}:{line}: propensity: pair {_short(names[key[0]])}-"
                f"{_short(names[key[1]])} is {value:g} here but {old:g} on line {old_line}"
            )
        seen.setdefault(key, (value, line))
        p[i, j] = p[j, i] = value
    return Landscape(names=tuple(names), sizes=np.asarray(sizes), propensity=p)
