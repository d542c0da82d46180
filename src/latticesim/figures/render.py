"""Writing a run's figures to files, quickly: :func:`make_figures` and its machinery.

:func:`make_figures` is called at the end of every run written to a folder (``latticesim
run``), so it goes further than matplotlib's defaults wherever that costs the reader
nothing (see ``docs/performance.md``): ticks fixed once instead of re-placed at every
draw (:func:`_freeze_ticks`), a figure's objects freed as soon as it is written
(:func:`garbage_freed_young`), PNGs compressed by the package's own writer in a thread
(:func:`_write_png`), and half of the figures drawn in a forked process when a core is
idle. The files are the same, pixel for pixel, as matplotlib's own drawing would give.

The fixed ticks copy what matplotlib's axes do from their internals (the template tick,
the axis label's placement), which a new release may change; ``pyproject.toml`` therefore
admits matplotlib 3.10 and 3.11 only (3.11 is the line they were checked on; 3.10 is the
first with ``get_figure(root=...)``), and ``tests/figures`` compares the pixels of every
figure drawn both ways. ``benchmarks/bench_outputs.py --without ticks,png,gc`` measures
what each piece gains (``--workers 1`` what the second process gains).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import struct
import sys
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import NullLocator
from matplotlib.transforms import Bbox

from latticesim.figures.attendance import fig_attendance
from latticesim.figures.blocs import fig_blocs
from latticesim.figures.burden import fig_burden
from latticesim.figures.coordination import fig_coordination
from latticesim.figures.lattice import fig_lattice
from latticesim.figures.layout import STYLE
from latticesim.figures.leading_platform import fig_leading_platform
from latticesim.figures.positions import fig_positions
from latticesim.figures.reading import Tables
from latticesim.figures.statement_strength import fig_statement_strength

__all__ = ["FIGURES", "PNG_DPI", "garbage_freed_young", "make_figures"]

PNG_DPI = 150
"""Resolution of the PNG files: sharp on a handout, small enough for a dashboard."""

FIGURES: dict[str, Callable[..., Figure]] = {
    "statement_strength": fig_statement_strength,
    "leading_platform": fig_leading_platform,
    "attendance": fig_attendance,
    "coordination": fig_coordination,
    "lattice": fig_lattice,
    "burden": fig_burden,
    "positions": fig_positions,
    "blocs": fig_blocs,
}
"""Every figure of a run, by the file name it is written under, in the order of a report."""


# Drawing cost of each figure (ms to build, draw and write in both formats, measured on
# the US pivot run), to split the work between two cores.
_COST = {
    "statement_strength": 240,
    "lattice": 220,
    "positions": 195,
    "blocs": 155,
    "coordination": 145,
    "leading_platform": 145,
    "attendance": 135,
    "burden": 135,
}


def make_figures(
    tables: Tables,
    out_dir: str | Path,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
    *,
    workers: int | None = None,
) -> list[Path]:
    """Write every figure of a run, in every format, and return the files written.

    PNG at 150 dpi is sharp on a handout and small enough for a dashboard; it is
    compressed lightly, in a thread of its own while the next figure is drawn, because
    the figures are written at the end of every run, where time matters more than a few
    kilobytes (see :func:`_write_png`). SVG keeps its text as text (searchable,
    editable) and carries no timestamp, so the same run writes the same files.

    Args:
        tables: the run's tables, keyed by name.
        out_dir: folder to write into (created if missing).
        formats: file formats, as matplotlib names them.
        title: a line naming the run (e.g. the scenario and seed), shown under each
            figure's title.
        workers: processes drawing at once. ``None`` uses a second core when it is safe
            to fork (a single-threaded, non-daemonic process on a machine with two
            cores or more) and a core is idle (see :func:`_core_free`); 1 draws
            everything here.

    Returns:
        The paths written, figure by figure in the order of :data:`FIGURES`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(FIGURES)
    if workers is None:
        workers = 2 if _can_fork() and _core_free() else 1
    if workers <= 1 or len(names) < 2:
        written = _write_figures(names, tables, out, formats, title)
    else:
        # the costliest figures go to a forked child, the rest are drawn here meanwhile
        groups: tuple[list[str], list[str]] = ([], [])
        loads = [0.0, 0.0]
        for n in sorted(names, key=lambda n: -_COST.get(n, 150)):
            k = int(loads[1] < loads[0])
            groups[k].append(n)
            loads[k] += _COST.get(n, 150)
        share, mine = groups
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            with warnings.catch_warnings():
                # Python counts native threads too (the BLAS and Arrow pools that numpy and
                # pandas start), which install their own at-fork handlers; no Python
                # thread is running here (see _can_fork), so the generic warning is moot.
                warnings.filterwarnings(
                    "ignore", "This process .* is multi-threaded", DeprecationWarning
                )
                theirs = pool.submit(_write_figures, share, tables, out, formats, title)
            written = _write_figures(mine, tables, out, formats, title)
            written += theirs.result()
    order = {n: k for k, n in enumerate(names)}
    return sorted(written, key=lambda p: (order[p.stem], list(formats).index(p.suffix[1:])))


