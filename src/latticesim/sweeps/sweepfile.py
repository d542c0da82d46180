"""Reading sweep files: YAML in, a checked :class:`Experiment` (or one line per mistake) out.

A sweep file is read like a scenario file (YAML with the line and column of every
value), validated by the pydantic models of :mod:`latticesim.sweeps.schema` (their errors
translated by :func:`latticesim.scenario.messages.problems_from`), then checked against
the scenario it names: each parameter path must name a value of the scenario and each
value fit it; outcomes' columns and forums must exist. A mistake in a sweep file reads
like a mistake in a scenario file: ``FILE:LINE:COL: field: message``, with suggestions.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from latticesim.common.limits import MAX_RUNS
from latticesim.common.quarters import Quarter
from latticesim.common.text import quoted
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import (
    FieldPath,
    Origin,
    Problem,
    ScenarioError,
    Tree,
    format_path,
    kind,
    problems_from,
    show,
)
from latticesim.scenario.numbers import folder_name_problem
from latticesim.scenario.reading import parse_yaml, plain_tree, read_text, similar_file
from latticesim.scenario.references import check_references
from latticesim.scenario.schema import ScenarioSpec
from latticesim.scenario.walk import without_tags
from latticesim.sweeps.columns import check_model_column, check_outcome, table_columns
from latticesim.sweeps.designs import (
    DESIGN_NAMES,
    MAX_POINTS,
    CalibratedDraws,
    design_size,
    frange,
    frange_count,
)
from latticesim.sweeps.experiment import (
    RESERVED_COLUMNS,
    Experiment,
    Metrics,
    Outcome,
    Parameter,
    default_metrics,
)
from latticesim.sweeps.paths import kind_of, override, parse_path, resolve_path
from latticesim.sweeps.schema import OutcomeSpec, ParameterSpec, SweepFile

__all__ = ["SweepError", "load_experiment", "read_tree"]

_RANGE_KEYS = {"start": "from", "stop": "to", "step": "step"}
_SECTIONS = (("parameters",), ("metrics",))
"""Parts of a sweep file whose entries are taken out one by one when they have problems."""


class SweepError(ScenarioError):
    """A sweep file with mistakes; ``str()`` is one line per problem, like a scenario's."""


def load_experiment(path: str | os.PathLike[str], *, allow_large: bool = False) -> Experiment:
    """Read and check a sweep file; the scenario it names is loaded and checked too.

    A plan of more than ``MAX_RUNS`` runs is refused unless ``allow_large``.

    Raises:
        SweepError: listing every problem, one line each (``FILE:LINE:COL: field:
            message``); problems in the scenario file are reported where they are.
    """
    display = os.fspath(path)
    tree = read_tree(display)
    sweep, design, problems = _validate(tree)
    if sweep is None:
        raise SweepError(problems)
    check = _CrossCheck(tree, sweep, problems, allow_large=allow_large)
    experiment = check.experiment(display, design)
    if experiment is None or check.problems:
        raise SweepError(check.problems)
    return experiment


# --------------------------------------------------------------------------- reading


def read_tree(display: str, what: str = "sweep", keys: str = "scenario:, parameters:") -> Tree:
    """A sweep (or comparison) file as a plain tree with origins; one problem if unreadable.

    ``what`` names the kind of file and ``keys`` its first keys, in the messages.
    """
    path = Path(display)
    if path.is_dir():
        raise SweepError([Problem(display, 1, 1, "", f"is a folder, not a {what} file")])
    if not path.is_file():
        raise SweepError([Problem(display, 1, 1, "", f"no such file{similar_file(path)}")])
    text = ""
    try:
        text = read_text(display)
        raw = parse_yaml(display, text)
    except ScenarioError as exc:
        raise SweepError([_bracket_hint(p, text) for p in exc.problems]) from None
    if raw is None:
        message = f"the file is empty; a {what} needs at least {keys.split(',')[0]}"
        raise SweepError([Problem(display, 1, 1, "", message)])
    if not isinstance(raw, CommentedMap):
        message = f"the top level must be a mapping of keys ({keys}, ...), not {kind(raw)}"
        raise SweepError([Problem(display, 1, 1, "", message)])
    return plain_tree(raw, display)


def _bracket_hint(problem: Problem, text: str) -> Problem:
    """Explain the YAML trap of ``[events[0].amount]``: an index inside ``[...]`` or ``{...}``."""
    lines = text.splitlines()
    line = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
    if re.search(r"[\[{][^\]}]*\w\[\d+\]", line):
        hint = (
            "; a path with [i] inside [...] or {...} needs quotes, e.g. "
            '["events[0].amount", "events[0].resources"] (or write events.0.amount)'
        )
        return Problem(
            problem.file, problem.line, problem.col, problem.path, problem.message + hint
        )
    return problem


