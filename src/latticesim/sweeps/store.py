"""The sweep folder: written a chunk at a time so that nothing is lost or counted twice.

A sweep folder holds the manifest (``sweep.json``), the design (``design.parquet``) and,
per finished chunk, one Parquet part in ``series/`` and one in ``runs/``. Each part is
written to a hidden temporary file and renamed into place
(:func:`latticesim.common.files.atomic_write`), the series part first: the ``runs/``
part is the commit, and a run is done exactly when a ``runs/`` part holds it. Reopening
the folder removes what an interrupted chunk left (temporary files, a series part
without its runs part), so a sweep resumes where it stopped, even after ``kill -9``.

:func:`open_sweep` reads a folder back as tables, seeing only committed parts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from latticesim.common.files import TMP_MARK, atomic_write, write_json
from latticesim.sweeps.experiment import (
    DESIGN_FILE,
    DRAW_COLUMN,
    FORMAT,
    LOCK_FILE,
    MANIFEST,
    PART_RE,
    RUNS_DIR,
    SERIES_DIR,
    Experiment,
    Job,
    SweepRunError,
)
from latticesim.sweeps.worker import ChunkResult

__all__ = ["SweepData", "SweepStore", "chunk_tables", "open_sweep"]


class SweepStore:
    """A sweep folder being written: manifest, design, and one part per table per chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs_dir = root / RUNS_DIR
        self.series_dir = root / SERIES_DIR
        self._lock: Any = None

    @classmethod
    def open(cls, root: str | os.PathLike[str], exp: Experiment) -> SweepStore:
        """Create the folder, or reopen it to resume the same experiment.

        Raises:
            SweepRunError: the folder is not a sweep folder, belongs to a different
                experiment, or another sweep is writing it.
        """
        store = cls(Path(root))
        store._check_foreign()
        try:
            store.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SweepRunError(
                f"{root}: cannot write the sweep folder here ({exc.strerror or exc})"
            ) from None
        store._take_lock()
        manifest_path = store.root / MANIFEST
        if manifest_path.is_file():
            store._check_same(exp)
        store.runs_dir.mkdir(exist_ok=True)
        store.series_dir.mkdir(exist_ok=True)
        store._tidy()
        if not manifest_path.is_file():
            atomic_write(store.root / DESIGN_FILE, lambda p: exp.design_frame().to_parquet(p))
            manifest = exp.manifest()
            manifest["status"] = {"runs_done": 0, "runs_failed": 0, "complete": False}
            write_json(manifest_path, manifest)
        return store

    def _check_foreign(self) -> None:
        """Refuse a file, or a folder that holds something other than a sweep's files."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise SweepRunError(f"{root}: is a file, not a sweep folder; choose another --out")
        if root.is_dir() and not (root / MANIFEST).is_file():
            # What a sweep killed before its manifest was committed leaves: resumable.
            ours = {RUNS_DIR, SERIES_DIR, LOCK_FILE, DESIGN_FILE}
            if any(not (p.name in ours or p.name.startswith(".")) for p in root.iterdir()):
                raise SweepRunError(
                    f"{root}: exists and is not a sweep folder (no {MANIFEST}); "
                    "choose another --out"
                )

    def _check_same(self, exp: Experiment) -> None:
        """Refuse to resume a folder that holds another experiment (or another design)."""
        old = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        if (
            old.get("experiment", {}).get("sha256") != exp.sha256
            or old.get("design", {}).get("sha256") != exp.design_sha256
        ):
            name = old.get("experiment", {}).get("name", "?")
            sha = str(old.get("experiment", {}).get("sha256", "?"))[:12]
            self.close()
            raise SweepRunError(
                f"{self.root}: holds a different experiment ({name}, sha256 {sha}; this one "
                f"is {exp.name}, sha256 {exp.sha256[:12]}); use another --out, or "
                "delete the folder to start again"
            )

    def _take_lock(self) -> None:
        # filelock takes an OS lock on .lock (flock here, LockFileEx on Windows) that the
        # system drops when the process ends, however it ends: a killed sweep never
        # leaves the folder locked.
        lock = FileLock(self.root / LOCK_FILE)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise SweepRunError(
                f"{self.root}: another sweep is writing this folder; wait for it to finish"
            ) from None
        except OSError as exc:
            raise SweepRunError(
                f"{self.root}: cannot write the sweep folder here ({exc.strerror or exc})"
            ) from None
        self._lock = lock

    def close(self) -> None:
        """Release the folder for the next sweep."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _tidy(self) -> None:
        """Remove what an interrupted chunk left: temporary files and uncommitted parts."""
        for p in self.root.glob(f".*{TMP_MARK}*"):
            p.unlink(missing_ok=True)  # a manifest or design interrupted while written
        committed = {p.name for p in self.runs_dir.iterdir() if PART_RE.match(p.name)}
        for folder in (self.runs_dir, self.series_dir):
            for p in folder.iterdir():
                if p.name.startswith(".") or (
                    folder is self.series_dir and p.name not in committed
                ):
                    p.unlink(missing_ok=True)
        self._next = 1 + max(
            (int(m.group(1)) for p in self.runs_dir.iterdir() if (m := PART_RE.match(p.name))),
            default=-1,
        )

    def done(self) -> tuple[set[int], int]:
        """Run ids held by committed parts, and how many of them failed."""
        parts = sorted(p for p in self.runs_dir.iterdir() if PART_RE.match(p.name))
        ids: set[int] = set()
        failed = 0
        for p in parts:
            t = pq.read_table(p, columns=["run_id", "status"])
            ids.update(t.column("run_id").to_pylist())
            failed += sum(s != "ok" for s in t.column("status").to_pylist())
        return ids, failed

    def write(self, runs: pa.Table, series: pa.Table) -> str:
        """Write a chunk's parts: the series first, then its runs part, which commits it."""
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        atomic_write(self.series_dir / name, lambda p: pq.write_table(series, p))
        atomic_write(self.runs_dir / name, lambda p: pq.write_table(runs, p))
        return name

    def set_status(self, status: dict[str, Any]) -> None:
        """Record in the manifest how far the sweep got."""
        path = self.root / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["status"] = status
        write_json(path, manifest)


