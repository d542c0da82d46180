"""Where the arms of a comparison part: per replication, the first quarter their records differ.

Replication r of every arm runs on the same seed, so until a scenario's own events
change something the arms' runs are the same run. This module runs the arms of one
replication side by side, a quarter at a time, and compares what each quarter left in
the tables, in order of interest:

1. the meetings: whether a forum met, whether a text was adopted or blocked, by whom,
   and the adopted text's strength (beyond :data:`TOLERANCE`);
2. the attendance: each invitee's level at each forum's meeting;
3. the log: forums founded or lapsed, choices played.

A scenario event that only one arm has (the log's event lines, and the vetoes and
preoccupations they start and end) is kept as the *cause*, not counted as a divergence.
An arm stops running once it has parted from the first arm (or at the end), so the pass
costs the quarters up to the first difference, not whole runs; arms whose scenarios are
the same file content are the same run and are not run at all. Each replication is a
task of its own, holding only its quarter's records, so a comparison of many arms and
replications never holds more than one replication's quarter per worker.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from typing import Any, NamedTuple

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.model import LatticeModel
from latticesim.scenario.schema import EVENT_TYPES, LatticeScenario, ScenarioSpec
from latticesim.sweeps.designs import CalibratedDraws, replication_seed
from latticesim.sweeps.paths import override
from latticesim.sweeps.worker import SweepRecorder

__all__ = [
    "CAUSE_KINDS",
    "COLUMNS",
    "TOLERANCE",
    "Difference",
    "differences",
    "diverge",
    "quarter_record",
    "replication_divergence",
]

TOLERANCE = 0.005
"""Texts whose strengths differ by less than this are the same text."""

CAUSE_KINDS = frozenset((*EVENT_TYPES, "veto_lifted", "preoccupation_ended"))
"""Log kinds that are a scenario's own doing: the cause of a divergence, never one."""

COLUMNS = [
    "replication",
    "arm",
    "quarter",
    "table",
    "kind",
    "forum",
    "subject",
    "detail",
    "base",
    "value",
]
"""The columns of ``divergence.csv``, one row per difference (or cause)."""


class Difference(NamedTuple):
    """One thing the arm's quarter holds that the first arm's does not (or holds otherwise).

    Attributes:
        table: ``meetings``, ``attendance``, ``log`` or ``cause``.
        kind: ``met``, ``adopted``, ``blocked``, ``strength``, ``level`` or a log kind.
        forum: the forum (empty for a log line about none).
        subject: the item's dimension, the actor, or the log line's subject.
        detail: the meeting's level, the blocker, or the log line's text.
        base, value: the first arm's and this arm's value, as text.
    """

    table: str
    kind: str
    forum: str
    subject: str
    detail: str
    base: str
    value: str


class QuarterRecord(NamedTuple):
    """What one quarter of a run left in its tables, keyed for comparison."""

    meetings: dict[str, tuple[bool, str, dict[str, tuple[bool, float, frozenset[str]]]]]
    attendance: dict[tuple[str, str], tuple[str, str]]
    log: frozenset[tuple[str, str, str]]
    causes: frozenset[tuple[str, str, str]]


def _start(spec: ScenarioSpec, seed: int, until: str | None) -> LatticeModel:
    """A run that keeps its meetings and log and builds no model-table columns."""
    scenario = LatticeScenario(spec=spec, rng=seed, until=until)
    return LatticeModel(
        scenario,
        record_actors=False,
        track_blocs=False,
        recorder=lambda m: SweepRecorder(m, frozenset(), (), True),
    )


def quarter_record(model: LatticeModel) -> QuarterRecord:
    """The quarter just run, from the recorder's raw meetings and log; both then emptied."""
    rec = model.recorder
    names, dims = model.actor_names, model.dimensions
    meetings, attendance = {}, {}
    for raw in rec.raw_meetings:
        items = {}
        for item, o in zip(raw.items, raw.outcomes, strict=True):
            blockers = () if o.adopted else (names[raw.voters[b]] for b in o.blockers)
            items[dims[item.dimension]] = (bool(o.adopted), float(o.strength), frozenset(blockers))
        meetings[raw.forum] = (bool(raw.met), raw.level, items)
        for row, level in zip(raw.invitees, raw.levels, strict=True):
            attendance[raw.forum, names[row]] = (raw.level, LEVEL_NAMES[level])
    log = {(kind, subject, text) for _d, _s, kind, subject, text in rec.entries}
    causes = frozenset(e for e in log if e[0] in CAUSE_KINDS)
    rec.raw_meetings.clear()
    rec.entries.clear()
    return QuarterRecord(meetings, attendance, frozenset(log - causes), causes)


def differences(base: QuarterRecord, arm: QuarterRecord) -> list[Difference]:
    """What differs between two arms' records of the same quarter, meetings first."""
    out = _meeting_differences(base.meetings, arm.meetings)
    for key in sorted(base.attendance.keys() | arm.attendance.keys()):
        a, b = base.attendance.get(key), arm.attendance.get(key)
        if a is None or b is None or a[1] != b[1]:
            level = (a or b)[0]  # type: ignore[index]
            was, now = (a[1] if a else "not invited"), (b[1] if b else "not invited")
            out.append(Difference("attendance", "level", key[0], key[1], level, was, now))
    for kind, subject, text in sorted(base.log ^ arm.log):
        has = (kind, subject, text) in arm.log
        out.append(Difference("log", kind, _forum_of(kind, subject), subject, text, *_yn(not has)))
    return out


