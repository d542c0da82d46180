"""Cross-references in a scenario: names and dates the schema alone cannot check.

Actor, group, adversary, forum and dimension names must exist; events must fall inside
the scenario's calendar and refer to forums that exist when they happen. The checks run
on the merged tree, not the validated spec, so a file with a schema error and a misspelt
actor gets both reported in one go; values of the wrong type are skipped here, since the
schema already reports them.

Each event class has its own check in :data:`EVENT_CHECKS`, keyed by the class.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.scenario import schema
from latticesim.scenario.messages import FieldPath, Problem, Tree, listing
from latticesim.scenario.schema import ADVERSARIES, DEFAULT_DIMENSIONS, EVENT_MODEL, EVENT_TYPES
from latticesim.world.actors import GROUPS, actor_names, group_members, resolve_names
from latticesim.world.practice import may_decide, reserved_dimensions

__all__ = ["ALIASES", "EVENT_CHECKS", "check_references", "forum_actors"]

# Names people commonly use for an actor, mapped to the packaged name.
ALIASES: dict[str, str] = {
    "us": "United States",
    "usa": "United States",
    "u.s.": "United States",
    "america": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "turkey": "Turkiye",
    "türkiye": "Turkiye",
    "korea": "South Korea",
    "republic of korea": "South Korea",
    "rok": "South Korea",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "czech republic": "Czechia",
    "european union": "European Union (institution)",
    "eu institution": "European Union (institution)",
    "european commission": "European Union (institution)",
    "dprk": "North Korea",
    "prc": "China",
    "russian federation": "Russia",
    "macedonia": "North Macedonia",
}


def forum_actors() -> list[str]:
    """The actors that sit in forums: every packaged actor but the adversaries."""
    return [n for n in actor_names() if n not in ADVERSARIES]


class _Checker:
    """Cross-reference checks on the merged tree, tolerant of parts the schema rejects.

    They run on the raw tree, not the validated spec, so a file with a schema error and
    a misspelt actor gets both reported in one go. Values of the wrong type are skipped
    here: the schema already reports them.
    """

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.data = tree.data
        self.problems: list[Problem] = []
        self.actors = forum_actors()
        self.groups = list(GROUPS)
        dims = self.data.get("dimensions", None)
        if dims is None:
            self.dims: list[str] | None = list(DEFAULT_DIMENSIONS)
        elif isinstance(dims, list) and all(isinstance(d, str) for d in dims):
            self.dims = dims
        else:
            self.dims = None
        self.start = self.quarter_of(self.data.get("start"))
        self.horizon = self.quarter_of(self.data.get("horizon"))
        # Forums named under forums:, and those events create or dissolve (name ->
        # (quarter, event index)); filled in by events().
        self.standing: set[str] = set()
        self.created: dict[str, tuple[Quarter, int]] = {}
        self.dissolved: dict[str, tuple[Quarter, int]] = {}
        self.known: list[str] = []

    @staticmethod
    def quarter_of(value: Any) -> Quarter | None:
        """The quarter ``value`` names, or None when it is not one (the schema says so)."""
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}Q[1-4]", value):
            return None
        return Quarter.parse(value)

    def add(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.tree.problem(path, message, key=key))

    # names ------------------------------------------------------------------

    def actor(
        self,
        value: Any,
        path: FieldPath,
        *,
        groups: bool,
        adversary_msg: str,
        key: bool = False,
        role: str = "",
    ) -> None:
        if not isinstance(value, str):
            return
        if value in self.actors or (groups and value in GROUPS):
            return
        if value in ADVERSARIES:
            self.add(path, f"'{value}' is an adversary; {adversary_msg}", key=key)
        elif value in GROUPS:
            self.add(
                path,
                f"'{value}' is a group, but {role or 'this'} must be a single actor"
                f"{suggest(value, self.actors, ALIASES)}",
                key=key,
            )
        else:
            what = "actor or group" if groups else "actor"
            pool = self.actors + (self.groups if groups else [])
            self.add(path, f"unknown {what} '{value}'{suggest(value, pool, ALIASES)}", key=key)

    def actors_list(self, values: Any, path: FieldPath, adversary_msg: str) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                self.actor(v, (*path, i), groups=True, adversary_msg=adversary_msg)

    def adversary(self, value: Any, path: FieldPath, *, key: bool = False) -> None:
        if not isinstance(value, str) or value in ADVERSARIES:
            return
        names = ", ".join(ADVERSARIES)
        if value in self.actors or value in GROUPS:
            self.add(path, f"'{value}' is not an adversary; the adversaries are {names}", key=key)
            return
        hint = suggest(value, ADVERSARIES, ALIASES) or f" (the adversaries are {names})"
        self.add(path, f"unknown adversary '{value}'{hint}", key=key)

    def dimension(self, value: Any, path: FieldPath, *, key: bool = False) -> None:
        if self.dims is None or not isinstance(value, str) or value in self.dims:
            return
        hint = suggest(value, self.dims) or listing(self.dims, "this scenario's dimensions")
        self.add(path, f"unknown dimension '{value}'{hint}", key=key)

    def dimension_keys(self, mapping: Any, path: FieldPath) -> None:
        if isinstance(mapping, dict):
            for k in mapping:
                self.dimension(k, (*path, k), key=True)

    def dimension_list(self, values: Any, path: FieldPath) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                self.dimension(v, (*path, i))

    # sections ---------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.calendar()
        params = self.data.get("parameters")
        if isinstance(params, dict):
            self.actors_list(
                params.get("coordination_group"),
                ("parameters", "coordination_group"),
                "the coordination group is made of forum actors",
            )
        actors = self.data.get("actors")
        if isinstance(actors, dict):
            for name, spec in actors.items():
                self.actor(
                    name,
                    ("actors", name),
                    groups=False,
                    adversary_msg="describe its behaviour under adversaries:",
                    key=True,
                    role="each key under actors:",
                )
                if isinstance(spec, dict):
                    for part in ("position", "salience"):
                        self.dimension_keys(spec.get(part), ("actors", name, part))
        adversaries = self.data.get("adversaries")
        if isinstance(adversaries, dict):
            for name in adversaries:
                self.adversary(name, ("adversaries", name), key=True)
        forums = self.data.get("forums")
        if isinstance(forums, dict):
            for name, spec in forums.items():
                self.forum(spec, ("forums", name))
        self.events()
        return self.problems

    def calendar(self) -> None:
        if self.start and self.horizon and self.horizon < self.start:
            self.add(
                ("horizon",),
                f"the horizon {self.horizon} is before the start {self.start}; "
                "the horizon is the last quarter simulated",
            )
            self.horizon = None  # don't also flag every event as out of range

    def forum(self, spec: Any, path: FieldPath, made: Quarter | None = None) -> None:
        """A forum's names and dimensions; ``made``: the quarter an event creates it in."""
        if not isinstance(spec, dict):
            return
        self.meeting_dates(spec.get("calendar"), (*path, "calendar"), made)
        for part in ("members", "partners"):
            self.actors_list(spec.get(part), (*path, part), "adversaries cannot sit in a forum")
        self.actor(
            spec.get("convener"),
            (*path, "convener"),
            groups=False,
            adversary_msg="adversaries cannot convene a forum",
            role="the convener",
        )
        rotation = spec.get("rotation")
        if isinstance(rotation, list):
            for i, name in enumerate(rotation):
                self.actor(
                    name,
                    (*path, "rotation", i),
                    groups=False,
                    adversary_msg="adversaries cannot convene a forum",
                    role="each convener in a rotation",
                )
        self.dimension_list(spec.get("competence"), (*path, "competence"))
        self.dimension_list(spec.get("discusses"), (*path, "discusses"))
        self.remit(spec, path)
        items = spec.get("items")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    self.dimension(item.get("dimension"), (*path, "items", i, "dimension"))

    def meeting_dates(self, calendar: Any, path: FieldPath, made: Quarter | None) -> None:
        """A meeting on a date falls in the run, and not before its forum is created."""
        for k, entry in enumerate(calendar if isinstance(calendar, list) else []):
            when = self.quarter_of(entry.get("date")) if isinstance(entry, dict) else None
            if when is None:
                continue
            if self.start is not None and when < self.start:
                why = f"is before the start {self.start}"
            elif self.horizon is not None and when > self.horizon:
                why = f"is after the horizon {self.horizon}"
            elif made is not None and when < made:
                why = f"is before the forum is created in {made}"
            else:
                continue
            self.add((*path, k, "date"), f"meeting dated {when} {why}")

    def remit(self, spec: dict[str, Any], path: FieldPath) -> None:
        """Rules and naming norms on known dimensions; reserved dimensions kept to their own."""
        competence = spec.get("competence")
        if not isinstance(competence, list):
            competence = []
        decided = {d for d in competence if isinstance(d, str)}
        self.dimension_keys(spec.get("naming"), (*path, "naming"))
        rules = spec.get("rules")
        if isinstance(rules, dict):
            for dim in rules:
                if isinstance(dim, str) and dim not in decided:
                    self.add(
                        (*path, "rules", dim),
                        f"a rule for '{dim}', which the forum does not decide; add it to "
                        "competence or remove the rule",
                        key=True,
                    )
        members = spec.get("members")
        if not isinstance(members, list) or self.start is None:
            return
        names = {n for n in members if isinstance(n, str)}
        seated = set(
            resolve_names([n for n in names if n in self.actors or n in GROUPS], self.start.year)
        )
        for k, dim in enumerate(competence):
            group = reserved_dimensions().get(dim) if isinstance(dim, str) else None
            if group and not may_decide(dim, seated, group_members(group, self.start.year)):
                self.add(
                    (*path, "competence", k),
                    f"'{dim}' is decided only where every {group.upper()} member sits "
                    f"(world/data/remits.csv); move it to discusses",
                )

    def events(self) -> None:
        events = self.data.get("events")
        if not isinstance(events, list):
            return
        forums = self.data.get("forums")
        self.standing = set(forums) if isinstance(forums, dict) else set()
        dated: list[tuple[int, dict[str, Any], Quarter | None]] = []
        for i, ev in enumerate(events):
            if isinstance(ev, dict) and ev.get("type") in EVENT_TYPES:
                dated.append((i, ev, self.quarter_of(ev.get("date"))))
        order = sorted(dated, key=lambda t: (t[2].index if t[2] else -1, t[0]))
        for i, ev, when in order:
            self.forum_changes(i, ev, when)
        self.known = sorted(self.standing | set(self.created))
        for i, ev, when in dated:
            self.event(i, ev, when)

    def forum_changes(self, i: int, ev: dict[str, Any], when: Quarter | None) -> None:
        """Note the forums events create and dissolve, in date order."""
        model = EVENT_MODEL[ev["type"]]
        name = ev.get("name")
        if model is schema.ForumCreated and isinstance(name, str):
            if name in self.standing:
                self.add(
                    ("events", i, "name"),
                    f"forum '{name}' already exists (under forums:); pick another "
                    "name, or change the existing forum there",
                )
            elif name in self.created:
                self.add(
                    ("events", i, "name"),
                    f"forum '{name}' is already created by events[{self.created[name][1]}]",
                )
            elif when is not None:
                self.created[name] = (when, i)
        forum = ev.get("forum")
        if model is schema.ForumDissolved and isinstance(forum, str) and when is not None:
            self.dissolved.setdefault(forum, (when, i))

    def forum_ref(self, value: Any, path: FieldPath, when: Quarter | None) -> None:
        if not isinstance(value, str):
            return
        standing, created, dissolved = self.standing, self.created, self.dissolved
        if value in created and value not in standing:
            made, j = created[value]
            if when is not None and when < made:
                self.add(
                    path,
                    f"forum '{value}' does not exist yet in {when}; events[{j}] creates it "
                    f"in {made}",
                )
                return
            if when == made and path[1] < j:
                # Events of one quarter happen in the order they are listed.
                self.add(
                    path,
                    f"forum '{value}' is created by events[{j}], listed after this event in "
                    f"the same quarter {when}; list the forum_created event first",
                )
                return
        elif value not in standing:
            hint = suggest(value, self.known) or listing(self.known, "forums")
            self.add(path, f"unknown forum '{value}'{hint}")
            return
        if value in dissolved and when is not None:
            gone, j = dissolved[value]
            if gone < when:
                self.add(path, f"forum '{value}' is dissolved in {gone} (events[{j}])")

    def event(self, i: int, ev: dict[str, Any], when: Quarter | None) -> None:
        p: FieldPath = ("events", i)
        if when is not None:
            if self.start is not None and when < self.start:
                self.add((*p, "date"), f"event dated {when} is before the start {self.start}")
            elif self.horizon is not None and when > self.horizon:
                self.add((*p, "date"), f"event dated {when} is after the horizon {self.horizon}")
        EVENT_CHECKS[EVENT_MODEL[ev["type"]]](self, _Event(p, ev, when))

    def event_actor(self, e: _Event) -> None:
        """The single actor an event is about (not an adversary)."""
        self.actor(
            e.ev.get("actor"),
            (*e.path, "actor"),
            groups=False,
            adversary_msg=_NOT_ADVERSARY,
            role=f"the actor of a {e.ev['type']} event",
        )

    def event_actors(self, e: _Event, adversary_msg: str = "") -> None:
        """The actors (or groups) an event is about."""
        path = (*e.path, "actors")
        self.actors_list(e.ev.get("actors"), path, adversary_msg or _NOT_ADVERSARY)

    def event_forum(self, e: _Event) -> None:
        self.forum_ref(e.ev.get("forum"), (*e.path, "forum"), e.when)

    def event_dimension(self, e: _Event) -> None:
        self.dimension(e.ev.get("dimension"), (*e.path, "dimension"))


