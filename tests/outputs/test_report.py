"""`latticesim report`: a run folder as one self-contained HTML page, checked as parsed HTML."""

import base64
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from conftest import SCENARIOS, scenario_tables
from latticesim.cli import main
from latticesim.outputs.report import REPORT, headline
from latticesim.scenario.loading import load_scenario

SCENARIO = "us_pivot"
SEED = 3


class Page(HTMLParser):
    """The parts of a report the tests look at: tags with attributes, text per section."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, list[str]] = {}
        self.items: dict[str, list[str]] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self._section = "top"
        self._li: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "section":
            self._section = attrs.get("id", "?")
        elif tag == "li":
            self._li = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "li" and self._li is not None:
            self.items.setdefault(self._section, []).append(" ".join("".join(self._li).split()))
            self._li = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._section, []).append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.setdefault(self._section, []).append(data)
        for buf in (self._li, self._cell):
            if buf is not None:
                buf.append(data)

    def section_text(self, name: str) -> str:
        return " ".join("".join(self.text.get(name, [])).split())

    def table(self, section: str) -> dict[str, list[str]]:
        """A section's table rows keyed by their first cell (the header row left out)."""
        return {r[0]: r[1:] for r in self.rows.get(section, [])[1:]}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / f"{SCENARIO}-seed{SEED}"
    scenario = SCENARIOS / f"{SCENARIO}.yaml"
    assert main(["run", str(scenario), "--seed", str(SEED), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def report(run_dir):
    assert main(["report", str(run_dir)]) == 0
    path = run_dir / REPORT
    return path, Page(path.read_text(encoding="utf-8"))


def leftovers(folder: Path) -> list[str]:
    """Report files, finished or partial, in a folder."""
    return sorted(p.name for p in folder.glob("*report.html*"))


def copy_run(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target, ignore=shutil.ignore_patterns(REPORT))
    return target


def test_every_figure_is_embedded_as_data(report, run_dir):
    _, page = report
    images = [a["src"] for tag, a in page.tags if tag == "img"]
    embedded = set()
    for src in images:
        head, _, data = src.partition(",")
        assert head in ("data:image/png;base64", "data:image/svg+xml;base64"), head[:40]
        embedded.add(base64.b64decode(data))
    stems = {p.stem for p in (run_dir / "figures").iterdir()}
    assert len(stems) >= 8
    assert len(images) == len(stems)
    for stem in stems:
        formats = [run_dir / "figures" / f"{stem}.{ext}" for ext in ("png", "svg")]
        assert any(f.is_file() and f.read_bytes() in embedded for f in formats), stem


def test_nothing_is_fetched_from_outside(report):
    path, page = report
    text = path.read_text(encoding="utf-8")
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("data:", "#")), (tag, name, value[:60])
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|//|file:)", text, re.I)
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:|//)", text)


def test_summary_names_the_run_and_its_headline_figures(report, run_dir):
    _, page = report
    manifest = json.loads((run_dir / "manifest.json").read_text())
    model = pd.read_parquet(run_dir / "model.parquet")
    top = page.section_text("top")
    assert f"{SCENARIO}, seed {SEED}" in top
    assert manifest["scenario"]["description"] in top
    assert f"{model['date'].iloc[0]} to {model['date'].iloc[-1]} ({len(model)} quarters)" in top
    summary = page.table("summary")
    last = model.iloc[-1]
    lead = summary["Leading platform (its share of standing)"]
    assert lead[1].startswith(f"{last['leading_platform']} ({last['leading_platform_share']:.2f})")
    assert summary["Coordination index"] == [
        f"{model['coordination_index'].iloc[0]:.2f}",
        f"{last['coordination_index']:.2f}",
    ]
    assert summary["Meetings held, over the whole run"][1] == str(int(model["meetings_held"].sum()))


def test_headline_reads_a_freshly_simulated_model_table():
    model = scenario_tables("baseline_2024", seed=2, until="2025Q4")["model"]
    rows = {label: (start, end) for label, start, end in headline(model)}
    assert rows["Forums in the lattice"] == (
        str(int(model["n_forums"].iloc[0])),
        str(int(model["n_forums"].iloc[-1])),
    )
    assert rows["Linkage between the theatres (over the last 4 quarters)"][0].endswith("(2024Q4)")
    assert headline(model.iloc[:0]) == []


def test_the_chronicle_is_all_there(report, run_dir):
    _, page = report
    chronicle = (run_dir / "chronicle.md").read_text(encoding="utf-8")
    bullets = [line[2:].replace("**", "") for line in chronicle.splitlines() if line[:2] == "- "]
    assert len(bullets) > 50
    rendered = set(page.items["chronicle"])
    missing = [b for b in bullets if " ".join(b.split()) not in rendered]
    assert not missing, missing[:3]
    text = page.section_text("chronicle")
    for quarter in re.findall(r"^#### (\d{4}Q\d)$", chronicle, re.M):
        assert quarter in text
    assert "France blocked" in text


def test_parameters_table_has_the_scenarios_parameters(report, run_dir):
    _, page = report
    table = page.table("parameters")
    spec = load_scenario(SCENARIOS / f"{SCENARIO}.yaml")
    parameters = spec.parameters.model_dump(mode="json")
    assert set(table) == set(parameters)
    for name, value in parameters.items():
        shown = table[name][0]
        if isinstance(value, list):
            assert shown == ", ".join(value)
        else:
            assert float(shown) == pytest.approx(value), name
        assert table[name][2], f"{name} has no meaning"


def test_manifest_table(report, run_dir):
    _, page = report
    manifest = json.loads((run_dir / "manifest.json").read_text())
    table = page.table("manifest")
    assert table["scenario.sha256"] == [manifest["scenario"]["sha256"]]
    assert table["seed"] == [str(SEED)]
    assert table["complete"] == ["True"]
    assert table["tables.model.rows"] == [str(manifest["tables"]["model"]["rows"])]


def test_out_writes_elsewhere_and_leaves_no_temporary_file(run_dir, tmp_path, capsys):
    out = tmp_path / "handouts" / "pivot.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(out) in capsys.readouterr().out
    assert sorted(p.name for p in out.parent.iterdir()) == ["pivot.html"]
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]


