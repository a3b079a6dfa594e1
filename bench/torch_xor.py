"""The XOR ensemble in PyTorch on the CPU, batched with torch.bmm (optional: `pip install '.[bench]'`).

Same job as the core's: S networks 2-2-1, ReLU hidden, linear output, half-MSE averaged over the 4
samples, full batch, plain gradient descent, float64, the same initial weights. The loss of every
member is recorded at every epoch, as the core does. Gradients by autograd.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def requirement() -> str:
    """The torch pin of pyproject.toml's `bench` extra (torch==…)."""
    m = re.search(r'^bench = \[\s*"(torch[^"]*)"', PYPROJECT.read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else "torch"


def install() -> str:
    """Try to install the bench extra's torch with pip (a configured local wheel serves where there is one).

    Return "" when torch imports afterwards, else why not (pip's last line), for RESULTS.md.
    """
    if available():
        return ""
    req = requirement()
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", req], capture_output=True, text=True,
                       timeout=900)
    importlib.invalidate_caches()
    if available():
        return ""
    last = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
    return f"`pip install {req}` failed: {last[0][:200]}"


def train_xor(W0, b0, W1, b1, X, Y, eta: float, epochs: int) -> tuple[float, np.ndarray]:
    """Train with torch.bmm; return (wall seconds, final losses (S,)). Arrays in the core's layout."""
    import torch

    S = W0.shape[0]
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W0, b0, W1, b1)]
    Xs = torch.tensor(X, dtype=torch.float64).expand(S, *X.shape).contiguous()
    Ys = torch.tensor(Y, dtype=torch.float64).expand(S, *Y.shape)
    N = X.shape[0]
    losses = torch.empty((epochs + 1, S), dtype=torch.float64)
    start = time.perf_counter()
    w0, c0, w1, c1 = params
    for epoch in range(epochs + 1):
        h = torch.relu(torch.bmm(Xs, w0) + c0)
        out = torch.bmm(h, w1) + c1
        per_member = 0.5 * ((out - Ys) ** 2).sum(dim=(1, 2)) / N
        losses[epoch] = per_member.detach()
        if epoch == epochs:
            break
        for p in params:
            p.grad = None
        per_member.sum().backward()
        with torch.no_grad():
            for p in params:
                p -= eta * p.grad
    return time.perf_counter() - start, losses[-1].numpy()


def threads() -> int:
    import torch

    return torch.get_num_threads()


def version() -> str:
    import torch

    return torch.__version__