_NOT_ADVERSARY = "events about adversaries use type: adversary"


class _Event:
    """An event being checked: where it is, what it says, and its quarter if valid."""

    __slots__ = ("ev", "path", "when")

    def __init__(self, path: FieldPath, ev: dict[str, Any], when: Quarter | None) -> None:
        self.path, self.ev, self.when = path, ev, when


def _attention_shift(c: _Checker, e: _Event) -> None:
    c.event_actor(e)
    src, dst = e.ev.get("from"), e.ev.get("to")
    if isinstance(src, str) and src == dst:
        c.add((*e.path, "to"), f"moves attention from {src} to itself; 'to' must differ")


def _commitment(c: _Checker, e: _Event) -> None:
    c.event_actor(e)


def _preoccupation(c: _Checker, e: _Event) -> None:
    c.event_actors(e)
    if e.ev.get("forum") is not None:
        c.event_forum(e)


def _threat_shock(c: _Checker, e: _Event) -> None:
    c.event_actors(e)
    c.adversary(e.ev.get("source"), (*e.path, "source"))


def _shock_on_dimensions(c: _Checker, e: _Event) -> None:
    c.event_actors(e)
    c.event_dimension(e)
    c.dimension_keys(e.ev.get("amounts"), (*e.path, "amounts"))
    if e.ev.get("forum") is not None:
        c.event_forum(e)


