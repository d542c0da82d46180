"""The chronicle as the dashboard shows it: told quarter by quarter as the run goes.

The facilitator's chronicle panel and each player's page read the same entries, in the
sentences of a run folder's ``chronicle.md``.
"""

from __future__ import annotations

import copy
import html
import threading

from latticesim.model.model import LatticeModel
from latticesim.outputs.chronicle import Chronicler


def live_chronicle(model: LatticeModel) -> list[tuple[str, str, str]]:
    """The chronicle so far: (quarter, kind, sentence), newest quarter first.

    Each quarter is told once, as it is run (a :class:`~latticesim.outputs.chronicle.Chronicler`
    kept with the model remembers what came before), so the cost of a step does not grow
    with the length of the run; the sentences are those of the run's ``chronicle.md``.
    """
    with _chronicle_lock:  # players' pages read the facilitator's model from their threads
        state = model.__dict__.setdefault(
            "_live_chronicle", {"teller": Chronicler(), "told": (0, 0, 0), "rows": []}
        )
        told, upto = _completed_records(model.recorder, state["told"])
        if upto != state["told"]:
            new = state["teller"].tell(_tables_between(model.recorder, told, upto))
            state["rows"] = _newest_first(new, state["rows"])
            state["told"] = upto
        return state["rows"]


def _completed_records(recorder, told: tuple[int, int, int]) -> tuple[tuple, tuple]:
    """How far the records of completed quarters reach (meetings, log, quarters).

    A player's page may ask while the facilitator's step is half done: its quarter has
    some meetings recorded and no model row yet, so only quarters with a model row are
    told (the row is the last thing a step records).
    """
    rows = recorder.model_rows[:]
    if len(rows) <= told[2]:
        return told, told
    last = rows[-1]["step"]
    meetings, entries = recorder.raw_meetings[:], recorder.entries[:]
    m = told[0]
    while m < len(meetings) and meetings[m].step <= last:
        m += 1
    e = told[1]
    while e < len(entries) and entries[e][1] <= last:
        e += 1
    return told, (m, e, len(rows))


def _tables_between(recorder, told: tuple[int, int, int], upto: tuple[int, int, int]) -> dict:
    """The run's tables for the records between ``told`` and ``upto``.

    A shallow copy of the recorder that holds only those records builds them, so a
    quarter costs the same in the tenth year as in the first.
    """
    view = copy.copy(recorder)
    view.raw_meetings = recorder.raw_meetings[told[0] : upto[0]]
    view.entries = recorder.entries[told[1] : upto[1]]
    view.model_rows = recorder.model_rows[told[2] : upto[2]]
    view.actor_steps = []
    return {name: df for name, df in view.frames().items() if name != "actors"}


_chronicle_lock = threading.Lock()


def _newest_first(new, told: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """New entries (in the order they happened within each quarter) above the earlier ones."""
    rows = list(zip(new["date"], new["step"], new["kind"], new["text"], strict=True))
    steps = sorted({r[1] for r in rows}, reverse=True)
    ordered = [(d, k, t) for step in steps for d, s, k, t in rows if s == step]
    return ordered + told


def chronicle_html(rows: list[tuple[str, str, str]], limit: int = 60) -> str:
    """Chronicle entries as HTML, a heading per quarter, played actors' choices marked."""
    if not rows:
        return "<p class='chronicle-empty'><i>Step the model: the chronicle grows here.</i></p>"
    out, last = [], None
    for date, kind, text in rows[:limit]:
        if date != last:
            if last is not None:
                out.append("</ul>")
            out.append(
                f"<h4 style='margin:6px 0 2px'>{html.escape(date)}</h4><ul style='margin:0'>"
            )
            last = date
        style = " style='background:#fff3cd'" if kind == "played" else ""
        out.append(f"<li class='chronicle-{html.escape(kind)}'{style}>{html.escape(text)}</li>")
    out.append("</ul>")
    return "<div class='chronicle'>" + "".join(out) + "</div>"
