"""What is running, and what the controls would run: the header, the inputs, Apply.

A model is built from the scenario menu and the sliders only when Reset (or Apply) is
pressed, as in every SolaraViz app. In a class that is a trap: a teacher who picks
another scenario and presses Step runs the old one. So the page always says what the
running model was built with (:func:`RunHeader`), every input shows its value, and
whenever an input differs from the running model a notice names the difference and
offers one Apply button (:func:`PendingNotice`).
"""

from __future__ import annotations

import html
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from latticesim.seminar.controls import DashboardModel, main_defaults, model_params

SHORT_LABELS = {
    "scenario_name": "scenario",
    "seed": "seed",
    "pivot_strength": "US pivot",
    "us_commitment": "US commitment",
    "france_tolerance": "France's tolerance",
    "china_support": "China's support for Russia",
}
"""How the header and the notice name each setting."""


def start_settings() -> dict[str, Any]:
    """The inputs' values when a page opens: the model a page starts with is built from them."""
    return {name: spec["value"] for name, spec in model_params().items()}


def show_value(name: str, value: Any) -> str:
    """A setting as the header shows it (a slider left at its start keeps the scenario's)."""
    if name == "scenario_name":
        return str(value)
    if name == "seed":
        return str(int(value))
    if name == "pivot_strength":
        return f"x{float(value):g}"
    if name in main_defaults() and _same(value, main_defaults()[name]):
        return "as in the scenario"
    return f"{float(value):g}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def pending(chosen: dict[str, Any], running: dict[str, Any]) -> list[str]:
    """The settings whose input differs from what the running model was built with."""
    return [k for k in SHORT_LABELS if k in chosen and not _same(chosen[k], running.get(k))]


def next_meetings(model: DashboardModel) -> list[str]:
    """The meetings of the quarter Step runs next ("NATO summit", ...), in forum order."""
    quarter = model.start + model.quarters_run
    if quarter > model.horizon:
        return []
    out = []
    for forum in model.active_forums:
        level = forum.meeting_level(quarter, model.start.year)
        if level is not None:
            out.append(f"{forum.name} {level}")
    return out


@solara.component
def RunHeader(model: DashboardModel):
    """The running model: scenario, seed, main settings, the quarter and what meets next."""
    update_counter.get()
    s = model.settings
    quarter = str(model.start + (model.quarters_run - 1)) if model.quarters_run else "not started"
    coming = model.next_quarter
    meets = next_meetings(model)
    if coming == "end":
        nxt = "the run has reached its horizon"
    else:
        nxt = f"{coming}: " + (", ".join(meets) if meets else "no meeting")
    main = " &middot; ".join(
        f"{SHORT_LABELS[k]}: {html.escape(show_value(k, s[k]))}"
        for k in ("pivot_strength", "us_commitment", "france_tolerance", "china_support")
    )
    solara.HTML(
        tag="div",
        classes=["run-header"],
        style={"padding": "6px 12px", "background": "#f3f6fa", "border-radius": "4px"},
        unsafe_innerHTML=(
            "Running <b class='running-scenario'>"
            f"{html.escape(str(s['scenario_name']))}</b>, seed "
            f"<b class='running-seed'>{int(s['seed'])}</b> &middot; {main}<br>"
            f"Last quarter played: <b class='header-quarter'>{quarter}</b> &middot; "
            f"next: <span class='next-meetings'>{html.escape(nxt)}</span>"
        ),
    )


@solara.component
def PendingNotice(model: solara.Reactive, chosen: solara.Reactive):
    """Shown while an input differs from the running model: what differs, and Apply."""
    running = model.value.settings
    changed = pending(chosen.value, running)
    if not changed:
        return
    parts = ", ".join(
        f"{SHORT_LABELS[k]}: {show_value(k, chosen.value[k])} "
        f"(running: {show_value(k, running[k])})"
        for k in changed
    )
    with solara.Row(
        classes=["pending-notice"],
        style={"background": "#fff4e0", "padding": "6px 12px", "align-items": "center"},
    ):
        solara.Text(
            f"Not applied yet: {parts}. Step and Play go on with "
            f"{running['scenario_name']} until you press Apply.",
            classes=["pending-text"],
        )
        solara.Button(
            "Apply",
            color="warning",
            on_click=lambda: setattr(model, "value", DashboardModel(**chosen.value)),
            classes=["apply-settings"],
        )


@solara.component
def SettingsInputs(chosen: solara.Reactive, uploaded: list[str]):
    """The scenario menu (with this page's own files), the sliders and the seed, values shown."""

    def set_one(name: str, value: Any) -> None:
        chosen.value = {**chosen.value, name: value}

    for name, spec in model_params().items():
        value = chosen.value.get(name, spec["value"])
        kind = spec["type"]
        if kind == "Select":
            values = [*spec["values"], *(k for k in uploaded if k not in spec["values"])]
            solara.Select(
                spec["label"],
                value=value,
                values=values,
                on_value=lambda v, n=name: set_one(n, v),
            )
        elif kind == "InputInt":
            solara.InputInt(
                spec["label"],
                value=int(value),
                # a seed is a whole number from 0: a minus sign typed by mistake is dropped
                on_value=lambda v, n=name: set_one(n, abs(v)) if v is not None else None,
                continuous_update=True,  # the notice shows as the number is typed
                classes=["seed-input"],
            )
        else:
            slider = solara.SliderFloat if kind == "SliderFloat" else solara.SliderInt
            slider(
                f"{spec['label']}: {value:g}",
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=lambda v, n=name: set_one(n, v),
            )
