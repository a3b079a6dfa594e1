"""The vendored plotly.js: its checksums, its version, and every trace type the figures use."""

from __future__ import annotations

import re
import subprocess
import sys

from app.assets import PLOTLY_JS, ROOT
from app.exercises.registry import EXERCISES

sys.path.insert(0, str(ROOT / "scripts"))
import vendor_plotly  # noqa: E402


def test_vendored_files_match_the_manifest_and_the_python_package():
    assert vendor_plotly.check() == []
    head = PLOTLY_JS.read_text(encoding="utf-8")[:200]
    assert f"v{vendor_plotly.python_plotly_js_version()}" in head and "cartesian" in head


def test_the_check_runs_offline_from_the_command_line():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_plotly.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_every_trace_type_of_every_figure_is_in_the_bundle():
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    available = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', bundle))
    assert {"scatter", "bar", "heatmap", "contour"} <= available
    used = set()
    for exercise in EXERCISES.values():
        for exp in exercise.experiments:
            for fig in exp.run(exp.params()).figures.values():
                used |= {t.get("type", "scatter") for t in fig["data"]}
    assert used <= available, f"figures use {used - available}, which the cartesian bundle lacks"


def test_the_licence_travels_with_the_bundle():
    licence = (ROOT / "static" / "vendor" / "LICENSE-plotly.txt").read_text(encoding="utf-8")
    assert "MIT" in licence or "Permission is hereby granted" in licence