def _validate(tree: Tree) -> tuple[SweepFile | None, str | None, list[Problem]]:
    """The sweep file as validated by its schema, with the schema's problems.

    With problems, what is left once each part with a problem is taken out (a parameter,
    an outcome, a setting) is validated again, so the scenario-dependent checks of the
    other parts still run and a file's mistakes are reported together. Also returned:
    the design's type, if it is known (parameters are not checked against a guess).
    """
    try:
        sweep = SweepFile.model_validate(tree.data)
        return sweep, sweep.design.type, []
    except ValidationError as exc:
        problems = problems_from(exc, tree, SweepFile)
        errors = exc.errors(include_url=False)
    pruned: Any = tree.data
    for err in errors:
        loc = without_tags(SweepFile, tuple(err["loc"]))
        depth = 3 if loc[:2] == ("metrics", "outcomes") else 2 if loc[:1] in _SECTIONS else 1
        pruned = _without(pruned, loc[:depth])
    design = tree.data.get("design", "grid")
    if isinstance(design, dict):
        design = design.get("type")
    known = design if isinstance(design, str) and design in DESIGN_NAMES else None
    try:
        return SweepFile.model_validate(pruned), known, problems
    except ValidationError:
        return None, known, problems


def _without(node: Any, path: FieldPath) -> Any:
    """A copy of ``node`` without the key at ``path`` (copying only along the path)."""
    if not path or not isinstance(node, dict) or path[0] not in node:
        return node
    out = dict(node)
    if len(path) == 1:
        del out[path[0]]
    else:
        out[path[0]] = _without(out[path[0]], path[1:])
    return out


