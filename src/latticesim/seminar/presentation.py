"""The room on the projector: the join address, its QR code, the code, who has answered.

The facilitator opens it from the room panel (``?host=TOKEN&view=present``) on the
screen the class sees. Students scan the QR code or type the address, which carries the
room's code (``?room=CODE``), so they only give a name and pick an actor. The seat list
shows who has answered for the coming quarter, without their answers.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import segno
import solara
import solara.lab

from latticesim.seminar.rooms import Room, show_code
from latticesim.seminar.seats import use_room_version


def page_origin() -> str:
    """The address the browser reached the server at ("" outside a server).

    The websocket's ``Origin`` header says it as the browser sees it (behind a proxy
    too), so the join address works from the students' devices, unlike the address the
    server listens on (often 127.0.0.1 or 0.0.0.0).
    """
    headers = solara.lab.headers.value or {}
    origin = (headers.get("origin") or [""])[0]
    if origin:
        return origin.rstrip("/")
    host = (headers.get("host") or [""])[0]
    return f"http://{host}" if host else ""


def room_address(room: Room, path: str = "/", **query: str) -> str:
    """A full address on this server for the room: players' (``room=``) or facilitator's."""
    return f"{page_origin()}{path or '/'}?{urlencode(query or {'room': room.code})}"


def qr_svg(address: str, scale: int = 8) -> str:
    """The address as a QR code, an inline SVG (segno: no image files, no network)."""
    return segno.make(address, error="m").svg_inline(scale=scale, border=2)


def answered_rows(room: Room) -> str:
    """The seats as table rows: actor, player, and whether they have answered."""
    rows = []
    for p, due, done in room.status():
        if due == 0:
            state, css = "no meeting", "none"
        elif done >= due:
            state, css = "answered", "done"
        else:
            state, css = f"{done} of {due} answered", "waiting"
        rows.append(
            f"<tr class='present-seat {css}'><td>{html.escape(p.actor)}</td>"
            f"<td>{html.escape(p.name)}</td><td>{state}</td></tr>"
        )
    return "".join(rows)


_STYLE = (
    "<style>.present{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start;"
    "padding:24px;font-size:22px}.present .present-code{font-size:96px;font-weight:bold;"
    "letter-spacing:12px;line-height:1.1}.present table{border-collapse:collapse;"
    "font-size:22px}.present td{padding:4px 16px;border-bottom:1px solid #ddd}"
    ".present tr.done td:last-child{color:#1b7a1b;font-weight:bold}"
    ".present tr.waiting td:last-child{color:#b35c00}</style>"
)


@solara.component
def PresentationView(room: Room, path: str = "/"):
    """The room on the projector, following it as players join and answer."""
    use_room_version(room)
    if room.closed:
        solara.Warning(f"Room {room.code} has closed.", classes=["present-closed"])
        return
    address = room_address(room, path)
    quarter = getattr(room.model, "next_quarter", "")
    rows = answered_rows(room)
    waiting = room.waiting_for()
    note = (
        "Nobody has joined yet."
        if not rows
        else (f"Waiting for {', '.join(waiting)}." if waiting else "Everyone has answered.")
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            _STYLE + "<div class='present'>"
            f"<div class='present-qr'>{qr_svg(address)}</div>"
            "<div><div>Join the room at</div>"
            f"<div class='present-address'><b>{html.escape(address)}</b></div>"
            "<div>or open the dashboard, choose <i>Join a room</i> and give the code</div>"
            f"<div class='present-code'>{show_code(room.code)}</div>"
            f"<div>Next quarter: <b>{html.escape(str(quarter))}</b></div>"
            f"<table class='present-seats'>{rows}</table>"
            f"<p class='present-note'>{note}</p></div></div>"
        ),
    )
