"""What a player's card says about a meeting: its decision rule and what a vote does there.

A student holding a phone has only the card to go by: "block" means something else at a
consensus summit (the text fails) than in a weighted-majority council (one vote against,
weighed by capability), and a partner has no vote at all. These sentences are built from
the model's own forum (its rule per dimension, its threshold, the members' capability),
so a card never promises what the meeting will not do.
"""

from __future__ import annotations

from latticesim.mechanisms.rules import DecisionRule
from latticesim.model.delegations import MeetingPreview
from latticesim.model.interface import PlayedModel
from latticesim.world.names import dimension_words

NUMBERS = (
    "Numbers run from 0 to 1 on each question: your position is where your actor stands "
    "today, the last text where the forum's last text stood; higher goes further."
)
"""What the numbers on a card mean, said once on a player's page."""

PARTNER = (
    "You are a partner here, without a vote: the members decide the texts. Coming (and "
    "at what level) still counts: it builds ties and the forum's standing with you."
)
CHAIR = "The chair speaks for the meeting: nobody votes. You choose only who comes."
MODEL_DECIDES = "Left on \u201cmodel decides\u201d, the model chooses as it would for any actor."


def rule_sentence(rule: DecisionRule, threshold: float, share: float) -> str:
    """What ``rule`` means for a member's vote (``share``: its capability among members)."""
    if rule.name == "consensus":
        return (
            "Consensus: any member can block. Block: the text fails (unless you stay "
            "away). Weaker: the draft moves toward your position and you then accept it. "
            "Accept: you accept whatever text is put."
        )
    if rule.name == "weighted_majority":
        return (
            f"Weighted majority: a text passes when members holding {threshold:.0%} of the "
            f"capability present accept it; you hold {share:.0%} of the members'. Accept "
            "votes for; block and weaker vote against."
        )
    return CHAIR


def meeting_note(model: PlayedModel, meeting: MeetingPreview, actor: str) -> str:
    """The card's note: who decides, how, and what each vote does.

    A forum that decides some dimensions by another rule (the EU: trade by qualified
    majority) gets a sentence per rule, naming its dimensions.
    """
    if meeting.role == "partner":
        return PARTNER
    decided = [dim for dim, decides, _last, _ok in meeting.items if decides]
    forum = model.forums.get(meeting.forum)
    if not decided or forum is None:
        return CHAIR
    capability = model.state.capability
    members = list(forum.members)
    total = float(capability[members].sum())
    share = float(capability[model.actor_index[actor]]) / total if total > 0 else 0.0
    by_rule: dict[str, list[str]] = {}
    rules: dict[str, DecisionRule] = {}
    for dim in decided:
        rule = forum.rule_for(model.dimension_index[dim])
        by_rule.setdefault(rule.name, []).append(dim)
        rules[rule.name] = rule
    if len(by_rule) == 1:
        (name,) = by_rule
        return f"{rule_sentence(rules[name], forum.threshold, share)} {MODEL_DECIDES}"
    parts = [
        f"On {', '.join(dimension_words(d) for d in dims)}: "
        f"{rule_sentence(rules[name], forum.threshold, share)}"
        for name, dims in by_rule.items()
    ]
    return " ".join([*parts, MODEL_DECIDES])
