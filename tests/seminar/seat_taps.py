"""The seminar tests' helper: a tap on a seat's card, as the browser sends it."""

import ipyvuetify as v


def tap(rc, css_class: str) -> None:
    """Tap the button carrying ``css_class`` on the seat's cards (or Send all).

    The cards are one template widget: a tap reaches Python as the template's event,
    with the same data the browser sends.
    """
    (cards,) = _cards(rc)
    if css_class == "send-all":
        cards.vue_send_all({})
        return
    for card in cards.cards:
        for b in card["levels"]:
            if b["cls"] == css_class:
                cards.vue_level({"forum": card["forum"], "level": b["value"]})
                return
        for row in card["rows"]:
            for b in row["buttons"]:
                if b["cls"] == css_class:
                    cards.vue_vote({"forum": card["forum"], "dim": row["dim"], "vote": b["value"]})
                    return
    raise AssertionError(f"no button {css_class} on the seat's cards")


def _cards(rc) -> list:
    return [w.widget for w in rc.find(v.VuetifyTemplate) if hasattr(w.widget, "cards")]


def shown_buttons(rc) -> set[str]:
    """The CSS classes of every button on the seat's cards shown."""
    out = set()
    for cards in _cards(rc):
        for card in cards.cards:
            out |= {b["cls"] for b in card["levels"]}
            out |= {b["cls"] for row in card["rows"] for b in row["buttons"]}
    return out
