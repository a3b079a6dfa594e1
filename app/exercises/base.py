"""What an exercise and an experiment are, independent of HTTP.

An `Exercise` is a question of the book with its experiments. An `Experiment` pairs a bounded
params model (which is also the URL query) with a pure function from params to a `Result`
(metrics, raw data series, and what the figures need) and a `draw` function that turns a result
into Plotly figures in either language. The API and the pages both go through app.compute.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.i18n import Text, text

# Budget of one request, in estimated seconds on a 2-core machine (README, "Operating it": Limits).
WORK_BUDGET_SECONDS = 2.0


class Params(BaseModel):
    """Base of every params model: unknown fields are refused. The language is not a parameter: the
    numbers are the same in every language (the API takes `lang` beside the params, app.api)."""

    # validate_default: a cross-field rule (x_max > x_min) holds even when one side keeps its default
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _integers_in_any_notation(cls, data: Any) -> Any:
        """Read "1e3" or "2000.0" as 2000 where a whole number is meant (a URL or a typed box may say so)."""
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        for name, info in cls.model_fields.items():
            raw = out.get(name)
            if info.annotation is int and isinstance(raw, str) and not raw.strip().lstrip("+-").isdigit():
                try:
                    number = float(raw)
                except ValueError:
                    continue
                if number.is_integer() and abs(number) < 2**53:
                    out[name] = int(number)
        return out

    def state(self) -> dict[str, Any]:
        """Return the experiment's parameters (defaults filled in), as the JSON result lists them."""
        return self.model_dump(mode="json")


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
            raise PydanticCustomError("order", "{field} must be greater than {lower}",
                                      {"field": field, "lower": lower})
        return value

    return field_validator(field)(classmethod(check))


@dataclass(frozen=True)
class Metric:
    """How a metric is shown: a label, a one-line meaning, an optional unit."""

    label: Text
    meaning: Text
    unit: Text | None = None
    full_precision: bool = False  # print every digit (reference values), not 6 significant ones


def metric(label_en: str, label_zh: str, meaning_en: str, meaning_zh: str, unit: Text | None = None, *,
           full_precision: bool = False) -> Metric:
    """Return the Metric labelled `label_*` whose one-line meaning is `meaning_*`, in English and Chinese."""
    return Metric(text(label_en, label_zh), text(meaning_en, meaning_zh), unit, full_precision)


@dataclass(frozen=True)
class Result:
    """What an experiment computes: scalars to quote, raw series, and what its figures need.

    metrics and data are sent as they are (the JSON's `metrics` and `data`); `views` holds what only
    the figures need (snapshots, grids, surfaces), never sent. `figures` is empty when computed, and
    filled by Experiment.drawn (the figures in one language, drawn from the rest).
    """

    metrics: dict[str, Any]
    data: dict[str, Any]
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)


# Metrics that any training experiment may report, labelled once here.
COMMON_METRICS = {
    "diverged": metric("diverged", "发散",
                       "The loss became non-finite, or ended more than 10 % above where it started.",
                       "损失变为非有限值，或训练结束时比初始值高出 10% 以上。"),
    "stalled": metric("stalled", "停滞",
                      "Nothing diverged, but the loss ended less than 5 % below where it started: a plateau, not a "
                      "blow-up.", "没有发散，但损失结束时比初始值下降不到 5%：停在平台上，而不是发散。"),
}


class TooCostly(ValueError):
    """Raised when params would exceed the work budget. Says what is too costly, nothing of HTTP.

    estimate: the estimated seconds; fields: the parameters that drive the cost; limits: for each
    field, how far it may go with the other settings as they are (budget_limit), or None when that
    field alone cannot bring the work under the budget. The web layer words it (app.messages).
    """

    def __init__(self, fields: tuple[str, ...], estimate: float,
                 limits: Mapping[str, dict[str, Any] | None] | None = None) -> None:
        self.fields = fields
        self.estimate = estimate
        self.limits = dict(limits or {})
        super().__init__(
            f"too costly: about {estimate:.1f} s of computation (budget {WORK_BUDGET_SECONDS:.0f} s); "
            f"lower {', '.join(fields)}"
        )


def _two_digits_down(v: float) -> float:
    """Round a positive limit down to two significant digits (2374 -> 2300), so the stated limit holds."""
    if v <= 0:
        return v
    scale = 10 ** (np.floor(np.log10(v)) - 1)
    return float(np.floor(v / scale) * scale)


def budget_limit(cost: Callable[[Any], float], params: BaseModel, field: str) -> dict[str, Any] | None:
    """Return how far a numeric `field` may go with the other fields as they are: {"limit": v, "bound":
    "max"} for work that grows with the field (epochs), {"limit": v, "bound": "min"} for work that shrinks
    (batch size); None if no value of the field alone fits the budget (or it is not numeric)."""
    current = getattr(params, field)
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        return None
    info = type(params).model_fields[field]
    bounds = {a: float(getattr(m, a)) for m in info.metadata for a in ("ge", "gt", "le", "lt")
              if getattr(m, a, None) is not None}
    lo = bounds.get("ge", bounds.get("gt", 0.0))
    hi = bounds.get("le", bounds.get("lt", float(current)))
    whole = isinstance(current, int)

    def fits(v: float) -> bool:
        return float(cost(params.model_copy(update={field: int(v) if whole else v}))) <= WORK_BUDGET_SECONDS

    # good end fits, bad end (the current value) does not; bisect between them
    good, bad, bound = (lo, float(current), "max") if fits(lo) else (hi, float(current), "min")
    if bound == "min" and not fits(hi):
        return None
    for _ in range(60):
        mid = (good + bad) / 2
        if whole:
            mid = float(int(mid) if bound == "max" else -int(-mid))
            if mid in (good, bad):
                break
        good, bad = (mid, bad) if fits(mid) else (good, mid)
        if abs(bad - good) <= max(1e-9, 1e-3 * abs(bad)):
            break
    limit = _two_digits_down(good) if bound == "max" and good >= 100 else good
    return {"limit": int(limit) if whole else float(f"{limit:.3g}"), "bound": bound}


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
    # Figures from (result, params, lang): words and pictures drawn after the numbers, in any language.
    draw: Callable[[Result, Any, str], dict[str, dict[str, Any]]] | None = None

    def drawn(self, params: Params, lang: str = "en") -> Result:
        """Compute and draw in `lang`: the Result with its figures, as the API would send it."""
        result = self.run(params)
        if self.draw is None:
            return result
        return replace(result, figures=self.draw(result, params, lang))

    def check_budget(self, params: Params) -> None:
        """Raise TooCostly when the estimated cost is over the budget."""
        if self.cost is None:
            return
        estimate = float(self.cost(params))
        if estimate > WORK_BUDGET_SECONDS:
            cost = self.cost
            raise TooCostly(self.cost_fields, estimate,
                            {f: budget_limit(cost, params, f) for f in self.cost_fields})


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
    """Turn NumPy values into JSON values; non-finite numbers become None (NaN is not JSON).

    Float arrays go to lists in one C call when all their values are finite (the usual case), and
    through an object array with the non-finite entries set to None otherwise: a results body holds
    up to ~10⁵ numbers, and a Python call per number would cost tens of milliseconds.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu":
            return value.tolist()
        if value.dtype.kind == "f":
            finite = np.isfinite(value)
            if finite.all():
                return value.tolist()
            out = value.astype(object)
            out[~finite] = None
            return out.tolist()
        return [finite_or_none(v) for v in value.tolist()] if value.ndim <= 1 else [
            finite_or_none(row) for row in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, Mapping):
        return {str(k): finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value
