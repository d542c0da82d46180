"""SQL on a sweep with DuckDB: views of its run table, its series and its design.

The views read the sweep's Parquet parts in place (nothing is copied or loaded first),
so a query over a million runs costs what the query costs.
:meth:`latticesim.sweeps.store.SweepData.runs` and ``.series`` give the same tables to
pandas.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.sweeps.experiment import DESIGN_FILE, RUNS_DIR, SERIES_DIR, SweepRunError
from latticesim.sweeps.store import open_sweep

__all__ = ["connect", "query"]


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def connect(root: str | os.PathLike[str], database: str = ":memory:") -> Any:
    """A DuckDB connection with views ``runs``, ``series`` and ``design`` on a sweep.

    ``series`` holds only the rows of committed runs, so what an interrupted chunk left
    is never counted. Example::

        con = connect("sweeps/pivot")
        con.sql("SELECT pivot, avg(share_nato_end) FROM runs GROUP BY 1 ORDER BY 1").df()

    Raises:
        SweepRunError: not a sweep folder, or no run has finished yet.
    """
    import duckdb

    data = open_sweep(root)
    runs_dir = data.root / RUNS_DIR
    if not any(runs_dir.glob("part-*.parquet")):
        raise SweepRunError(f"{root}: no run has finished yet")
    con = duckdb.connect(database)
    runs = _sql_path(runs_dir / "part-*.parquet")
    series = _sql_path(data.root / SERIES_DIR / "part-*.parquet")
    con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{runs}')")
    con.execute(
        f"CREATE VIEW series AS SELECT s.* FROM read_parquet('{series}') s "
        "SEMI JOIN runs USING (run_id)"
    )
    design = _sql_path(data.root / DESIGN_FILE)
    con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{design}')")
    return con


def query(root: str | os.PathLike[str], sql: str) -> pd.DataFrame:
    """Run SQL on a sweep (views ``runs``, ``series``, ``design``) and return a DataFrame."""
    con = connect(root)
    try:
        return con.sql(sql).df()
    finally:
        con.close()
