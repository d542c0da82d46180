"""Make docs/figures/dashboard_comparison.png: a comparison shown in the dashboard.

Usage (from the project folder, with Debian's chromium installed):
    .venv/bin/python docs/_make_comparison_page_figure.py

Compares baseline_2024 with us_pivot (20 replications, ``--outcomes headline``) in a
temporary folder, serves it with the dashboard and photographs the comparison's page at a
projector's size (1366x768), scrolled to its headline differences.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from latticesim.cli import dashboard_server
from latticesim.seminar.comparisons import COMPARISONS_ENV
from latticesim.sweeps.compare import compare

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="comparisons-") as tmp:
        scenarios = [ROOT / "scenarios" / f"{n}.yaml" for n in ("baseline_2024", "us_pivot")]
        compare(scenarios, 20, Path(tmp) / "pivot", sets=["headline"], workers=2)
        env = dict(os.environ, **{COMPARISONS_ENV: tmp})
        with dashboard_server(env=env) as (url, _proc), sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{url}?comparison=pivot")
            page.locator(".comparison-figure img").wait_for(timeout=60_000)
            page.locator(".comparison-headline").scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            page.screenshot(path=ROOT / "docs" / "figures" / "dashboard_comparison.png")
            browser.close()


if __name__ == "__main__":
    main()
