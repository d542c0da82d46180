"""Initialisation (ODD section 5): the actors, the model's arrays, each forum's inputs.

The actors and their numbers come from the package's data (``world/data``) with the
scenario's overrides; adversaries' behaviour from the scenario's ``adversaries:`` block
over the defaults here. A forum's meeting inputs (:class:`~latticesim.model.state.ForumInputs`)
are built here too, when a meeting first needs them after a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from latticesim.mechanisms.attendance import level_costs, preoccupied, value_base
from latticesim.mechanisms.socialisation import pair_index
from latticesim.mechanisms.threats import (
    DIMENSION_THEATRE,
    response_matrix,
    salience_weights,
    threat_targets,
)
from latticesim.model.agents import Actor, Adversary
from latticesim.model.radii import Radii, Vetoes
from latticesim.model.state import ForumInputs, Preoccupations, State, agenda_of, cells
from latticesim.scenario.schema import ADVERSARIES, THEATRES
from latticesim.world.actors import (
    DEFAULT_POSITION,
    DEFAULT_SALIENCE,
    actor_table,
    capability,
    packaged_positions,
)

if TYPE_CHECKING:
    from latticesim.model.forums import Forum
    from latticesim.model.model import LatticeModel

THEATRE_INDEX = {t: k for k, t in enumerate(THEATRES)}  # euro_atlantic 0, indo_pacific 1
ADVERSARY_HOME = {"China": 1, "Russia": 0, "North Korea": 1}
DEFAULT_BEHAVIOUR = {  # aggression, support, coercion, reaction
    "China": (0.4, 0.5, 0.4, 0.3),
    "Russia": (0.8, 0.3, 0.3, 0.3),
    "North Korea": (0.5, 0.5, 0.0, 0.2),
}
BEHAVIOURS = ("aggression", "support", "coercion", "reaction")
DEFAULT_DEPENDENCE = {"euro_atlantic": 0.05, "indo_pacific": 0.2, "adversary": 0.0}
NEVER = -(10**6)  # the step two actors last sat together, before they ever have
QUORUM = 0.5  # share of members present for a meeting to meet


def build_actors(model: LatticeModel) -> None:
    """The actors as Mesa agents, and the facts about them the model reads by row."""
    table = actor_table()
    model.actor_names = [r.name for r in table]
    model.actor_index = {n: k for k, n in enumerate(model.actor_names)}
    model.records = table
    model.region = np.array([THEATRE_INDEX.get(r.region, 2) for r in table])
    model.actors_by_name = {}
    for k, r in enumerate(table):
        if r.region == "adversary":
            agent: Actor | Adversary = Adversary(model, k, r, ADVERSARIES.index(r.name))
        else:
            agent = Actor(model, k, r)
        model.actors_by_name[r.name] = agent
    model.adversary_rows = np.array([model.actor_index[a] for a in ADVERSARIES])
    model.players = np.flatnonzero(model.region < 2)


def _traits(model: LatticeModel) -> tuple[np.ndarray, ...]:
    """Positions, saliences, stubbornness, tolerance, attention and commitment per actor.

    The packaged values (``DEFAULT_POSITION`` and ``DEFAULT_SALIENCE`` where the data have
    no position on a dimension; loading warns of it), with the scenario's ``actors:``
    overrides.
    """
    spec, table = model.spec, model.records
    n, d = len(table), len(model.dimensions)
    packaged = packaged_positions()
    default = (DEFAULT_POSITION, DEFAULT_SALIENCE)
    cell = [[packaged.get((r.name, dim), default) for dim in model.dimensions] for r in table]
    pos = np.array([[c[0] for c in row] for row in cell], dtype=float).reshape(n, d)
    sal = np.array([[c[1] for c in row] for row in cell], dtype=float).reshape(n, d)
    stub = np.array([r.stubbornness for r in table])
    tol = np.array([r.tolerance for r in table])
    att = np.array([r.attention for r in table])
    com = np.array([r.commitment for r in table])
    for name, o in spec.actors.items():
        i = model.actor_index[name]
        for dim, v in o.position.items():
            pos[i, model.dimension_index[dim]] = v
        for dim, v in o.salience.items():
            sal[i, model.dimension_index[dim]] = v
        if o.stubbornness is not None:
            stub[i] = o.stubbornness
        if o.tolerance is not None:
            tol[i] = o.tolerance
        if o.attention is not None:
            att[i] = _attention(o.attention, att[i])
        if o.commitment is not None:
            com[i] = o.commitment
    return pos, sal, stub, tol, att, com


def _attention(values: dict[str, float], current: np.ndarray) -> np.ndarray:
    out = current.copy()
    for key, v in values.items():
        out[THEATRE_INDEX[key]] = v
    total = out.sum()
    return out / total if total > 0 else np.array([0.5, 0.5])


def _behaviour(model: LatticeModel) -> np.ndarray:
    """Adversaries x (aggression, support, coercion, reaction): the defaults, overridden."""
    behaviour = np.array([DEFAULT_BEHAVIOUR[x] for x in ADVERSARIES], dtype=float)
    for name, b in model.spec.adversaries.items():
        row = behaviour[ADVERSARIES.index(name)]
        for k, key in enumerate(BEHAVIOURS):
            value = getattr(b, key)
            if value is not None:
                row[k] = value
    return behaviour


def _dependence(model: LatticeModel, adversary: np.ndarray) -> np.ndarray:
    """Actors x adversaries: dependence on China's market (exports to China / 100)."""
    dep = np.zeros((len(model.records), len(ADVERSARIES)))
    for i, r in enumerate(model.records):
        share = r.exports_to_china_pct
        dep[i, 0] = share / 100.0 if share is not None else DEFAULT_DEPENDENCE[r.region]
    dep[adversary] = 0.0
    return dep


