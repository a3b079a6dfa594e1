"""What an exercise and an experiment are, independent of HTTP.

An `Exercise` is a question of the book with its experiments. An `Experiment` pairs a bounded
params model (which is also the URL query) with a pure function from params to a `Result`
(metrics, raw data series, Plotly figures). The API and the pages both call `Experiment.run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.i18n import Text, text

# Budget of one request, in estimated seconds on a 2-core machine (../shared/API.md).
WORK_BUDGET_SECONDS = 2.0


class Params(BaseModel):
    """Base of every params model: unknown fields are refused, and the figure language rides along."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: Literal["en", "zh"] = Field(
        "en",
        description="Language of the figure texts.",
        json_schema_extra={"x-label": text("Language", "语言"),
                           "x-help": text("Language of the figure texts.", "图中文字的语言。"),
                           "x-hidden": True},
    )

    def state(self) -> dict[str, Any]:
        """Return the experiment's parameters (defaults filled in), without the language."""
        return self.model_dump(mode="json", exclude={"lang"})


def param(
    default: Any,
    label: Text,
    help: Text,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    scale: Literal["linear", "log"] = "linear",
    step: float | None = None,
    max_length: int | None = None,
) -> Any:
    """Declare a bounded parameter with its bilingual label and help (shown beside the control)."""
    extra: dict[str, Any] = {"x-label": dict(label), "x-help": dict(help)}
    if scale != "linear":
        extra["x-scale"] = scale
    if step is not None:
        extra["x-step"] = step
    return Field(
        default, ge=ge, le=le, gt=gt, lt=lt, max_length=max_length, title=label["en"],
        description=help["en"], json_schema_extra=extra,
    )


def greater_than(field: str, lower: str) -> Any:
    """Return a validator refusing `field` unless it exceeds `lower` (declared before it).

    Use as a class attribute of a params model: `_order = greater_than("x_max", "x_min")`; the
    422 then names `field`.
    """

    def check(cls: type, value: float, info: ValidationInfo) -> float:
        low = info.data.get(lower)
        if low is not None and value <= low:
            raise ValueError(f"{field} must be greater than {lower}")
        return value

    return field_validator(field)(classmethod(check))


@dataclass(frozen=True)
class Metric:
    """How a metric is shown: a label, a one-line meaning, an optional unit."""

    label: Text
    meaning: Text
    unit: Text | None = None
    full_precision: bool = False  # print every digit (reference values), not 6 significant ones


@dataclass(frozen=True)
class Result:
    """What an experiment returns: scalars, raw series and Plotly figure JSON (plain dicts)."""

    metrics: dict[str, Any]
    data: dict[str, Any]
    figures: dict[str, dict[str, Any]]


# Metrics that any training experiment may report, labelled once here.
COMMON_METRICS = {
    "diverged": Metric(text("diverged", "发散"),
                       text("The loss became non-finite, or ended more than 10 % above where it started.",
                            "损失变为非有限值，或训练结束时比初始值高出 10% 以上。")),
    "stalled": Metric(text("stalled", "停滞"),
                      text("Nothing diverged, but the loss ended less than 5 % below where it started: "
                           "a plateau, not a blow-up.",
                           "没有发散，但损失结束时比初始值下降不到 5%：停在平台上，而不是发散。")),
}


class TooCostly(ValueError):
    """Raised when params would exceed the work budget; names the fields to lower."""

    def __init__(self, fields: tuple[str, ...], estimate: float) -> None:
        self.fields = fields
        self.estimate = estimate
        super().__init__(
            f"too costly: about {estimate:.1f} s of computation (budget {WORK_BUDGET_SECONDS:.0f} s); "
            f"lower {', '.join(fields)}"
        )

    def errors(self) -> list[dict[str, Any]]:
        """Return the refusal as field-level errors (FastAPI's 422 shape), one per field to lower."""
        return [{"type": "too_costly", "loc": ("query", f), "msg": str(self), "input": None} for f in self.fields]


@dataclass(frozen=True)
class Experiment:
    """One experiment: params model, pure computation, its metric labels and its cost model."""

    name: str
    title: Text
    summary: Text
    params: type[Params]
    run: Callable[[Any], Result]
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    # Estimated seconds on a 2-core machine, and the fields that drive it.
    cost: Callable[[Any], float] | None = None
    cost_fields: tuple[str, ...] = ()

    def check_budget(self, params: Params) -> None:
        """Raise TooCostly when the estimated cost is over the budget."""
        if self.cost is None:
            return
        estimate = float(self.cost(params))
        if estimate > WORK_BUDGET_SECONDS:
            raise TooCostly(self.cost_fields, estimate)


@dataclass(frozen=True)
class Exercise:
    """One exercise of chapter 4: the book's question and the experiments that answer it."""

    id: str
    title: Text
    question: Text
    experiments: tuple[Experiment, ...] = ()

    def experiment(self, name: str) -> Experiment | None:
        """Return the experiment called `name`, if any."""
        return next((e for e in self.experiments if e.name == name), None)


def finite_or_none(value: Any) -> Any:
    """Turn NumPy values into JSON values; non-finite numbers become None (NaN is not JSON)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "b":
            return value.tolist()
        if value.dtype.kind in "iu":
            return value.tolist()
        return [finite_or_none(v) for v in value.tolist()] if value.ndim <= 1 else [
            finite_or_none(row) for row in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if np.isfinite(v) else None
    if isinstance(value, Mapping):
        return {str(k): finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value