def _crisis(c: _Checker, e: _Event) -> None:
    """A crisis names only a flashpoint and numbers, all checked by the schema."""


def _adversary(c: _Checker, e: _Event) -> None:
    c.adversary(e.ev.get("actor"), (*e.path, "actor"))


def _join(c: _Checker, e: _Event) -> None:
    c.event_actors(e, "adversaries cannot sit in a forum")
    c.event_forum(e)


def _leave(c: _Checker, e: _Event) -> None:
    c.event_actors(e)
    c.event_forum(e)


def _forum_created(c: _Checker, e: _Event) -> None:
    c.forum(e.ev.get("forum"), (*e.path, "forum"), e.when)


def _forum_dissolved(c: _Checker, e: _Event) -> None:
    c.event_forum(e)


def _veto(c: _Checker, e: _Event) -> None:
    c.event_actor(e)
    c.event_dimension(e)
    if e.ev.get("forum") is not None:
        c.event_forum(e)
    if e.when is None:
        return
    until = c.quarter_of(e.ev.get("until"))
    if until is not None and until < e.when:
        c.add((*e.path, "until"), f"the veto is lifted in {until}, before it starts in {e.when}")
    elif until is not None and until == e.when:
        c.add(
            (*e.path, "until"),
            f"the veto is lifted in {until}, the quarter it starts, so it never applies",
        )


