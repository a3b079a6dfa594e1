"""Check every experiment's cost model against measured time, at the edges of its allowed region.

For each cost field, with the other cost fields at their minimum and then at their defaults, find
(by bisection on the cost model alone) the largest value still under the work budget, run the
experiment there and time it. A ratio measured/estimated well above 1 near the 2 s budget means
the model underestimates and a request may compute for longer than the budget allows.

    .venv/bin/python scripts/cost_check.py [exercise-id ...]   (prints a Markdown table)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.exercises.registry import EXERCISES  # noqa: E402
from bench.work_estimate import bounds, edge  # noqa: E402


def main(ids: list[str]) -> None:
    print("| experiment | edge | estimate s | wall s | CPU s | ratio |\n|---|---|---|---|---|---|")
    for ex in EXERCISES.values():
        if ids and ex.id not in ids:
            continue
        for e in ex.experiments:
            if not e.cost:
                continue
            mins = {n: bounds(e.params, n)[1] for n in e.cost_fields}
            seen = set()
            for label, base in (("others min", mins), ("others default", {})):
                for name in e.cost_fields:
                    rest = {k: v for k, v in base.items() if k != name}
                    v = edge(e, rest, name)
                    if v is None:
                        continue
                    q = {**rest, name: v}
                    key = tuple(sorted(q.items()))
                    if key in seen:
                        continue
                    seen.add(key)
                    p = e.params.model_validate(q)
                    est = e.cost(p)
                    w, c = time.perf_counter(), time.process_time()
                    e.run(p)
                    w, c = time.perf_counter() - w, time.process_time() - c
                    print(f"| {ex.id}/{e.name} | {name}={v} ({label}) | {est:.2f} | {w:.2f} | {c:.2f} | "
                          f"{min(w, c) / max(est, 1e-3):.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
