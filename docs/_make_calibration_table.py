"""Regenerate the tables in docs/calibration.md from the package data.

The tables sit between marker comments, e.g. ``<!-- table:positions -->`` and
``<!-- /table:positions -->``; everything between a pair is rewritten from the CSV files
in ``src/latticesim/data/``, so the document and the data cannot drift apart.

    python docs/_make_calibration_table.py           # rewrite the tables in place
    python docs/_make_calibration_table.py --check   # exit 1 if a table is out of date

Standard library only.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "latticesim" / "data"
DOC = ROOT / "docs" / "calibration.md"

# Rough estimate of North Korea's defence spending as a share of GDP (no SIPRI figure);
# the model code uses the same value. See calibration.md, section 2.
PRK_DEFENCE_SHARE = 0.25


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def defence_usd_bn(row: dict[str, str]) -> tuple[float, str]:
    """Defence spending in USD bn and how it was obtained."""
    gdp = float(row["gdp_usd_bn"])
    reported = _num(row["defence_usd_bn"])
    if reported is not None:
        return reported, "reported"
    pct = _num(row["defence_pct_gdp"])
    if pct is not None:
        return pct / 100 * gdp, "derived (% of GDP x GDP)"
    if row["actor"] == "North Korea":
        return PRK_DEFENCE_SHARE * gdp, "rough estimate (25% of GDP)"
    return 0.0, "none (counts 0)"


def capability_table() -> str:
    actors = _rows("actors.csv")
    gdp = {r["actor"]: float(r["gdp_usd_bn"]) for r in actors}
    defence = {r["actor"]: defence_usd_bn(r) for r in actors}
    sum_gdp = sum(gdp.values())
    sum_def = sum(v for v, _ in defence.values())
    cap = {a: 0.5 * gdp[a] / sum_gdp + 0.5 * defence[a][0] / sum_def for a in gdp}
    rows = [
        [a, f"{gdp[a]:,.1f}", f"{defence[a][0]:,.2f}", defence[a][1], f"{cap[a]:.4f}"]
        for a in sorted(cap, key=cap.get, reverse=True)
    ]
    rows.append(["**total**", f"{sum_gdp:,.1f}", f"{sum_def:,.2f}", "", f"{sum(cap.values()):.4f}"])
    return _table(
        ["actor", "GDP 2023 (USD bn)", "defence (USD bn)", "defence basis", "capability"], rows
    )


def positions_table() -> str:
    rows = [
        [r["actor"], r["dimension"], r["position"], r["salience"], r["why"]]
        for r in _rows("positions.csv")
    ]
    return _table(["actor", "dimension", "position", "salience", "why"], rows)


def traits_table() -> str:
    rows = [
        [
            r["actor"],
            r["region"],
            r["stubbornness"],
            r["tolerance"],
            r["attention_euro_atlantic"],
            r["attention_indo_pacific"],
            r["commitment"],
            r["why"],
        ]
        for r in _rows("traits.csv")
    ]
    header = [
        "actor",
        "region",
        "stubbornness",
        "tolerance",
        "attention Euro-Atlantic",
        "attention Indo-Pacific",
        "commitment",
        "why",
    ]
    return _table(header, rows)


TABLES = {"capability": capability_table, "positions": positions_table, "traits": traits_table}


def render(text: str) -> str:
    for name, build in TABLES.items():
        pattern = re.compile(
            rf"(<!-- table:{name} -->\n)(?:.*?\n)?(<!-- /table:{name} -->)", flags=re.DOTALL
        )
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: markers for table '{name}' not found")
        table = build()
        text = pattern.sub(lambda m, table=table: m.group(1) + table + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    old = DOC.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in argv:
        if new != old:
            print(f"{DOC}: tables are out of date; run python docs/_make_calibration_table.py")
            return 1
        print(f"{DOC}: tables match the data")
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"{DOC}: tables written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
