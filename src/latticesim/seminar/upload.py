"""Scenario files a facilitator brings: chosen, dropped or pasted on the page.

Each is checked as ``latticesim validate`` checks a file, in a worker process within a
time and a memory budget (:mod:`~latticesim.seminar.upload_check`, docs/security.md); a
good one starts at once, a bad one shows its problems and the page goes on with the
model it had.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import solara

from latticesim.scenario.messages import ScenarioError
from latticesim.seminar.controls import DashboardModel
from latticesim.seminar.scenarios import load_uploaded
from latticesim.seminar.upload_check import upload_name


@solara.component_vue(str(Path(__file__).with_name("vue") / "file_picker.vue"))
def FilePicker(event_picked=None):
    """A file chooser that reads the file in the browser and sends its text to Python."""


@solara.component
def ScenarioDrop(model: solara.Reactive, on_loaded: Callable[[str], None] | None = None):
    """Drop a scenario file: checked like ``latticesim validate``; errors shown here.

    ``on_loaded`` gets a good file's key, for the scenario menu to offer it from then on.
    """
    message, set_message = solara.use_state("")
    problem, set_problem = solara.use_state("")

    def handle(name: str, data: bytes) -> None:
        key = handle_upload(name, data, model, set_message, set_problem)
        if key is not None and on_loaded is not None:
            on_loaded(key)

    def on_file(info: dict) -> None:
        data = info.get("data")
        if data is None:
            data = info["file_obj"].read()
        handle(info.get("name", "scenario.yaml"), data)

    with solara.Card("Your own scenario file"):
        FilePicker(
            event_picked=lambda f: handle(
                f.get("name", "scenario.yaml"), str(f.get("text", "")).encode()
            )
        )
        solara.FileDrop(label="... or drop one here", on_file=on_file, lazy=False)
        text, set_text = solara.use_state("")
        solara.InputTextArea(
            "... or paste one", value=text, on_value=set_text, rows=3, continuous_update=True
        )
        solara.Button(
            "Load pasted scenario",
            on_click=lambda: handle("pasted.yaml", text.encode()),
            classes=["load-pasted"],
        )
        if problem:
            solara.HTML(
                tag="pre",
                unsafe_innerHTML=html.escape(problem, quote=False),
                classes=["upload-error"],
                style={"white-space": "pre-wrap", "color": "#b00020"},
            )
        # the note names the file only while it runs: after a Reset to another scenario
        # the header says what runs
        if message and model.value.settings.get("scenario_name") == message:
            solara.Success(
                f"Loaded {message}: it runs now, and the scenario menu offers it.",
                classes=["upload-ok"],
            )


def handle_upload(
    name: str, data: bytes, model: solara.Reactive, on_message, on_problem
) -> str | None:
    """Validate a dropped or pasted file; start it, or show its problems (the server goes on).

    Returns the started file's key (None when it was refused); ``on_message`` gets it too.
    """
    try:
        key = load_uploaded(name, data)
        settings = dict(model.value.settings) if hasattr(model.value, "settings") else {}
        settings["scenario_name"] = key
        model.value = DashboardModel(**settings)
    except ScenarioError as exc:
        on_problem(str(exc))
        on_message("")
        return None
    except (UnicodeDecodeError, ValueError) as exc:
        on_problem(f"{upload_name(name)}: {exc}")
        on_message("")
        return None
    on_problem("")
    on_message(key)
    return key
