"""Make docs/figures/dashboard.png: the facilitator's page after the 2024 NATO summit.

Usage (from the project folder, with Debian's chromium installed):
    .venv/bin/python docs/_make_dashboard_figure.py

Starts `latticesim dashboard` on a free loopback port, opens a room that France and
Japan join from two other browser contexts, lets France block NATO's text on global
reach, steps past the summit and photographs the facilitator's page.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from latticesim.cli import dashboard_server

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    with dashboard_server() as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        fac = browser.new_page(viewport={"width": 1500, "height": 1250})
        fac.goto(url)
        fac.locator(".chronicle-box").wait_for(timeout=60_000)
        fac.wait_for_timeout(1000)
        fac.locator(".open-room").click()
        code = fac.locator(".room-code").inner_text(timeout=15_000).strip()
        players = {}
        for actor, name in (("France", "Claire"), ("Japan", "Kenji")):
            page = browser.new_page(viewport={"width": 900, "height": 1000})
            page.goto(url)
            page.locator(".go-join").click()
            page.get_by_label("Room code").fill(code)
            page.locator(".find-room").click()
            page.get_by_label("Your name").fill(name)
            page.locator(f".pick-{actor.lower()}").click()
            page.locator(".seat-head").wait_for(timeout=15_000)
            players[actor] = page
        for _ in range(2):
            before = fac.locator(".quarter").inner_text()
            fac.get_by_role("button", name="Step").click()
            fac.wait_for_function(
                "q => document.querySelector('.quarter').innerText != q", arg=before
            )
        france = players["France"]
        france.locator(".meeting-nato").wait_for(timeout=15_000)
        france.locator(".level-nato-head").click()
        france.locator(".vote-nato-global_reach-block").click()
        france.locator(".send-nato").click()
        france.locator(".send-nato:has-text('Sent')").wait_for(timeout=10_000)
        before = fac.locator(".quarter").inner_text()
        fac.get_by_role("button", name="Step").click()
        fac.wait_for_function("q => document.querySelector('.quarter').innerText != q", arg=before)
        fac.wait_for_timeout(1500)
        fac.screenshot(path=ROOT / "docs" / "figures" / "dashboard.png")
        france.screenshot(path=ROOT / "docs" / "figures" / "dashboard_player.png")
        browser.close()


if __name__ == "__main__":
    main()