def _core_free() -> bool:
    """Whether a core is idle now, so that a second drawing process would run alongside.

    A forked process and its parent both pay copy-on-write page faults for the memory
    they touch after the fork (about 0.15 s of CPU each for the eight figures), which a
    core of its own repays and a shared one does not: with both cores busy with other
    work, the figures took 1.67 s in two processes and 1.40 s in one (medians of eight).
    Linux counts the tasks running at this moment (this one included) in /proc/loadavg;
    elsewhere the one-minute load average stands in for it.
    """
    cores = os.cpu_count() or 1
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0] <= cores - 1
        except OSError:
            return True
    return running - 1 <= cores - 2


def _can_fork() -> bool:
    """Whether a child process may be forked here without risk (no threads to deadlock).

    Linux only: macOS offers fork, but its system libraries may start threads that a
    forked child inherits stopped (Python's documentation calls it unsafe there).
    """
    return (
        (os.cpu_count() or 1) >= 2
        and sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def _write_figures(
    names: Sequence[str], tables: Tables, out: Path, formats: Sequence[str], title: str | None
) -> list[Path]:
    written: list[Path] = []
    pending: list[Future] = []
    # PNG compression releases the GIL: it runs in a thread while the next figure is drawn
    with mpl.rc_context(STYLE), ThreadPoolExecutor(max_workers=1) as encoder:
        for name in names:
            with garbage_freed_young():
                written += _write_figure(name, tables, out, formats, title, encoder, pending)
        for job in pending:
            job.result()
    return written


def _write_figure(
    name: str,
    tables: Tables,
    out: Path,
    formats: Sequence[str],
    title: str | None,
    encoder: ThreadPoolExecutor,
    pending: list[Future],
) -> list[Path]:
    """Draw one figure and write it in every format (PNGs are encoded by ``encoder``)."""
    fig = FIGURES[name](tables, subtitle=title)
    _freeze_ticks(fig)
    written = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        if fmt == "png":
            fig.set_dpi(PNG_DPI)
            fig.canvas.draw()
            rgba = np.asarray(fig.canvas.buffer_rgba())  # outlives the figure, for the thread
            pending.append(encoder.submit(_write_png, rgba, path))
        else:
            meta = {"Date": None} if fmt in ("svg", "pdf") else None
            fig.savefig(path, format=fmt, dpi=PNG_DPI, metadata=meta)
        written.append(path)
    return written


@contextmanager
def garbage_freed_young() -> Iterator[None]:
    """Free a figure's objects as soon as it is written, without walking the whole heap.

    A figure is several thousand objects held in reference cycles, so only Python's
    cyclic collector frees them. Left to itself, the collector runs many times while a
    figure is drawn, promotes the figure to its oldest generation, and frees it only in
    a full collection, which walks every object of the process (the tables, pandas,
    numpy, matplotlib: about 160,000) and costs 0.2 s. With collection paused while
    a figure is built and drawn, everything it made is still in the youngest
    generation when it is done, and collecting that generation alone frees it.
    """
    if not gc.isenabled():  # the caller manages collection
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _freeze_ticks(fig: Figure) -> None:
    """Replace each axis's ticks by three artists fixed where matplotlib would draw them.

    A matplotlib tick is five artists (two marks, a grid line, two labels), created by
    copying the first tick and re-placed at every draw; with each axis also measuring
    its tick labels again to place its own label, the ticks cost half of drawing a
    figure. A file is drawn from limits that no longer change, so the tick positions
    and labels are taken once from the axis's own locator and formatter, and drawn as
    one line of grid lines, one line of tick marks and a text per label, copied from
    the axis's own template tick: the files look the same, down to the pixel.

    Axes drawn on screen keep their live ticks: only :func:`make_figures` calls this.
    Axes with minor ticks, an offset text ("1e6", "+2024") or a non-linear scale are left
    as they are.
    """
    frozen = [
        _FrozenTicks(axis)
        for ax in fig.axes
        if ax.axison
        for axis in (ax.xaxis, ax.yaxis)
        if _freezable(axis)
    ]
    for ticks in frozen:  # all read before any is switched off: axes share their tickers
        ticks.install()


def _freezable(axis: Axis) -> bool:
    return (
        axis.get_visible()
        and axis.get_scale() == "linear"
        and isinstance(axis.get_minor_locator(), NullLocator)
    )


class _FrozenTicks(Artist):
    """One axis's grid lines, tick marks and tick labels, and the placing of its label."""

    def __init__(self, axis: Axis) -> None:
        super().__init__()
        self.axis = axis
        self.parts: list[Artist] = []
        self.boxes: tuple[list[Text], list[Text]] = ([], [])
        self.marks = (False, False)
        locs = np.asarray(axis.get_majorticklocs(), dtype=float)
        labels = axis.major.formatter.format_ticks(locs)
        self.offset = axis.major.formatter.get_offset()
        lo, hi = sorted(axis.get_view_interval())
        tol = (hi - lo) * 1e-10  # as matplotlib decides which ticks are in view
        keep = (locs >= lo - tol) & (locs <= hi + tol)
        locs, labels = locs[keep], [t for t, k in zip(labels, keep, strict=True) if k]
        tick = axis.majorTicks[0]  # the template every tick is copied from
        is_x = axis.axis_name == "x"

        def line(template: Line2D, across: np.ndarray, along: np.ndarray) -> Line2D:
            copy = Line2D([], [])
            copy.update_from(template)
            copy.set_data((along, across) if is_x else (across, along))
            copy.set_figure(axis.get_figure(root=False))
            return copy

        if len(locs) and tick.gridline.get_visible():
            span = np.tile([0.0, 1.0, np.nan], len(locs))
            self.parts.append(line(tick.gridline, span, np.repeat(locs, 3)))
        marks = []
        for mark in (tick.tick1line, tick.tick2line):
            marks.append(bool(len(locs)) and mark.get_visible())
            if marks[-1]:
                fixed = (mark.get_ydata() if is_x else mark.get_xdata())[0]
                self.parts.append(line(mark, np.full(len(locs), fixed), locs))
        self.marks = (marks[0], marks[1])
        for side, template in enumerate((tick.label1, tick.label2)):
            if not template.get_visible():
                continue
            x0, y0 = template.get_position()
            for loc, label in zip(locs, labels, strict=True):
                text = Text((loc if is_x else x0), (y0 if is_x else loc), label)
                text.update_from(template)
                text.set_rotation_mode(template.get_rotation_mode())
                text.set_figure(axis.get_figure(root=False))
                self.parts.append(text)
                self.boxes[side].append(text)
        self.set_zorder(axis.get_zorder() - 0.01)  # before the axis: its label is placed

    def install(self) -> None:
        """Switch the axis's own ticks off and put these in their place."""
        axis = self.axis
        if self.offset:
            return
        axis.set_tick_params(
            which="major",
            tick1On=False,
            tick2On=False,
            label1On=False,
            label2On=False,
            gridOn=False,
        )
        label = axis.label
        axis.set_label_coords(*label.get_position(), transform=label.get_transform())
        axis.axes.add_artist(self)

    def get_children(self) -> list[Artist]:
        return list(self.parts)

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible():
            return
        for part in self.parts:
            part.draw(renderer)
        if self.axis.label.get_text():
            self._place_label(renderer)
        self.stale = False

    def _place_label(self, renderer: RendererBase) -> None:
        """Where matplotlib would put the axis label: clear of the tick labels and marks."""
        axis, ax = self.axis, self.axis.axes
        dpi = axis.get_figure(root=True).dpi
        side = axis.label_position  # bottom or top for x, left or right for y
        first = side in ("bottom", "left")
        spine = ax.spines.get(side)
        box = (spine if spine is not None else ax).get_window_extent(renderer).frozen()
        if self.marks[0 if first else 1]:
            size = axis.majorTicks[0].get_tick_padding() * dpi / 72
            if side == "bottom":
                box.y0 -= size
            elif side == "top":
                box.y1 += size
            elif side == "left":
                box.x0 -= size
            else:
                box.x1 += size
        box = Bbox.union(
            [box, *(t.get_window_extent(renderer) for t in self.boxes[0 if first else 1])]
        )
        pad = axis.labelpad * dpi / 72
        x, y = axis.label.get_position()
        axis.label.set_position(
            {
                "bottom": (x, box.y0 - pad),
                "top": (x, box.y1 + pad),
                "left": (box.x0 - pad, y),
                "right": (box.x1 + pad, y),
            }[side]
        )


def _write_png(rgba: np.ndarray, path: Path) -> None:
    """Write a drawn canvas (its RGBA buffer) as a PNG file that records its resolution.

    Written here rather than by Pillow, whose encoder tries every PNG filter on every
    row: flat-coloured charts compress as well unfiltered (the files come out smaller)
    in a third of the time. The alpha channel of an opaque figure (every figure here)
    is dropped, which loses nothing and leaves a quarter less to compress. numpy's copy
    and zlib release the GIL, so this runs in a thread while the next figure is drawn.
    """
    height, width, _ = rgba.shape
    channels = 3 if (rgba[..., 3] == 255).all() else 4
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # each row's filter: none
    rows[:, 1:].reshape(height, width, channels)[...] = rgba[..., :channels]
    colour_type = 2 if channels == 3 else 6  # RGB or RGBA, 8 bits a channel
    per_metre = round(PNG_DPI / 0.0254)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
        )

    png = b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(memoryview(rows), 1)),
            chunk(b"IEND", b""),
        )
    )
    path.write_bytes(png)
