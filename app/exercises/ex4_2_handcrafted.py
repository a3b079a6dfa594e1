"""4-2 — the hand-set network: XOR data, what "solved" means, and the handcrafted experiment.

Nothing here trains (that is ex4_2_xor): the reader types the nine numbers of a 2-2-1 network,
    h = ReLU(W₁x + b₁),  y = w₂ᵀh + b₂,
in the book's orientation (row i of W₁ feeds hidden unit hᵢ), and sees the outputs, the decision
surface and where the four inputs land in hidden space. The parameters carry the page's symbols:
w1_ij is W₁[i,j], b1_i the i-th entry of the hidden bias vector b₁, w2_i the i-th output weight
and b2 the output bias, a scalar (one output unit).

solved: the four outputs, thresholded at 0.5, equal 0, 1, 1, 0 (class 1 iff output > 0.5; with
the bce loss the output is a logit and the threshold applies to σ(logit)).

Every network output a figure shows is computed here and handed over in the result's views: the
surface over the input plane and, in hidden space, the output over the (h₁, h₂) plane
(`hidden_plane`); app.figures.ex4_2 only draws them.
"""

from __future__ import annotations

import numpy as np

from app.exercises.base import Experiment, Metric, Params, Result, param
from app.exercises.common import surfaces
from app.figures import ex4_2 as figs
from app.i18n import text
from app.nn.activations import get_activation, sigmoid
from app.nn.data import xor
from app.nn.network import Network, forward

X, Y = xor()
TARGET = Y[:, 0] > 0.5
INPUT_LABELS = ("(0,0)", "(0,1)", "(1,0)", "(1,1)")
GRID = 61  # decision surface grid, GRID × GRID over [−0.5, 1.5]²
HIDDEN_GRID = 41  # the output over hidden space, HIDDEN_GRID × HIDDEN_GRID


def probability(out: np.ndarray, loss: str) -> np.ndarray:
    """Map raw outputs to what is thresholded at 0.5: the output itself (mse) or σ(logit) (bce)."""
    return sigmoid(out) if loss == "bce" else out


def solved(out: np.ndarray, loss: str) -> np.ndarray:
    """Return, per member, whether the outputs (S, 4) thresholded at 0.5 equal 0, 1, 1, 0."""
    with np.errstate(invalid="ignore"):
        return ((probability(out, loss) > 0.5) == TARGET).all(axis=-1)


def _axis_range(a: np.ndarray) -> tuple[float, float]:
    """Span the values and the unit interval, with 15 % to spare on each side."""
    lo, hi = min(float(a.min()), 0.0), max(float(a.max()), 1.0)
    pad = 0.15 * (hi - lo)
    return lo - pad, hi + pad


def hidden_plane(hidden: np.ndarray, w2: np.ndarray, b2: float, loss: str) -> dict[str, object]:
    """Return what the hidden-space figure shows beyond the points: its axis ranges and the output there.

    hidden (4, H) are the hidden coordinates of the four inputs, w2 (H,) and b2 the output unit. The
    output unit is linear in h, so over the (h₁, h₂) plane it is w₂[1]h₁ + w₂[2]h₂ + b₂ (σ of that with
    bce, the threshold being applied to σ(logit)); it is a plane only for H ≤ 2 (one unit: h₂ = 0), so
    wider layers, and a blown-up network, get the ranges alone (surface None).
    """
    H = hidden.shape[1]
    h1 = hidden[:, 0]
    h2 = hidden[:, 1] if H >= 2 else np.zeros_like(h1)
    finite = bool(np.isfinite(hidden).all())
    r1 = _axis_range(h1) if finite else (-0.5, 1.5)
    r2 = _axis_range(h2) if finite else (-0.5, 1.5)
    plane: dict[str, object] = {"range_h1": r1, "range_h2": r2, "surface": None}
    if H <= 2 and finite and np.isfinite(w2).all() and np.isfinite(b2):
        g1, g2 = np.linspace(*r1, HIDDEN_GRID), np.linspace(*r2, HIDDEN_GRID)
        v = np.r_[w2, 0.0] if H == 1 else w2
        Z = v[0] * g1[None, :] + v[1] * g2[:, None] + b2
        plane["surface"] = (g1, g2, sigmoid(Z) if loss == "bce" else Z)
    return plane


def _weight(default: float, label: tuple[str, str], help_: tuple[str, str]) -> float:
    return param(default, text(*label), text(*help_), ge=-10, le=10, step=0.1)


def _w1(default: float, i: int, j: int) -> float:
    sub = "₀₁₂"
    hi, xj = f"h{sub[i]}", f"x{sub[j]}"
    unit = f"ReLU(W₁[{i},1]x₁ + W₁[{i},2]x₂ + b₁[{i}])"
    return _weight(default, (f"W₁[{i},{j}] ({xj} → {hi})", f"W₁[{i},{j}]（{xj} → {hi}）"),
                   (f"Entry ({i},{j}) of W₁: the weight from input {xj} into hidden unit {hi} = {unit}.",
                    f"W₁ 的第 ({i},{j}) 个元素：输入 {xj} 到隐藏单元 {hi} = {unit} 的权重。"))


