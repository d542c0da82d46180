"""Values as written in a file: numbers, switches and names that can become folder names.

Numbers must be numbers and switches true or false: pydantic would read ``true`` as 1
and ``"0.3"`` as 0.3. A quoted number in a file written by hand is a slip or a value
meant as text, and ``watering: true`` is not a share; either way the file does not say
what pydantic would make of it, so it is pointed out, not guessed at.
Scenario files and sweep files use the same types.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from latticesim.common.limits import MAX_NAME
from latticesim.common.text import quoted

__all__ = [
    "FolderName",
    "Number",
    "Switch",
    "Whole",
    "as_said",
    "folder_name_problem",
    "number",
    "whole",
]

_NUMERAL = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(inf|infinity|nan)", re.I)
"""Text that reads as a number: ``10``, ``-0.5``, ``1e3``, ``nan``."""


def as_said(message: str) -> PydanticCustomError:
    """An error whose message is said as it is (the translation passes it through)."""
    return PydanticCustomError("as_said", message)


def _written_as_number(error_type: str, what: str) -> BeforeValidator:
    """Refuse true/false and quoted numbers where a number is meant."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError(error_type, "not a number")
        if isinstance(value, str):
            if _NUMERAL.fullmatch(value.strip()):
                raise as_said(
                    f"must be {what}, got the text {quoted(value)}; write it without quotes"
                )
            raise PydanticCustomError(error_type, "not a number")
        return value

    return BeforeValidator(check)


def whole(**bounds: int) -> Any:
    """A whole number written as one, within ``bounds`` (see :func:`number` for why here)."""
    return Annotated[int, Field(**bounds), _written_as_number("int_type", "a whole number")]


Whole = whole()


def number(**bounds: float) -> Any:
    """A finite number written as one, within ``bounds`` (``ge``, ``le``, ``gt``, ``lt``).

    The bounds come before the check of how the number is written, so pydantic applies
    them to the number itself and the JSON Schema states them (``minimum``, ``maximum``)
    for editors; set after the check, they would be left out of it.
    """
    return Annotated[
        float, Field(allow_inf_nan=False, **bounds), _written_as_number("float_type", "a number")
    ]


Number = number()
"""A finite number written as one (``.nan`` and ``.inf`` are refused)."""
Switch = Annotated[bool, Field(strict=True)]
"""True or false only: files are read as YAML 1.2, where ``yes`` is text (pydantic: true)."""

_NOT_IN_NAMES = set('/\\<>:"|?*')


def folder_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a folder name beside others (``../x``, NUL, too long), or None."""
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; at most {MAX_NAME}"
    bad = [c for c in name if c in _NOT_IN_NAMES or unicodedata.category(c)[0] == "C"]
    if bad:
        return (
            f"names a folder, so it cannot hold {quoted(bad[0])}; use letters, digits, '_' and '-'"
        )
    if name.strip() != name or name.startswith("."):
        return "names a folder, so it cannot start with '.' or a space, or end in one"
    return None


def _folder_name(name: str) -> str:
    problem = folder_name_problem(name)
    if problem:
        raise as_said(problem)
    return name


FolderName = Annotated[str, Field(min_length=1), AfterValidator(_folder_name)]
"""A name that becomes a folder name: no separators, control characters or leading dot."""