def test_markers_and_markup_in_the_chronicle_are_shown_as_written(run_dir, tmp_path):
    folder = copy_run(run_dir, tmp_path)
    extra = (
        "\n#### 2033Q4\n\n"
        "- \U0001f3ad France (played): blocked the text <b>on reach</b> & left *early*.\n"
        "- France (played) came to the NATO summit at head level and blocked the text on "
        "global reach.\n"
        "- Hungary (played) wrote <script>alert(1)</script> in the margin.\n"
    )
    with (folder / "chronicle.md").open("a", encoding="utf-8") as fh:
        fh.write(extra)
    assert main(["report", str(folder)]) == 0
    page = Page((folder / REPORT).read_text(encoding="utf-8"))
    items = page.items["chronicle"]
    assert "\U0001f3ad France (played): blocked the text <b>on reach</b> & left early." in items
    assert (
        "France (played) came to the NATO summit at head level and blocked the text on "
        "global reach." in items
    )
    assert "Hungary (played) wrote <script>alert(1)</script> in the margin." in items
    assert not [t for t, _ in page.tags if t in ("b", "script")]


def test_a_run_without_figures_still_reports(tmp_path):
    out = tmp_path / "nofig"
    scenario = SCENARIOS / "baseline_2024.yaml"
    assert (
        main(
            [
                "run",
                str(scenario),
                "--out",
                str(out),
                "--until",
                "2024Q4",
                "--no-figures",
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["report", str(out)]) == 0
    page = Page((out / REPORT).read_text(encoding="utf-8"))
    assert not [t for t, _ in page.tags if t == "img"]
    assert "without figures" in page.section_text("figures")


def _missing(folder: Path) -> Path:
    return folder.parent / "nowhere"


def _a_file(folder: Path) -> Path:
    path = folder.parent / "notes.txt"
    path.write_text("not a run")
    return path


def _not_a_run(folder: Path) -> Path:
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "thesis.tex").write_text("chapter 1")
    return folder


def _unfinished(folder: Path) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["complete"] = False
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def _broken_manifest(folder: Path) -> Path:
    (folder / "manifest.json").write_text('{"complete": true,\n  "seed": }')
    return folder


def _no_chronicle(folder: Path) -> Path:
    (folder / "chronicle.md").unlink()
    return folder


def _no_model(folder: Path) -> Path:
    (folder / "model.parquet").unlink()
    return folder


def _lost_figure(folder: Path) -> Path:
    (folder / "figures" / "lattice.svg").unlink()
    return folder


def _corrupt_model(folder: Path) -> Path:
    (folder / "model.parquet").write_bytes(b"not parquet")
    return folder


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_missing, "no such folder"),
        (_a_file, "not a folder"),
        (_not_a_run, "not a run folder"),
        (_unfinished, "did not finish"),
        (_broken_manifest, "not valid JSON"),
        (_no_chronicle, "chronicle.md is missing"),
        (_no_model, "model.parquet is missing"),
        (_lost_figure, "lattice.svg is missing"),
        (_corrupt_model, "model.parquet cannot be read"),
    ],
)
def test_bad_run_folders_get_one_line_and_no_report(spoil, message, run_dir, tmp_path, capsys):
    target = spoil(copy_run(run_dir, tmp_path))
    capsys.readouterr()
    assert main(["report", str(target)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1, err
    assert message in err[0] and str(target) in err[0]
    assert "latticesim run" in err[0]
    assert "Traceback" not in captured.err + captured.out
    folder = target if target.is_dir() else target.parent
    assert leftovers(folder) == []


def test_out_that_is_a_folder_is_refused(run_dir, tmp_path, capsys):
    assert main(["report", str(run_dir), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a folder" in err[0]
    assert leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_previous_report(run_dir, tmp_path, monkeypatch, capsys):
    folder = copy_run(run_dir, tmp_path)
    (folder / REPORT).write_text("previous report")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("latticesim.common.files.os.replace", full_disk)
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0]
    assert (folder / REPORT).read_text() == "previous report"
    assert leftovers(folder) == [REPORT]