def _b1(default: float, i: int) -> float:
    hi = f"h{'₀₁₂'[i]}"
    nth = {1: ("First", "第一"), 2: ("Second", "第二")}[i]
    return _weight(default, (f"b₁[{i}] (bias of {hi})", f"b₁[{i}]（{hi} 的偏置）"),
                   (f"{nth[0]} entry of the hidden bias vector b₁: shifts {hi}'s threshold.",
                    f"隐藏层偏置向量 b₁ 的{nth[1]}个分量：平移 {hi} 的阈值。"))


def _w2(default: float, i: int) -> float:
    hi = f"h{'₀₁₂'[i]}"
    return _weight(default, (f"w₂[{i}] ({hi} → y)", f"w₂[{i}]（{hi} → y）"),
                   (f"Output weight of {hi}: y = w₂[1]h₁ + w₂[2]h₂ + b₂.",
                    f"{hi} 的输出权重：y = w₂[1]h₁ + w₂[2]h₂ + b₂。"))


class HandcraftedParams(Params):
    """The nine numbers of a 2-2-1 ReLU network with a linear output, named as on the page."""

    w1_11: float = _w1(1.0, 1, 1)
    w1_12: float = _w1(-1.0, 1, 2)
    w1_21: float = _w1(-1.0, 2, 1)
    w1_22: float = _w1(1.0, 2, 2)
    b1_1: float = _b1(0.0, 1)
    b1_2: float = _b1(0.0, 2)
    w2_1: float = _w2(1.0, 1)
    w2_2: float = _w2(1.0, 2)
    b2: float = _weight(0.0, ("b₂ (output bias)", "b₂（输出偏置）"),
                        ("The output unit's bias b₂, a single number (there is one output unit).",
                         "输出单元的偏置 b₂，只是一个数（只有一个输出单元）。"))

    def weights(self) -> dict[str, float]:
        """Return the nine numbers by parameter name."""
        return {k: float(v) for k, v in self.state().items()}

    def network(self) -> Network:
        """Return the network as a one-member ensemble of the core (the core's W is the book's W transposed)."""
        W1 = np.array([[self.w1_11, self.w1_12], [self.w1_21, self.w1_22]])
        return Network((2, 2, 1), get_activation("relu"), get_activation("linear"),
                       [W1.T[None].copy(), np.array([[[self.w2_1], [self.w2_2]]])],
                       [np.array([[[self.b1_1, self.b1_2]]]), np.array([[[self.b2]]])])


def handcrafted(p: HandcraftedParams) -> Result:
    """Evaluate a hand-set 2-2-1 ReLU network on the four XOR inputs and over the plane.

    views: surface (gx, gy, Z) the output over [−0.5, 1.5]²; hidden_plane (see hidden_plane); labels
    the names of the four inputs.
    """
    net = p.network()
    cache = forward(net, X)
    out = cache.A[-1][0, :, 0]
    hidden = cache.A[1][0]
    gx, gy, Z = surfaces(net, (-0.5, -0.5), (1.5, 1.5), GRID)
    metrics = {"outputs": out.tolist(), "solves_xor": bool(solved(out[None], "mse")[0])}
    data = {"inputs": X, "targets": Y[:, 0], "hidden": hidden, "outputs": out}
    views = {"surface": (gx, gy, Z[0]), "labels": INPUT_LABELS,
             "hidden_plane": hidden_plane(hidden, np.array([p.w2_1, p.w2_2]), p.b2, "mse")}
    return Result(metrics, data, views=views)


SOLVES = Metric(text("solves XOR", "解决异或"),
                text("The four outputs, thresholded at 0.5, are 0, 1, 1, 0.", "四个输出按 0.5 阈值化后为 0, 1, 1, 0。"))
OUTPUTS = Metric(text("outputs on (0,0), (0,1), (1,0), (1,1)", "在 (0,0)、(0,1)、(1,0)、(1,1) 上的输出"),
                 text("What the network computes on the four inputs (with bce: σ of the output).",
                      "网络在四个输入上的输出（bce 时为输出的 σ）。"))

HANDCRAFTED = Experiment(
    name="handcrafted",
    title=text("Set the weights by hand", "手动设置权重"),
    summary=text(
        "A 2-2-1 network, ReLU hidden units, linear output: h = ReLU(W₁x + b₁), y = w₂ᵀh + b₂. The defaults "
        "are an exact solution: the output is exactly 0, 1, 1, 0. Change any weight and watch the surface, "
        "the hidden space and the outputs.",
        "一个 2-2-1 网络，隐藏单元为 ReLU，输出为线性：h = ReLU(W₁x + b₁)，y = w₂ᵀh + b₂。默认权重是一个精确解："
        "输出恰为 0, 1, 1, 0。修改任一权重，观察输出曲面、隐藏空间和四个输出的变化。",
    ),
    params=HandcraftedParams,
    run=handcrafted,
    draw=figs.handcrafted,
    metrics={"outputs": OUTPUTS, "solves_xor": SOLVES},
)
