"""The model table as a ``mesa.DataCollector``, for Mesa's own tools (``mesa.batch_run``).

A model built from keywords (as ``mesa.batch_run`` builds it) records with a
:class:`CollectingRecorder`: each quarter's model-table row goes both to the table and,
column by column, to a DataCollector, so what Mesa's tools read is the model table,
number for number. Runs and sweeps record with their own recorders and pay nothing.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa

from latticesim.common.quarters import Quarter
from latticesim.model.recorder import Recorder

if TYPE_CHECKING:
    from latticesim.model.interface import RecordedModel


def _cell(column: str, model: Any) -> Any:
    """The model's latest model-table value in ``column`` (NaN when this quarter has none)."""
    return model.recorder.model_rows[-1].get(column, math.nan)


class TableCollector(mesa.DataCollector):
    """A DataCollector with one model reporter per model-table column.

    A forum founded during a run adds its ``share_`` column to the table; the collector
    adds a reporter for it and gives the quarters before NaN, as the table does.
    """

    def collect_row(self, model: RecordedModel, row: dict[str, Any]) -> None:
        """Collect the quarter whose model-table row is ``row`` (the recorder's latest)."""
        collected = len(next(iter(self.model_vars.values()), ()))
        for column in row:
            if column not in self.model_reporters:
                self.model_reporters[column] = partial(_cell, column)
                self.model_vars[column] = [math.nan] * collected
        self.collect(model)


class CollectingRecorder(Recorder):
    """A :class:`~latticesim.model.recorder.Recorder` that also fills a DataCollector."""

    def __init__(self, model: RecordedModel, record_actors: bool = True) -> None:
        super().__init__(model, record_actors=record_actors)
        self.datacollector = TableCollector()

    def record_step(self, quarter: Quarter, step: int) -> None:
        """The quarter's rows, and the model-table row collected column by column."""
        super().record_step(quarter, step)
        self.datacollector.collect_row(self.model, self.model_rows[-1])