class _CrossCheck:
    """The checks of a valid sweep file that need its scenario, collecting every problem."""

    def __init__(
        self, tree: Tree, sweep: SweepFile, problems: list[Problem], *, allow_large: bool = False
    ) -> None:
        self.tree = tree
        self.sweep = sweep
        self.problems = list(problems)
        self.allow_large = allow_large

    def add(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.tree.problem(path, message, key=key))

    def size(self, design: str | None, params: list[Parameter]) -> None:
        """Refuse a design, or a plan of runs, too large to make, before it is made."""
        if design == "grid":
            n_points = math.prod(len(p.values or ()) for p in params)
            at: FieldPath = ("parameters",)
        else:
            options = self.sweep.design.model_dump(exclude={"type"})
            n_points = design_size(str(design), options, len(params))
            at = ("design",)
        if n_points > MAX_POINTS:
            self.add(at, f"the design has {n_points:,} points; at most {MAX_POINTS:,}")
            return
        n_runs = n_points * self.sweep.replications
        if n_runs > MAX_RUNS and not self.allow_large:
            self.add(
                ("replications",),
                f"plans {n_runs:,} runs ({n_points:,} points x {self.sweep.replications:,}); "
                f"more than {MAX_RUNS:,} need --allow-large",
            )

    def experiment(self, display: str, design: str | None) -> Experiment | None:
        """The experiment the file describes, or None when it has problems.

        ``design`` is the type of design the file names, None when it names none that exists.
        """
        sweep = self.sweep
        spec, scenario_file = self.scenario(display)
        if spec is None:
            return None
        until = self.until(spec)
        calibrated = self.calibrated() if design == "calibrated" else None
        grid = "grid" if design == "calibrated" else design  # its parameters are a grid's
        params = self.parameters(spec, grid)
        end = Quarter.parse(until) if until else spec.horizon_quarter
        metrics = self.metrics(spec, end)
        if not self.problems:
            self.size(grid, params)
        stem = Path(display).stem
        if sweep.name is None and (problem := folder_name_problem(stem)):
            self.add(
                (),
                f"the file's name {quoted(stem)} is the sweep's name, which {problem}; add name:",
            )
        if self.problems:
            return None
        return Experiment(
            name=sweep.name or stem,
            spec=spec,
            seed=sweep.seed,
            replications=sweep.replications,
            parameters=tuple(params),
            metrics=metrics,
            design=sweep.design.type,
            design_options=sweep.design.model_dump(exclude={"type"}),
            until=until,
            description=(sweep.description or "").strip(),
            file=display,
            scenario_file=scenario_file,
            chunk_size=sweep.chunk_size,
            calibrated=calibrated,
        )

    def calibrated(self) -> CalibratedDraws | None:
        """The shipped accepted set a ``calibrated`` design draws from (a problem if none)."""
        from latticesim.sweeps.calibration import CalibrationError, calibrated_draws

        try:
            return calibrated_draws()
        except CalibrationError as exc:
            self.add(("design",), str(exc))
            return None

    def scenario(self, display: str) -> tuple[ScenarioSpec | None, str | None]:
        value = self.sweep.scenario
        target = os.path.normpath(os.path.join(os.path.dirname(display), value.strip()))
        if not Path(target).is_file():
            self.add(
                ("scenario",),
                f"cannot find '{value}' (looked for {target}; the path is relative to the "
                f"sweep file){similar_file(target)}",
            )
            return None, None
        try:
            spec = load_scenario(target)
        except ScenarioError as exc:
            self.problems.extend(exc.problems)
            return None, None
        return spec, target

    def until(self, spec: ScenarioSpec) -> str | None:
        if self.sweep.until is None:
            return None
        q = Quarter.parse(self.sweep.until)
        if q < spec.start_quarter:
            self.add(("until",), f"{q} is before the scenario's start {spec.start}")
            return None
        return str(q)

    # parameters -----------------------------------------------------------------

    def parameters(self, spec: ScenarioSpec, design: str | None) -> list[Parameter]:
        dump = spec.model_dump(mode="json", by_alias=True)
        out: list[Parameter] = []
        for name, entry in self.sweep.parameters.items():
            p = self.parameter(dump, design, name, entry)
            if p is not None:
                out.append(p)
        if design not in ("grid", None):
            for p in out:
                if p.kind not in ("int", "float"):
                    self.add(("parameters", p.name), "a sampled design varies numbers only")
        return out

    def parameter(
        self, dump: dict[str, Any], design: str | None, name: str, entry: ParameterSpec
    ) -> Parameter | None:
        at: FieldPath = ("parameters", name)
        if name in RESERVED_COLUMNS:
            self.add(
                at, f"'{name}' is a column of the results already; name it otherwise", key=True
            )
            return None
        found = self.paths(dump, at, name, entry)
        if found is None or design is None or not self.fits_design(at, design, entry):
            return None
        paths, kind_ = found
        values = _Values(self, dump, paths, kind_)
        if design != "grid":
            return values.bounds(at, name, entry)
        if entry.values is not None:
            shorthand = isinstance(self.tree.data["parameters"][name], list)
            return values.listed(at if shorthand else (*at, "values"), name, entry.values)
        return values.range(at, name, entry)

    def paths(
        self, dump: dict[str, Any], at: FieldPath, name: str, entry: ParameterSpec
    ) -> tuple[tuple[FieldPath, ...], str] | None:
        """The scenario paths a parameter sets, and the kind of value they all take."""
        keyed = "path" not in entry.model_fields_set
        raw = name if keyed else entry.path
        path_at = at if keyed else (*at, "path")
        texts = raw if isinstance(raw, list) else [raw]
        if not texts:
            self.add(path_at, "lists no paths")
            return None
        resolved: list[tuple[FieldPath, Any]] = []
        for i, text in enumerate(texts):
            where = (*path_at, i) if isinstance(raw, list) else path_at
            try:
                p = parse_path(text)
                tp, _ = resolve_path(dump, p)
            except ValueError as exc:
                self.add(where, str(exc), key=keyed)
                continue
            resolved.append((p, tp))
        if len(resolved) != len(texts):
            return None
        kinds = {kind_of(tp) for _, tp in resolved}
        if kinds == {"int", "float"}:
            kinds = {"float"}
        if len(kinds) > 1:
            self.add(path_at, "the paths hold different kinds of values; vary them separately")
            return None
        return tuple(p for p, _ in resolved), kinds.pop()

    def fits_design(self, at: FieldPath, design: str, entry: ParameterSpec) -> bool:
        """Whether the parameter gives what its design needs: bounds, values or a range."""
        given = entry.model_fields_set
        ranged = {k for k in ("start", "stop", "step") if k in given}
        if design != "grid":
            if "values" in given or ranged or not {"low", "high"} <= given:
                self.add(
                    at,
                    f"a {DESIGN_NAMES[design]} design samples each parameter between min: and "
                    "max:; give those instead of values or from/to/step",
                    key=True,
                )
                return False
            return True
        if given & {"low", "high"}:
            message = (
                "min:/max: are for sampled designs (lhs, sobol, morris); a grid takes values: "
                "[...] or from:, to: and step:"
            )
        elif "values" in given and ranged:
            message = "give either values: or from:/to:/step:, not both"
        elif "values" not in given and len(ranged) < 3:
            missing = [_RANGE_KEYS[k] for k in ("start", "stop", "step") if k not in ranged]
            message = (
                f"give values: [...] or a range with from:, to: and step: ({', '.join(missing)} "
                "missing)"
            )
        else:
            return True
        self.add(at, message, key=True)
        return False

    # metrics --------------------------------------------------------------------

    def metrics(self, spec: ScenarioSpec, end: Quarter) -> Metrics:
        columns = table_columns(spec, end)
        model_cols = columns["model"]
        if "metrics" not in self.sweep.model_fields_set:
            return default_metrics(model_cols)
        at: FieldPath = ("metrics",)
        m = self.sweep.metrics
        series: list[str] = []
        for i, col in enumerate(m.series):
            if check_model_column(self.add, model_cols, col, (*at, "series", i)):
                if col in series or col in RESERVED_COLUMNS:
                    self.add((*at, "series", i), f"'{col}' is listed twice or is a fixed column")
                else:
                    series.append(col)
        outcomes: list[Outcome] = []
        if m.outcomes is None:
            outcomes = [
                Outcome(f"{c}_end", column=c, stat="mean", last=4)
                for c in series
                if model_cols.get(c, "number") == "number"
            ]
        for name, o in (m.outcomes or {}).items():
            where = (*at, "outcomes", name)
            if name in RESERVED_COLUMNS:
                self.add(where, f"'{name}' is a column of the results already", key=True)
                continue
            if check_outcome(self.add, where, o, spec, end, columns):
                outcomes.append(_outcome(name, o))
        text = frozenset(c for c in series if model_cols.get(c) == "text")
        return Metrics(tuple(series), m.every, tuple(outcomes), text)


