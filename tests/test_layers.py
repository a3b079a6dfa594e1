"""The layers stay apart: importing the core, the exercises or the figures loads no web framework."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["app.nn", "app.exercises.registry", "app.exercises.info", "app.format", "app.messages",
           "app.options", "app.results", *(f"app.figures.ex4_{i}" for i in range(1, 10))]


def test_no_web_framework_below_the_routes():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in MODULES) +
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'fastapi', 'starlette', 'uvicorn', 'jinja2'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_core_imports_neither_pydantic_nor_plotly():
    code = ("import sys, app.nn.train, app.nn.minor, app.nn.data\n"
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'pydantic', 'plotly', 'fastapi'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
