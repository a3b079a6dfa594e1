"""`make load`'s script, run briefly: it starts 2 workers, drives every class of request, and reports.

The server skips its warm-up (computing every default in each worker is what `make load` waits
for, not what this test checks), and only two quick exercises are visited (the first view of a page
computes the numbers its text quotes: tens of seconds over all nine). Only the report's shape and
the absence of server errors are asserted; its latency goals are for `make load` to measure, never
for a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_short_load_run_reports_every_class_without_server_errors(tmp_path):
    out = tmp_path / "LOAD.md"
    out.write_text("# an older report\n\n## Notes\n\nkept\n")  # notes written by people survive a run
    run = subprocess.run([sys.executable, "scripts/load.py", "--seconds", "3", "--clients", "4", "--workers", "2",
                          "--no-warmup", "--exercises", "4-4", "4-8", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    report = out.read_text()
    for row in ("| page |", "| static |", "| experiment |", "| web worker |", "| compute child |"):
        assert row in report, row
    assert "- PASS: no 5xx but deliberate 503s" in report
    assert "Requests served per web worker" in report and "The load client's own event loop" in report
    assert "an older report" not in report and report.rstrip().endswith("## Notes\n\nkept")
