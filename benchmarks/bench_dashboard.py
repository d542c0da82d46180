"""Time one quarter in the seminar dashboard: the step, and the step with its panels redrawn.

Usage: python benchmarks/bench_dashboard.py [--quarters 40] [--browser]

Measured in this process on the 41-actor ``us_pivot`` scenario, quarter by quarter over
its ten years (later quarters carry longer chronicles and more meetings to draw):

1. the model's step alone (the baseline);
2. the step with every panel redrawn as the page would: the lattice, statement
   strength, standing, attendance (each drawn and rendered to SVG) and the chronicle;
3. a click on Step in the page rendered by ``solara.render`` (the step, the panels and
   Solara's update of the widget tree), as Mesa tests its own visualisation;
4. with ``--browser``: a click on Step in headless Chromium against ``latticesim
   dashboard``, timed by the page's own clock from the click until the page shows the
   new quarter and its redrawn panels (what a seminar sees; Playwright's own messages
   are not counted).

Prints the median and the slowest quarter of each, and each as a ratio to the step
alone and to the 0.2 s target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from latticesim.cli import dashboard_server
from latticesim.seminar import panels
from latticesim.seminar.controls import DashboardModel
from latticesim.seminar.live_chronicle import chronicle_html, live_chronicle
from latticesim.seminar.page import Page

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.2


def _redraw(model, figures) -> None:
    played = frozenset(model.actor_names[i] for i in model.played)
    lattice, *others = figures
    lattice.update(played).svg()
    for figure in others:
        figure.update().svg()
    chronicle_html(live_chronicle(model))


def _steps(quarters: int, redraw: bool) -> list[float]:
    """Seconds per quarter: the step alone, or with every panel redrawn after it."""
    model = DashboardModel("us_pivot", seed=1)
    kinds = (panels.LatticeFigure, panels.StrengthFigure, panels.StandingFigure)
    figures = [kind(model) for kind in (*kinds, panels.AttendanceFigure)]
    out = []
    for _ in range(quarters):
        t = time.perf_counter()
        model.step()
        if redraw:
            _redraw(model, figures)
        out.append(time.perf_counter() - t)
    return out


def _clicks(quarters: int) -> list[float]:
    import ipyvuetify as v
    import solara

    _box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    out = []
    for _ in range(quarters):
        t = time.perf_counter()
        step.click()
        out.append(time.perf_counter() - t)
    return out


# Click Step and resolve with the milliseconds until the quarter shown has changed and
# the panels' images that change with it have been replaced (they come in one update).
_CLICK_TO_NEW_QUARTER = """() => new Promise(resolve => {
  const before = document.querySelector('.quarter').innerText;
  const step = [...document.querySelectorAll('button')].find(b => b.innerText.trim() == 'STEP');
  let label = null, image = 0;
  const t0 = performance.now();
  const seen = new MutationObserver(records => {
    const now = performance.now() - t0;
    if (records.some(r => r.type == 'attributes')) image = now;
    const q = document.querySelector('.quarter');
    if (label === null && q && q.innerText != before) label = now;
  });
  seen.observe(document.body, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ['src']});
  step.click();
  setTimeout(() => {
    seen.disconnect();
    resolve(label === null ? 1000 : Math.max(label, image));
  }, 1000);
})"""


def _browser(quarters: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with dashboard_server() as (url, _proc):
        args = [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.locator(".chronicle-box").wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            out = [page.evaluate(_CLICK_TO_NEW_QUARTER) / 1000 for _ in range(quarters)]
            browser.close()
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--browser", action="store_true", help="also time clicks in Chromium")
    args = parser.parse_args()
    _steps(2, redraw=True)  # warm imports, fonts and caches
    rows = [
        ("step alone", _steps(args.quarters, redraw=False)),
        ("step + panels redrawn", _steps(args.quarters, redraw=True)),
        ("Step click, solara.render", _clicks(args.quarters)),
    ]
    if args.browser:
        rows.append(("Step click, Chromium", _browser(args.quarters)))
    base = statistics.median(rows[0][1])
    print(f"us_pivot, 41 actors, {args.quarters} quarters, one process (cpus: {os.cpu_count()})")
    print(f"{'':28} {'median':>9} {'slowest':>9} {'x step':>8} {'x 0.2 s':>8}")
    for name, times in rows:
        med = statistics.median(times)
        print(
            f"{name:28} {med * 1000:7.1f}ms {max(times) * 1000:7.1f}ms "
            f"{med / base:8.1f} {med / TARGET_S:8.2f}"
        )


if __name__ == "__main__":
    main()