def build_state(model: LatticeModel) -> None:
    """The model's arrays (``model.state``), its vetoes and radii, and the starting facts.

    The starting facts are those later quarters are measured from: attention and
    commitment at the start (salience and tolerance scale from them), each adversary's
    home theatre, the response of each dimension to each adversary, the capability
    present in each theatre and the threat of the start date.
    """
    table = model.records
    n, d, a = len(table), len(model.dimensions), len(ADVERSARIES)
    pos, sal, stub, tol, att, com = _traits(model)
    gdp = np.array([r.gdp_usd_bn for r in table])
    defence = np.array([r.defence_usd_bn for r in table])
    dpct = np.array([r.defence_pct_gdp for r in table])
    adversary = model.region == 2
    exposure = np.where(adversary[:, None], 0.0, 0.3 + 0.7 * att)
    dep = _dependence(model, adversary)
    behaviour = _behaviour(model)
    model.home = np.array([ADVERSARY_HOME[x] for x in ADVERSARIES])
    model.response = response_matrix(model.dimensions, list(ADVERSARIES))
    model.salience_weights = salience_weights(model.response)
    gap = np.zeros((n, 2))
    players = ~adversary
    model.presence = (capability(gdp, defence)[players, None] * att[players]).sum(axis=0)
    model.attention0 = att.copy()
    model.theatre_of = np.array(
        [
            -1 if DIMENSION_THEATRE.get(dim) is None else DIMENSION_THEATRE[dim]
            for dim in model.dimensions
        ]
    )
    threat0 = threat_targets(exposure, dep, behaviour, model.home, gap, 0.0)
    model.state = State(
        position=pos.copy(),
        anchor=pos.copy(),
        base_anchor=pos.copy(),
        salience=sal.copy(),
        base_salience=sal,
        capability=capability(gdp, defence),
        gdp=gdp,
        defence_pct=dpct.copy(),
        defence_pct0=dpct,
        pledge=np.zeros(n),
        stubbornness=stub,
        tolerance=tol,
        attention=att,
        commitment=np.where(adversary, 0.0, com),
        exposure=exposure,
        dependence=dep,
        threat=threat0.copy(),
        threat0=threat0,
        resources=np.ones((n, 2)),
        behaviour=behaviour.copy(),
        base_behaviour=behaviour,
        pressure=np.zeros(a),
        standing=np.zeros((n, 0)),
        frustration=np.zeros((n, 0)),
        ties=np.zeros((n, n)),
        last_together=np.full((n, n), NEVER, dtype=np.int64),
        drift=np.zeros((n, d)),
    )
    model.vetoes = Vetoes(n, d)
    model.preoccupations = Preoccupations(n)
    # The commitment the traits were recorded at: tolerance is scaled from it.
    model.radii = Radii(model.vetoes, np.array([r.commitment for r in table]))


def forum_inputs(model: LatticeModel, forum: Forum) -> ForumInputs:
    """A forum's :class:`~latticesim.model.state.ForumInputs`, from today's numbers."""
    s, p = model.state, model.params
    inv = forum.invitees
    exposure = s.exposure[inv]
    th = THEATRE_INDEX.get(forum.theatre)
    if th is None:
        attention = np.full(len(inv), 0.75)
        distance = 1.0 + 0.6 * (1.0 - exposure.max(axis=1))
    else:
        attention = s.attention[inv, th]
        distance = 1.0 + 0.6 * (1.0 - exposure[:, th])
    extra = model.preoccupations.extra(forum.index, inv)
    if extra is not None:
        distance = preoccupied(distance, extra)
    members = forum.members
    cap_m = s.capability[members]
    agenda = agenda_of(forum, forum.items, p.chair_weight)
    width = len(model.dimensions)
    return ForumInputs(
        quorum=max(2, int(np.ceil(QUORUM * len(members)))),
        member_at={int(a): k for k, a in enumerate(members)},
        value_base=value_base(s.commitment[inv], attention),
        cost=level_costs(distance, p.attendance_cost),
        member_capability=cap_m,
        member_capability_sum=float(cap_m.sum()),
        agenda=agenda,
        invitee_discussed=cells(inv, forum.discusses, width),
        invitee_items=cells(inv, agenda.dims, width),
        member_items=cells(members, agenda.dims, width),
        member_decided=cells(members, agenda.decided_dims, width),
        pairs=pair_index(inv, len(model.actor_names)),
        east=model.region[inv] == 0,
        west=model.region[inv] == 1,
    )
