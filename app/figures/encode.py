"""Encode NumPy arrays as Plotly typed arrays (base64 `bdata`), which plotly.js reads natively.

Typed arrays keep responses small and exact, and base64 of float64 bytes is deterministic.
NaN and infinity may appear inside them: plotly.js draws a gap, and they are not JSON tokens.
"""

from __future__ import annotations

import base64

import numpy as np

_DTYPES = {np.dtype("float64"): "f8", np.dtype("float32"): "f4", np.dtype("int32"): "i4"}


def typed(values: np.ndarray | list, dtype: str = "float64") -> dict:
    """Return the typed-array form of `values` (1-D or 2-D), e.g. {"dtype": "f8", "bdata": …}."""
    a = np.ascontiguousarray(values, dtype=dtype)
    out = {"dtype": _DTYPES[a.dtype], "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim == 2:
        out["shape"] = f"{a.shape[0]}, {a.shape[1]}"
    return out