def chunk_tables(exp: Experiment, job: Job, result: ChunkResult) -> tuple[pa.Table, pa.Table]:
    """A chunk's rows as Arrow tables with the sweep's fixed schemas (runs, series)."""
    schema = exp.runs_schema()
    by_id = {row["run_id"]: row for row in result.runs}
    cols: dict[str, list[Any]] = {f.name: [] for f in schema}
    for run_id, point, replication, seed, values in job.runs:
        row = by_id[run_id]
        cols["run_id"].append(run_id)
        cols["point"].append(point)
        cols["replication"].append(replication)
        cols["seed"].append(seed)
        n = len(exp.parameters)
        for p, v in zip(exp.parameters, values[:n], strict=True):
            cols[p.name].append(json.dumps(v, sort_keys=True) if p.kind == "other" else v)
        if exp.calibrated is not None:
            cols[DRAW_COLUMN].append(exp.calibrated.index(exp.seed, replication))
            for name, v in zip(exp.calibrated.names, values[n:], strict=True):
                cols[name].append(v)
        cols["status"].append(row["status"])
        cols["error"].append(row["error"])
        cols["elapsed_s"].append(float(row["elapsed_s"]))
        for o in exp.metrics.outcomes:
            cols[o.name].append(row.get(o.name, float("nan")))
    runs = pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)
    sschema = exp.series_schema()
    series = pa.table(
        {f.name: pa.array(result.series[f.name], type=f.type) for f in sschema}, schema=sschema
    )
    return runs, series


# --------------------------------------------------------------------------- reading


@dataclass
class SweepData:
    """A sweep folder, read back: the manifest, the design and the tables.

    Only committed parts are read, so what an interrupted chunk left is never seen.
    """

    root: Path
    manifest: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        """The varied parameters' column names."""
        return [p["name"] for p in self.manifest.get("parameters", [])]

    @property
    def outcomes(self) -> list[str]:
        """The outcome columns of the run table."""
        return [o["name"] for o in self.manifest["metrics"]["outcomes"]]

    @property
    def series_columns(self) -> list[str]:
        """The columns kept over time."""
        return list(self.manifest["metrics"]["series"])

    def _parts(self) -> list[str]:
        return sorted(p.name for p in (self.root / RUNS_DIR).iterdir() if PART_RE.match(p.name))

    def runs(self, ok_only: bool = False) -> pd.DataFrame:
        """The run table: parameters, seed, status, error, time and outcomes, by run id.

        Raises:
            SweepRunError: if a run appears twice (which the store never writes).
        """
        parts = self._parts()
        if not parts:
            return pd.DataFrame()
        table = pa.concat_tables([pq.read_table(self.root / RUNS_DIR / p) for p in parts])
        frame = table.to_pandas().sort_values("run_id", kind="stable").reset_index(drop=True)
        if frame["run_id"].duplicated().any():
            raise SweepRunError(f"{self.root}: a run appears twice in {RUNS_DIR}/")
        if ok_only:
            frame = frame[frame["status"] == "ok"].reset_index(drop=True)
        return frame

    def series(self, with_parameters: bool = True) -> pd.DataFrame:
        """The kept series, one row per run and quarter, with the run's parameters."""
        parts = self._parts()
        if not parts:
            return pd.DataFrame()
        table = pa.concat_tables([pq.read_table(self.root / SERIES_DIR / p) for p in parts])
        frame = table.to_pandas().sort_values(["run_id", "step"], kind="stable")
        frame = frame.reset_index(drop=True)
        if with_parameters:
            keys = ["run_id", "point", "replication", "seed", *self.parameters]
            frame = frame.merge(self.runs()[keys], on="run_id", how="left")
        return frame

    def design(self) -> pd.DataFrame:
        """One row per parameter point (with SALib's raw sample for sampled designs)."""
        return pd.read_parquet(self.root / DESIGN_FILE)


def open_sweep(root: str | os.PathLike[str]) -> SweepData:
    """Open a sweep folder for reading.

    Raises:
        SweepRunError: the folder is not a sweep folder.
    """
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        what = "no such folder" if not root.exists() else f"not a sweep folder (no {MANIFEST})"
        raise SweepRunError(f"{root}: {what}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise SweepRunError(f"{root}: {MANIFEST} is not a latticesim sweep manifest")
    return SweepData(root, manifest)
