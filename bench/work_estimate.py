"""Estimate against measurement: every experiment's work estimate (app.exercises.work) beside its CPU time.

For every experiment with a cost, two settings: its defaults, and a large one (the first cost field
pushed as far as the estimate allows under the budget, the others at their defaults; the edge
scripts/cost_check.py probes for every field). Each runs once untimed (imports, caches) and is then
timed by CPU seconds, the best of `--repeat`. The ratio estimate / measured should sit above 1 (the
budget must hold on the reference machine) and not far above it (or the page refuses settings it
could run): `--check` exits non-zero when a ratio leaves [LOW, HIGH]. `--corners` adds every corner of
the cost fields that the estimate lets through, where fields that are each right alone can be wrong
together. Timings, so a bench and not a test: run it on a quiet machine with OPENBLAS_NUM_THREADS=1.

    .venv/bin/python -m bench.work_estimate [--check] [--corners] [--repeat N] [exercise-id ...]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any

from pydantic import ValidationError

from app.exercises.base import WORK_BUDGET_SECONDS, Experiment
from app.exercises.playground.experiment import TRAIN as PLAYGROUND
from app.exercises.registry import EXERCISES

LOW, HIGH = 0.8, 8.0  # sane ratios of estimate to measured CPU seconds


def bounds(model, name: str) -> tuple[str, float | None, float | None]:
    """Return a param's JSON type and its bounds, as its model's JSON Schema states them."""
    prop = model.model_json_schema()["properties"][name]
    lo = prop.get("minimum", prop.get("exclusiveMinimum"))
    hi = prop.get("maximum", prop.get("exclusiveMaximum"))
    return prop.get("type", ""), lo, hi


def edge(experiment: Experiment, base: dict[str, Any], name: str) -> float | None:
    """Return the largest value of `name` whose estimate is under the budget (others as in base), or None."""
    assert experiment.cost is not None
    kind, lo, hi = bounds(experiment.params, name)
    if lo is None or hi is None:
        return None

    def cost(v: float) -> float:
        try:
            return float(experiment.cost(experiment.params.model_validate({**base, name: v})))
        except ValidationError:
            return float("inf")

    if cost(hi) <= WORK_BUDGET_SECONDS:
        return hi
    if cost(lo) > WORK_BUDGET_SECONDS:
        return None
    a, b = lo, hi
    for _ in range(60):
        mid = (a + b) // 2 if kind == "integer" else (a + b) / 2
        if mid in (a, b):
            break
        a, b = (mid, b) if cost(mid) <= WORK_BUDGET_SECONDS else (a, mid)
    return a


def large(experiment: Experiment) -> dict[str, Any] | None:
    """Return the query with the first cost field at its edge (the others at their defaults), or None."""
    name = experiment.cost_fields[0]
    v = edge(experiment, {}, name)
    return None if v is None else {name: v}


def corners(experiment: Experiment) -> list[dict[str, Any]]:
    """Every corner of the cost fields (each at its minimum or maximum, the other params at their defaults)
    that is valid and that the estimate lets through: where estimates go wrong together (4-1's
    full-batch sweep once passed at 0.8 s and trained for ten), though each field alone looks right."""
    ends = [[(n, v) for v in bounds(experiment.params, n)[1:] if v is not None] for n in experiment.cost_fields]
    out = []
    for combo in itertools.product(*ends):
        query = dict(combo)
        try:
            params = experiment.params.model_validate(query)
        except ValidationError:
            continue
        assert experiment.cost is not None
        if float(experiment.cost(params)) <= WORK_BUDGET_SECONDS and query not in out:
            out.append(query)
    return out


def measure(experiment: Experiment, query: dict[str, Any], repeat: int) -> tuple[float, float]:
    """Return (estimate, best CPU seconds of `repeat` runs) for the query."""
    params = experiment.params.model_validate(query)
    assert experiment.cost is not None
    experiment.run(params)  # warm
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        experiment.run(params)
        best = min(best, time.process_time() - start)
    return float(experiment.cost(params)), best


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if a ratio leaves [{LOW}, {HIGH}]")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--corners", action="store_true",
                    help="also every corner of the cost fields the estimate lets through (slow: minutes)")
    args = ap.parse_args(argv)
    print("| experiment | setting | estimate s | CPU s | estimate / CPU |\n|---|---|---|---|---|")
    bad = []
    pairs = [(ex.id, e) for ex in EXERCISES.values() for e in ex.experiments] + [("playground", PLAYGROUND)]
    for ex_id, e in pairs:
        if e.cost is None or (args.ids and ex_id not in args.ids):
            continue
        big = large(e)
        settings = [("defaults", {}), ("large", big)] + [("corner", q) for q in (corners(e) if args.corners else [])]
        for label, query in settings:
            if query is None:
                continue
            est, cpu = measure(e, query, args.repeat)
            ratio = est / max(cpu, 1e-4)
            flag = "" if LOW <= ratio <= HIGH or max(est, cpu) < 0.02 else " ⚠"
            if flag:
                bad.append(f"{ex_id}/{e.name} {label}")
            shown = " ".join(f"{k}={v}" for k, v in query.items()) or "defaults"
            print(f"| {ex_id}/{e.name} | {shown} | {est:.3f} | {cpu:.3f} | {ratio:.2f}{flag} |", flush=True)
    if bad:
        print(f"\nratios outside [{LOW}, {HIGH}]: {', '.join(bad)}", file=sys.stderr)
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