def _yn(base: bool) -> tuple[str, str]:
    """A yes-or-no difference: the first arm's side and the arm's, which is the other."""
    return ("yes", "no") if base else ("no", "yes")


def _forum_of(kind: str, subject: str) -> str:
    return subject if kind in ("forum_founded", "forum_lapsed") else ""


def _meeting_differences(base: dict, arm: dict) -> list[Difference]:
    out: list[Difference] = []
    for forum in sorted(base.keys() | arm.keys()):
        a, b = base.get(forum), arm.get(forum)
        if a is None or b is None or a[0] != b[0]:
            level = (a or b)[1]
            out.append(Difference("meetings", "met", forum, "", level, *_yn(bool(a and a[0]))))
            continue
        for dim in sorted(a[2].keys() | b[2].keys()):
            out += _item_differences(forum, a[1], dim, a[2].get(dim), b[2].get(dim))
    return out


def _item_differences(
    forum: str,
    level: str,
    dim: str,
    a: tuple[bool, float, frozenset[str]] | None,
    b: tuple[bool, float, frozenset[str]] | None,
) -> list[Difference]:
    """An item's differences: adopted or not, who blocked it, how strong the text."""
    if a is None or b is None:
        return [Difference("meetings", "tabled", forum, dim, level, *_yn(a is not None))]
    out = []
    if a[0] != b[0]:
        out.append(Difference("meetings", "adopted", forum, dim, level, *_yn(a[0])))
    for actor in sorted(a[2] ^ b[2]):
        out.append(Difference("meetings", "blocked", forum, dim, actor, *_yn(actor in a[2])))
    if a[0] and b[0] and abs(a[1] - b[1]) > TOLERANCE:
        out.append(
            Difference("meetings", "strength", forum, dim, level, f"{a[1]:.3f}", f"{b[1]:.3f}")
        )
    return out


def replication_divergence(
    specs: Sequence[dict[str, Any]], seed: int, until: str | None
) -> list[tuple[int, str, list[tuple[str, Difference]]]]:
    """Run one replication's arms side by side until each parts from the first arm.

    Args:
        specs: the arms' scenarios as JSON (the first is the base).
        seed: the replication's seed, the same in every arm.
        until: the last quarter.

    Returns:
        Per arm after the first that parts from it: its index, the first quarter its
        records differ and the dated differences then, after its own events up to then
        (as ``cause`` rows, dated when they happened). Arms that never part are left out.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        parsed = [ScenarioSpec.model_validate(s) for s in specs]
        end = Quarter.parse(until) if until is not None else parsed[0].horizon_quarter
        quarters = end - parsed[0].start_quarter + 1
        live = {k for k in range(1, len(specs)) if specs[k] != specs[0]}
        models = {k: _start(parsed[k], seed, until) for k in (0, *sorted(live))}
        causes: dict[int, list[tuple[str, Difference]]] = {k: [] for k in live}
        found = []
        for _ in range(quarters):
            if not live:
                break
            records = {}
            for k in (0, *sorted(live)):
                models[k].step()
                records[k] = quarter_record(models[k])
            quarter = str(models[0].quarter)
            for k in sorted(live):
                causes[k] += [(quarter, d) for d in _causes(records[0].causes, records[k].causes)]
                diff = differences(records[0], records[k])
                if diff:
                    found.append((k, quarter, [*causes[k], *((quarter, d) for d in diff)]))
                    live.discard(k)
    return found


def _causes(base: Iterable[tuple[str, str, str]], arm: Iterable[tuple[str, str, str]]):
    """The events only one arm has this quarter, as ``cause`` rows."""
    base, arm = set(base), set(arm)
    return [
        Difference("cause", kind, "", subject, text, *_yn((kind, subject, text) in base))
        for kind, subject, text in sorted(base ^ arm)
    ]


def _task(args: tuple[list[dict[str, Any]], int, str | None]) -> list:
    return replication_divergence(*args)


def _drawn(
    data: list[dict[str, Any]], calibrated: CalibratedDraws | None, seed: int, r: int
) -> list[dict[str, Any]]:
    """The arms' scenarios with replication r's calibrated parameters (if any) set."""
    if calibrated is None:
        return data
    values = calibrated.values(seed, r)
    changes = [(("parameters", n), v) for n, v in zip(calibrated.names, values, strict=True)]
    return [override(d, changes) for d in data]


def diverge(
    specs: Sequence[ScenarioSpec],
    names: Sequence[str],
    replications: int,
    seed: int,
    until: str | None,
    executor: Executor | None = None,
    calibrated: CalibratedDraws | None = None,
) -> list[dict[str, Any]]:
    """Every replication's divergence rows (:data:`COLUMNS`), one task per replication.

    Rows of one replication are in order of interest: its causes, then the meetings,
    the attendance and the log of its first differing quarter. With ``calibrated``
    draws, every arm of replication r runs with that replication's draw, as its runs did.
    """
    data = [spec.model_dump(mode="json", by_alias=True) for spec in specs]
    jobs = [
        (_drawn(data, calibrated, seed, r), replication_seed(seed, r), until)
        for r in range(replications)
    ]
    results = executor.map(_task, jobs) if executor is not None else map(_task, jobs)
    rows: list[dict[str, Any]] = []
    for r, found in enumerate(results):
        for k, _first, diffs in found:
            for quarter, d in diffs:
                rows.append({"replication": r, "arm": names[k], "quarter": quarter, **d._asdict()})
    return rows
