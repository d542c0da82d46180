"""Records: what a run remembers, quarter by quarter, and its tables.

The model hands each quarter's numbers and each meeting's outcome to a ``Recorder``,
which keeps them as compact arrays and tuples (cheap inside the loop) and turns them
into pandas DataFrames once, at the end. The tables' columns are documented in
``docs/outputs.md``; the chronicle and the figures read only these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.mechanisms.metrics import leading_forum
from latticesim.model.joint import JointTexts

if TYPE_CHECKING:
    from latticesim.mechanisms.rules import DecisionRule, ItemOutcome
    from latticesim.model.forums import Forum, Item
    from latticesim.model.interface import RecordedModel

TABLES = ("model", "actors", "meetings", "items", "attendance", "log")


class MeetingRecord(NamedTuple):
    """One meeting as the run keeps it, raw: the tables are built from these once, at the end.

    A named tuple: the loop builds one per meeting for little more than a plain tuple
    costs, and its readers (the tables, the dashboard's panels) name the fields they read.

    Attributes:
        date, step: the quarter, as text and as the model's step.
        forum, rule, competence: the forum's name, its decision rule and the dimensions
            it decides (at the meeting).
        level: the meeting's level (``summit``, ``ministerial``...).
        invitees: actor rows, members first, then partners; ``n_members`` of them members.
        levels: each invitee's level code (0 absent ... 3 head).
        met: whether it met (a quorum of members came).
        chair: the actor row of who chaired it.
        items, outcomes: its agenda and what became of each item.
        voters: the actor rows of the members who came (outcomes index into them).
        decided: for each item, whether the members voted on it (else the chair spoke).
    """

    date: str
    step: int
    forum: str
    rule: DecisionRule
    competence: frozenset[int]
    level: str
    invitees: np.ndarray
    n_members: int
    levels: np.ndarray
    met: bool
    chair: int
    items: list[Item]
    outcomes: list[ItemOutcome]
    voters: np.ndarray
    decided: tuple[bool, ...] = ()


class Recorder:
    """Collects a run's outcomes; ``frames()`` turns them into tables."""

    def __init__(self, model: RecordedModel, record_actors: bool = True) -> None:
        self.model = model
        self.record_actors = record_actors
        self.model_rows: list[dict] = []
        self.actor_steps: list[tuple] = []
        self.raw_meetings: list[MeetingRecord] = []
        self.entries: list[tuple] = []
        self.held_this_step = 0
        self._adversary_keys = [a.lower().replace(" ", "_") for a in model.adversary_names]
        self.leader: str | None = None
        """The leading platform so far: it keeps the lead until passed by a margin."""
        self.joint = JointTexts(model)

    def log(self, quarter: Quarter, kind: str, subject: str, text: str) -> None:
        """A dated line for the chronicle (events applied, forums founded or lapsed)."""
        self.entries.append((str(quarter), self.model.quarters_run, kind, subject, text))

    def record_meeting(
        self,
        quarter: Quarter,
        step: int,
        forum: Forum,
        level: str,
        invitees: np.ndarray,
        levels: np.ndarray,
        met: bool,
        chair: int,
        items: list[Item],
        outcomes: list[ItemOutcome],
        voters: np.ndarray,
        decided: tuple[bool, ...] = (),
    ) -> None:
        """One meeting, kept raw: tables are built from it once, after the run."""
        self.joint.note(step, forum, invitees, levels, met, items, outcomes, decided)
        self.raw_meetings.append(
            MeetingRecord(
                str(quarter),
                step,
                forum.name,
                forum.rule,
                forum.competence_set,
                level,
                invitees,
                len(forum.members),
                levels,
                met,
                chair,
                items,
                outcomes,
                voters,
                decided,
            )
        )
        self.held_this_step += met

    def note_texts(
        self,
        quarter: Quarter,
        step: int,
        forum: Forum,
        level: str,
        invitees: np.ndarray,
        levels: np.ndarray,
        met: bool,
        chair: int,
        items: list[Item],
        outcomes: list[ItemOutcome],
        voters: np.ndarray | None = None,
        decided: tuple[bool, ...] = (),
    ) -> None:
        """Hand a meeting's texts to joint coordination (ODD 7.10).

        Takes :meth:`record_meeting`'s arguments, so that a recorder that keeps no
        meetings can still hand them on.
        """
        self.joint.note(step, forum, invitees, levels, met, items, outcomes, decided)

    def record_step(self, quarter: Quarter, step: int) -> None:
        """End-of-quarter figures for the model table (and a snapshot for the actor table)."""
        m = self.model
        s = m.state
        row = {"date": str(quarter), "step": step, "year": quarter.year, "quarter": quarter.quarter}
        self._add_coordination(row)
        shares = self._add_leader(row)
        self._add_linkage(row)
        row["n_forums"] = len(m.active_forums)
        row["meetings_held"] = self.held_this_step
        self._add_burden(row)
        self._add_blocs(row)
        self._add_adversaries(row)
        self._add_shares(row, shares)
        self._add_ip4(row)
        self.model_rows.append(row)
        self.held_this_step = 0
        if self.record_actors:
            self.actor_steps.append(
                (
                    str(quarter),
                    step,
                    s.position.copy(),
                    s.salience.copy(),
                    s.threat.copy(),
                    s.defence_pct.copy(),
                    s.standing.copy(),
                    m.invited,
                    s.bloc.copy(),
                )
            )

    def record_columns(self, quarter: Quarter, step: int, groups: Iterable[str]) -> None:
        """A model-table row with only the column groups named (see :meth:`row_groups`).

        Its numbers are those of :meth:`record_step`'s row: the groups read the model and
        change nothing in it.
        """
        row = {
            "date": str(quarter),
            "step": step,
            "year": quarter.year,
            "quarter": quarter.quarter,
            "n_forums": len(self.model.active_forums),
            "meetings_held": self.held_this_step,
        }
        for group in groups:
            if group == "platform":
                self._add_shares(row, self._add_leader(row))
            else:
                _ROW_GROUPS[group](self, row)
        self.model_rows.append(row)
        self.held_this_step = 0

    def _add_coordination(self, row: dict) -> None:
        row["coordination_index"] = self.model.coordination()
        row["joint_coordination"] = self.joint.value(row["step"], row["year"])

    def _add_leader(self, row: dict) -> np.ndarray:
        """The leading platform and its share; returns every forum's share."""
        leader, share, shares = self._follow_leader()
        row["leading_platform"] = leader
        row["leading_platform_share"] = share
        return shares

    def _follow_leader(self) -> tuple[str, float, np.ndarray]:
        """This quarter's leading platform: last quarter's, unless passed by the margin."""
        _, _, shares = self.model.leading_platform()
        names = [f.name for f in self.model.active_forums]
        if not names:
            self.leader = None
            return "", float("nan"), shares
        incumbent = names.index(self.leader) if self.leader in names else None
        k = leading_forum(shares, incumbent)
        self.leader = names[k]
        return self.leader, float(shares[k]), shares

    def keep_up(self, groups: Iterable[str] | None) -> None:
        """Follow the leading platform in a quarter whose row is not built.

        The lead is kept until passed, so it depends on every quarter before: a recorder
        that builds only some rows (a sweep's) calls this for the others when its rows
        have the leading platform (``groups`` None: every column group).
        """
        if groups is None or "platform" in groups:
            self._follow_leader()

    def _add_shares(self, row: dict, shares: np.ndarray) -> None:
        for f, x in zip(self.model.active_forums, shares.tolist(), strict=True):
            row[f"share_{f.name}"] = x

    def _add_linkage(self, row: dict) -> None:
        row["linkage"], row["linkage_pairs"] = self.model.linkage()

    def _add_burden(self, row: dict) -> None:
        row.update(self.model.burden())

    def _add_blocs(self, row: dict) -> None:
        m = self.model
        s = m.state
        side_b = s.bloc == 1
        row["bloc_energy"] = m.bloc_energy
        row["bloc_switches"] = m.bloc_switches
        row["bloc_b_capability"] = float(s.capability[side_b].sum())
        row["bloc_b"] = "; ".join(m.actor_names[i] for i in np.flatnonzero(side_b))

    def _add_adversaries(self, row: dict) -> None:
        b = self.model.state.behaviour
        for k, key in enumerate(self._adversary_keys):
            row[f"{key}_aggression"] = float(b[k, 0])
            row[f"{key}_support"] = float(b[k, 1])
            row[f"{key}_coercion"] = float(b[k, 2])

    def _add_ip4(self, row: dict) -> None:
        m = self.model
        standing = m.state.standing
        total, count = 0.0, 0
        for f, rows in m.ip4_forums:
            value = float(standing[:, f.index][rows].sum())
            row["ip4_standing_" + f.name] = value / len(rows)
            total += value
            count += len(rows)
        row["ip4_standing"] = total / count if count else float("nan")

    def row_groups(self, columns: Iterable[str]) -> list[str] | None:
        """The column groups that fill ``columns`` (None: a column is not known here).

        A sweep keeps a few columns; building only their groups spares it the others'
        metrics (burden sharing, the adversaries' behaviour...), which feed nothing.
        """
        adversary = tuple(
            f"{key}_{what}"
            for key in self._adversary_keys
            for what in ("aggression", "support", "coercion")
        )
        groups: set[str] = set()
        for c in columns:
            if c in _ROW_START:
                continue
            if c in ("coordination_index", "joint_coordination"):
                groups.add("coordination")
            elif c in ("leading_platform", "leading_platform_share") or c.startswith("share_"):
                groups.add("platform")
            elif c in ("linkage", "linkage_pairs"):
                groups.add("linkage")
            elif c in BURDEN_COLUMNS:
                groups.add("burden")
            elif c.startswith("bloc_"):
                groups.add("blocs")
            elif c in adversary:
                groups.add("adversaries")
            elif c.startswith("ip4_standing"):
                groups.add("ip4")
            else:
                return None
        return sorted(groups)

    # -------------------------------------------------------------- tables
    def frames(self) -> dict[str, pd.DataFrame]:
        """The run's tables as DataFrames, keyed by name (see ``TABLES``)."""
        m = self.model
        model_df = pd.DataFrame(self.model_rows)
        meeting_rows, item_rows = self._meeting_rows()
        meetings = pd.DataFrame(meeting_rows, columns=_meeting_columns(m.dimensions))
        items = pd.DataFrame(item_rows, columns=ITEM_COLUMNS)
        return {
            "model": model_df,
            "actors": self._actors_frame(),
            "meetings": meetings,
            "items": items,
            "attendance": self._attendance_frame(),
            "log": pd.DataFrame(self.entries, columns=["date", "step", "kind", "subject", "text"]),
        }

    def _meeting_rows(self) -> tuple[list[dict], list[dict]]:
        m = self.model
        names = m.actor_names
        meetings, items_out = [], []
        for mid, raw in enumerate(self.raw_meetings):
            date, step, forum, met, voters = raw.date, raw.step, raw.forum, raw.met, raw.voters
            items, outcomes = raw.items, raw.outcomes
            counts = np.bincount(raw.levels, minlength=4)
            votes = raw.rule.votes
            row = {
                "meeting_id": mid,
                "date": date,
                "step": step,
                "forum": forum,
                "level": raw.level,
                "rule": raw.rule.name,
                "session_of": m.forums[forum].session_of,
                "met": met,
                "chair": names[raw.chair] if met else None,
                "n_items": len(items),
                "n_adopted": sum(o.adopted for o in outcomes),
                "adopted": any(o.adopted for o in outcomes),
                "blockers": sorted(
                    {names[voters[b]] for o in outcomes if not o.adopted for b in o.blockers}
                ),
                "watered_by": sorted({names[voters[b]] for o in outcomes for b in o.watered_by}),
                "n_invitees": len(raw.levels),
                "n_head": int(counts[3]),
                "n_minister": int(counts[2]),
                "n_official": int(counts[1]),
                "n_absent": int(counts[0]),
            }
            for d in m.dimensions:
                row[f"strength_{d}"] = np.nan
            decided = raw.decided or tuple(
                item.dimension in raw.competence and votes for item in items
            )
            for item, o, voted in zip(items, outcomes, decided, strict=True):
                dim = m.dimensions[item.dimension]
                if o.adopted:
                    row[f"strength_{dim}"] = o.strength
                who = [names[voters[b]] for b in o.blockers]
                items_out.append(
                    {
                        "meeting_id": mid,
                        "date": date,
                        "step": step,
                        "forum": forum,
                        "item": item.name,
                        "named": item.named,
                        "dimension": dim,
                        "decided": voted,
                        "proposal": o.proposal,
                        "final": o.final,
                        "strength": o.strength,
                        "adopted": o.adopted,
                        "rounds": o.rounds,
                        "blockers": [] if o.adopted else who,
                        "outvoted": who if o.adopted else [],
                        "watered_by": [names[voters[b]] for b in o.watered_by],
                    }
                )
            meetings.append(row)
        return meetings, items_out

    def _actors_frame(self) -> pd.DataFrame:
        """One row per actor and quarter, built column by column over all quarters.

        The snapshots are stacked into one (quarter, actor, ...) block per quantity and
        each column is a slice of it: one DataFrame instead of one per quarter joined at
        the end, which cost more than the rest of the tables together.
        """
        m = self.model
        if not self.actor_steps:
            return pd.DataFrame(columns=["date", "step", "actor"])
        n = len(m.actor_names)
        quarters = len(self.actor_steps)
        forum_names = list(m.forums)
        dates, steps, pos, sal, threat, dpct, standing, invited, bloc = zip(
            *self.actor_steps, strict=True
        )
        pos, sal, threat = np.concatenate(pos), np.concatenate(sal), np.concatenate(threat)
        # forums founded during the run add columns: earlier quarters have none for them
        seated = np.full((quarters * n, len(forum_names)), np.nan)
        for q, (held, seats) in enumerate(zip(standing, invited, strict=True)):
            width = held.shape[1]
            seated[q * n : (q + 1) * n, :width] = np.where(seats, held, np.nan)
        cols = {
            "date": np.repeat(np.array(dates, dtype=object), n),
            "step": np.repeat(np.array(steps, dtype=np.int64), n),
            "actor": np.tile(np.array(m.actor_names, dtype=object), quarters),
            "region": np.tile(np.array([r.region for r in m.records], dtype=object), quarters),
        }
        for k, d in enumerate(m.dimensions):
            cols[f"pos_{d}"] = pos[:, k]
        for k, d in enumerate(m.dimensions):
            cols[f"sal_{d}"] = sal[:, k]
        for k, a in enumerate(m.adversary_names):
            cols[f"threat_{a.lower().replace(' ', '_')}"] = threat[:, k]
        cols["defence_pct_gdp"] = np.concatenate(dpct)
        cols["capability"] = np.tile(m.state.capability, quarters)
        cols["bloc"] = np.concatenate(bloc)
        for k, f in enumerate(forum_names):
            cols[f"standing_{f}"] = seated[:, k]
        return pd.DataFrame(cols)

    def _attendance_frame(self) -> pd.DataFrame:
        """One row per invitee per meeting, each column joined from all meetings at once."""
        names = np.array(self.model.actor_names, dtype=object)
        columns = ["meeting_id", "date", "step", "forum", "actor", "role", "level"]
        if not self.raw_meetings:
            df = pd.DataFrame({c: [] for c in columns})
        else:
            raws = self.raw_meetings
            invitees = [raw.invitees for raw in raws]
            members = [raw.n_members for raw in raws]
            sizes = np.array([len(inv) for inv in invitees])
            # an invitee's place in its meeting's list: members come first, then partners
            place = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            df = pd.DataFrame(
                {
                    "meeting_id": np.repeat(np.arange(len(sizes), dtype=np.int64), sizes),
                    "date": np.repeat(np.array([r.date for r in raws], dtype=object), sizes),
                    "step": np.repeat(np.array([r.step for r in raws], dtype=np.int64), sizes),
                    "forum": np.repeat(np.array([r.forum for r in raws], dtype=object), sizes),
                    "actor": names[np.concatenate(invitees)],
                    "role": np.where(place < np.repeat(members, sizes), "member", "partner"),
                    "level": np.asarray(LEVEL_NAMES, dtype=object)[
                        np.concatenate([r.levels for r in raws])
                    ],
                }
            )
        df["level"] = pd.Categorical(df["level"], categories=list(LEVEL_NAMES), ordered=True)
        return df


_ROW_GROUPS: dict[str, Callable[[Recorder, dict], None]] = {
    "coordination": Recorder._add_coordination,
    "linkage": Recorder._add_linkage,
    "burden": Recorder._add_burden,
    "blocs": Recorder._add_blocs,
    "adversaries": Recorder._add_adversaries,
    "ip4": Recorder._add_ip4,
}
"""The model-table columns each group fills (``platform``, the leader and the shares, apart)."""

_ROW_START = frozenset(("date", "step", "year", "quarter", "n_forums", "meetings_held"))
BURDEN_COLUMNS = frozenset(
    (
        "defence_pct_gdp_mean",
        "defence_total_usd_bn",
        "largest_member_spending_share",
        "largest_member_burden_ratio",
        "size_effort_correlation",
    )
)

ITEM_COLUMNS = [
    "meeting_id",
    "date",
    "step",
    "forum",
    "item",
    "named",
    "dimension",
    "decided",
    "proposal",
    "final",
    "strength",
    "adopted",
    "rounds",
    "blockers",
    "outvoted",
    "watered_by",
]


def _meeting_columns(dimensions: list[str]) -> list[str]:
    return [
        "meeting_id",
        "date",
        "step",
        "forum",
        "level",
        "rule",
        "session_of",
        "met",
        "chair",
        "n_items",
        "n_adopted",
        "adopted",
        "blockers",
        "watered_by",
        "n_invitees",
        "n_head",
        "n_minister",
        "n_official",
        "n_absent",
    ] + [f"strength_{d}" for d in dimensions]
