"""The bench's report: Markdown tables, profiles, and targets stated raw and normalised to the machine.

A timing target is kept as its raw measurements until the report is written; it is then judged against
the goal twice: as measured, and normalised to the reference machine with the run's speed index
(bench/calibrate.py). "met" means met as measured; "met when normalised" means the machine was slower
than the reference during the run and the normalised numbers meet the goal.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.calibrate import normalised
from bench.common import ms


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """Return a Markdown table (also readable as plain text)."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(headers), "| " + " | ".join("-" * w for w in widths) + " |", *map(line, cells)])


def kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def profile(fn, top: int = 8) -> str:
    """Run fn under cProfile; return the top functions by own time as a Markdown table."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    for (file, line, name), (_cc, nc, tt, ct, _callers) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]:  # type: ignore[attr-defined]
        where = f"{Path(file).name}:{line}" if line else "builtin"
        rows.append([f"`{name}` ({where})", nc, f"{tt:.3f}", f"{ct:.3f}", f"{100 * tt / total:.0f}%"])
    return table(["function", "calls", "own s", "cumulative s", "own share"], rows)


@dataclass
class Timed:
    """A timing target over several items (experiments, pages): each must take at most `goal` seconds."""

    name: str
    goal: float
    items: list[tuple[str, float]]  # (what, seconds as measured)
    bound: str = ""                  # what bounds the items over the goal, when some are

    def row(self, index: float) -> list[str]:
        items = [(w, t) for w, t in self.items if t == t]  # NaN: not measured
        if not items:
            return [self.name, f"≤ {ms(self.goal)} ms", "not measured", "skipped", self.bound]
        raw_over = [(w, t) for w, t in items if t > self.goal]
        norm_over = [(w, t) for w, t in items if normalised(t, index) > self.goal]
        worst, t = max(items, key=lambda i: i[1])
        measured = (f"{len(items) - len(raw_over)}/{len(items)} within as measured, "
                    f"{len(items) - len(norm_over)}/{len(items)} normalised; slowest {worst} {ms(t)} ms "
                    f"({ms(normalised(t, index))} ms normalised)")
        verdict = "met" if not raw_over else "met when normalised" if not norm_over else "**not met**"
        over = "; ".join(f"{w} ({ms(t)} ms, {ms(normalised(t, index))} normalised)" for w, t in norm_over)
        bound = "" if not norm_over else f"over: {over}" + (f" — {self.bound}" if self.bound else "")
        return [self.name, f"≤ {ms(self.goal)} ms", measured, verdict, bound]


class Report:
    def __init__(self) -> None:
        self.sections: list[str] = []
        self.targets: list[list[str] | Timed] = []
        self.notes: list[str] = []
        self.index = 1.0  # the run's machine speed index (bench/calibrate.py), set once measured

    def section(self, title: str, body: str) -> None:
        self.sections.append(f"## {title}\n\n{body}\n")
        print(f"\n== {title}\n{body}", flush=True)

    def target(self, name: str, goal: str, measured: str, met: bool | None, bound: str = "",
               verdict: str = "") -> None:
        verdict = verdict or ("skipped" if met is None else ("met" if met else "**not met**"))
        self.targets.append([name, goal, measured, verdict, bound])

    def timed(self, name: str, goal: float, items: list[tuple[str, float]], bound: str = "") -> None:
        """A timing target, judged raw and normalised when the report is written."""
        self.targets.append(Timed(name, goal, items, bound))

    def target_table(self) -> str:
        rows = [t.row(self.index) if isinstance(t, Timed) else t for t in self.targets]
        return table(["target", "goal", "measured", "verdict", "what bounds it"], rows)
