"""scripts/scale_stack.py (the deployed stack on loopback) for the tests: scripts/ is not a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from bench.common import free_port

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "scale_stack.py"
_spec = importlib.util.spec_from_file_location("scale_stack", _PATH)
scale_stack = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("scale_stack", scale_stack)
_spec.loader.exec_module(scale_stack)

Replica = scale_stack.Replica

__all__ = ["Replica", "free_port", "scale_stack"]