def _government_change(c: _Checker, e: _Event) -> None:
    c.event_actor(e)
    c.dimension_keys(e.ev.get("position"), (*e.path, "position"))
    c.dimension_keys(e.ev.get("salience"), (*e.path, "salience"))


def _agenda_item(c: _Checker, e: _Event) -> None:
    c.event_dimension(e)
    c.event_forum(e)


def _forum_remit(c: _Checker, e: _Event) -> None:
    c.event_forum(e)
    for key in ("competence", "discusses", "drop", "only"):
        c.dimension_list(e.ev.get(key), (*e.path, key))


def _side_meeting(c: _Checker, e: _Event) -> None:
    c.event_actors(e, "adversaries do not sit in forums")
    c.event_forum(e)


EVENT_CHECKS: dict[type[BaseModel], Callable[[_Checker, _Event], None]] = {
    schema.AttentionShift: _attention_shift,
    schema.Commitment: _commitment,
    schema.Preoccupation: _preoccupation,
    schema.ThreatShock: _threat_shock,
    schema.SalienceShock: _shock_on_dimensions,
    schema.PositionShock: _shock_on_dimensions,
    schema.Crisis: _crisis,
    schema.AdversaryChange: _adversary,
    schema.Join: _join,
    schema.Leave: _leave,
    schema.ForumCreated: _forum_created,
    schema.ForumDissolved: _forum_dissolved,
    schema.Veto: _veto,
    schema.GovernmentChange: _government_change,
    schema.AgendaItem: _agenda_item,
    schema.ForumRemit: _forum_remit,
    schema.SideMeeting: _side_meeting,
}
"""The cross-reference check of each event class (after the date checks every event gets)."""


def check_references(tree: Tree) -> list[Problem]:
    """Every cross-reference problem of a merged scenario tree (valid or not)."""
    return _Checker(tree).run()