def _outcome(name: str, o: OutcomeSpec) -> Outcome:
    return Outcome(name=name, **o.model_dump())


class _Values:
    """A parameter's values, each checked against every scenario value it sets."""

    def __init__(
        self, check: _CrossCheck, dump: dict[str, Any], paths: tuple[FieldPath, ...], kind_: str
    ) -> None:
        self.check, self.dump, self.paths, self.kind = check, dump, paths, kind_

    def fit(self, at: FieldPath, value: Any) -> bool:
        """Whether ``value`` fits every path (a problem at ``at`` when it does not)."""
        for path in self.paths:
            message = self.problem(path, value)
            if message is not None:
                self.check.add(at, message)
                return False
        return True

    def problem(self, path: FieldPath, value: Any) -> str | None:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if self.kind in ("int", "float") and not number:
            return f"{format_path(path)}: must be a number, got {show(value)}"
        data = override(self.dump, [(path, value)])
        tree = Tree(data, {(): Origin("", 1, 1)})
        try:
            ScenarioSpec.model_validate(data)
        except ValidationError as exc:
            found = problems_from(exc, tree, ScenarioSpec)
            if not found:
                return f"{format_path(path)}: {show(value)} does not fit"
            return f"{found[0].path}: {found[0].message}"
        if number:
            return None
        found = check_references(tree)
        return f"{format_path(path)}: {found[0].message}" if found else None

    def listed(self, at: FieldPath, name: str, values: list[Any]) -> Parameter | None:
        if not values:
            self.check.add(at, "must be a non-empty list of values, e.g. [0.1, 0.2, 0.3]")
            return None
        if len({json.dumps(v, sort_keys=True) for v in values}) < len(values):
            self.check.add(at, "lists a value twice")
            return None
        if not all(self.fit((*at, i), v) for i, v in enumerate(values)):
            return None
        return Parameter(name, self.paths, self.kind, values=tuple(values))

    def range(self, at: FieldPath, name: str, entry: ParameterSpec) -> Parameter | None:
        shown = format_path(self.paths[0])
        if self.kind not in ("int", "float"):
            self.check.add(at, f"{shown} is not a number; list its values instead", key=True)
            return None
        assert entry.start is not None and entry.stop is not None and entry.step is not None
        count = frange_count(entry.start, entry.stop, entry.step)
        if count > MAX_POINTS:
            self.check.add(
                (*at, "step"), f"makes {count:,} values, at most {MAX_POINTS:,}; use a larger step"
            )
            return None
        values = frange(entry.start, entry.stop, entry.step)
        if self.kind == "int" and not all(float(v).is_integer() for v in values):
            self.check.add((*at, "step"), f"{shown} takes whole numbers; use whole steps")
            return None
        if not (self.fit((*at, "from"), values[0]) and self.fit((*at, "to"), values[-1])):
            return None
        return Parameter(name, self.paths, self.kind, values=tuple(values))

    def bounds(self, at: FieldPath, name: str, entry: ParameterSpec) -> Parameter | None:
        lo, hi = entry.low, entry.high
        assert lo is not None and hi is not None
        if not (self.fit((*at, "min"), lo) and self.fit((*at, "max"), hi)):
            return None
        whole = True
        if self.kind == "int":
            for key, v in (("min", lo), ("max", hi)):
                if not float(v).is_integer():
                    self.check.add((*at, key), f"{format_path(self.paths[0])} takes whole numbers")
                    whole = False
        return Parameter(name, self.paths, self.kind, low=lo, high=hi) if whole else None
