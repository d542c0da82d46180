"""The room's run as a handout: the full report or the student version, from the dashboard.

The dashboard's model is the run the class played (choices, blocks and all). A download
writes it as a run folder (tables, chronicle, figures, manifest: what ``latticesim run``
writes) in a temporary folder, builds the report from that folder as ``latticesim
report`` does, and hands the page to the browser; nothing stays on the server.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import solara
from mesa.visualization.utils import update_counter

from latticesim.outputs.report import build_report, build_student_report, load_run
from latticesim.outputs.runs import result_of, write_result
from latticesim.seminar.controls import DashboardModel


def handout_html(model: DashboardModel, student: bool = False) -> str:
    """The report (or the student handout) of the model's run so far."""
    seed = int(model.settings["seed"])
    result = result_of(model, model.spec, seed, source="the dashboard")
    with tempfile.TemporaryDirectory(prefix="latticesim-handout-") as tmp:
        folder = write_result(result, Path(tmp) / "run")
        run = load_run(folder)
        return build_student_report(run) if student else build_report(run)


def handout_name(model: DashboardModel, student: bool) -> str:
    """The downloaded file's name: scenario, seed, last quarter played, kind."""
    kind = "handout" if student else "report"
    last = str(model.quarter) if model.quarters_run else "start"
    return f"{model.settings['scenario_name']}-seed{model.settings['seed']}-{last}-{kind}.html"


@solara.component
def HandoutDownloads(model: DashboardModel, quarter: int = 0):
    """Two downloads of the run so far: the full report and the student handout.

    ``quarter`` (the model's step) redraws the buttons, and their file names, each step.
    """
    update_counter.get()
    if not model.quarters_run:
        solara.Text("Step at least one quarter to download the run's report.")
        return
    for student, label, css in (
        (False, "Download report", "download-report"),
        (True, "Download student handout", "download-handout"),
    ):
        solara.FileDownload(
            lambda student=student: handout_html(model, student),
            filename=handout_name(model, student),
            label=label,
            mime_type="text/html",
            children=[solara.Button(label, icon_name="mdi-download", classes=[css])],
        )
