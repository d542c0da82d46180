"""A comparison shown by `latticesim dashboard --comparisons DIR`, in Debian's Chromium.

As the dashboard's browser tests do: the server on a free loopback port, each page
failing the test on a JavaScript error, a failed request or an HTTP error; screenshots
in ``test-artifacts/dashboard/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_dashboard_browser import ARTIFACTS, CHROMIUM, Watched, browser  # noqa: F401

from conftest import SCENARIOS
from latticesim.cli import DashboardDidNotStart, dashboard_server
from latticesim.seminar.comparisons import COMPARISONS_ENV
from latticesim.sweeps.compare import compare
from latticesim.sweeps.divergence_words import DIVERGENCE_MD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    return compare(
        [SCENARIOS / "baseline_2024.yaml", SCENARIOS / "us_pivot.yaml"],
        3,
        root / "pivot",
        seed=2,
        until="2026Q2",
        workers=1,
    )


@pytest.fixture(scope="module")
def server(comparison):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: scripts/test.sh installs it (apt-get install chromium)")
    log = ARTIFACTS / "comparison-server.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOLARA_ASSETS_CDN="http://127.0.0.1:9/")
    env[COMPARISONS_ENV] = str(comparison.out.parent)
    try:
        with dashboard_server(log=log, env=env) as running:
            yield running
    except DashboardDidNotStart as exc:
        pytest.fail(f"{exc}; see {log}:\n{log.read_text()[-2000:]}")


def test_a_comparison_is_shown_read_only_for_the_debrief(server, browser, comparison):  # noqa: F811
    url = server[0]
    w = Watched(browser, url)
    w.page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    link = w.page.locator(".comparison-links a", has_text="pivot")
    assert link.get_attribute("href") == "?comparison=pivot"
    assert link.get_attribute("target") == "_blank"  # the run on the page stays
    w.page.goto(f"{url}?view=comparisons")
    w.page.locator(".comparison-link", has_text="pivot").click()
    w.page.locator(".comparison-title").wait_for(timeout=60_000)
    assert w.page.url.endswith("?comparison=pivot")
    assert w.page.locator(".comparison-title").inner_text() == "baseline_2024 vs us_pivot"
    headline = w.page.locator(".comparison-headline table")
    assert headline.locator("th").all_inner_texts()[-1] == "us_pivot \u2212 baseline_2024"
    assert headline.locator("tr").count() > len(comparison.metrics)  # a header, the rows
    figure = w.page.locator(".comparison-figure img")
    figure.wait_for(timeout=30_000)
    box = figure.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 600  # the overlaid figures, large
    assert figure.evaluate("img => img.naturalWidth") > 1000  # the picture arrived
    written = (comparison.out / DIVERGENCE_MD).read_text(encoding="utf-8")
    first = next(line[2:] for line in written.splitlines() if line.startswith("- In "))
    sentences = w.page.locator(".comparison-divergence li").all_inner_texts()
    assert first in sentences
    assert w.page.locator("input, .v-slider, .open-room").count() == 0  # nothing to change
    w.page.wait_for_timeout(500)
    w.shot("comparison")
    with w.page.expect_download(timeout=60_000) as download:
        w.page.locator(".download-comparison").click()
    assert download.value.suggested_filename == "pivot-report.html"
    assert first in Path(download.value.path()).read_text(encoding="utf-8")
    w.page.goto(f"{url}?comparison=nope")
    problem = w.page.locator(".comparison-problem")
    problem.wait_for(timeout=60_000)
    assert "no comparison 'nope'" in problem.inner_text()
    errors = w.errors
    w.close()
    assert not errors, errors
