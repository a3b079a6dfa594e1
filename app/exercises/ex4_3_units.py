"""4-3 — what every experiment of the exercise shares: the data, the networks, and the unit states.

Definitions used throughout. A hidden unit is *dead* when its incoming weights and bias receive
exactly zero gradient from every training input: dL/dW[:, j] = sum_n a_n delta_nj with
delta_nj = f'(z_nj) * (...), so it is enough that f'(z_nj) == 0 exactly for every sample n. A unit is
*inactive* when z_nj <= 0 for every n, whatever f is. For ReLU both coincide (ReLU'(0) = 0); a
Leaky ReLU, PReLU or ELU unit with alpha > 0 can be inactive but never dead, since f' > 0 everywhere.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Params, param
from app.exercises.common import dead_in_layer
from app.i18n import text
from app.nn.activations import get_activation
from app.nn.data import moons, noisy_sine
from app.nn.network import Network, forward, init_network

ActivationName = Literal["relu", "leaky_relu", "prelu", "elu", "softplus", "swish", "gelu"]
DatasetName = Literal["sine", "moons"]

N_SAMPLES = 100
MAX_SNAPSHOTS = 301  # unit states at every epoch up to 300 (the default), evenly spaced beyond


def load(dataset: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Return X (N, d), Y (N, 1) and the loss for the data set.

    sine: y = sin(pi x) + 0.1 N(0, 1) with x ~ U(-1, 1) (the core's noisy sine on [-pi, pi], inputs
    divided by pi so that they are of order 1). moons: two interleaving half circles, labels 0/1.
    """
    if dataset == "sine":
        X, Y = noisy_sine(N_SAMPLES, seed=0)
        return X / math.pi, Y, "mse"
    X, Y = moons(N_SAMPLES, seed=0)
    return X, Y, "bce"


class NetworkParams(Params):
    """The network, its initialisation and its training (full-batch gradient descent)."""

    alpha: float = param(0.01, text("α (Leaky ReLU, PReLU)", "α（Leaky ReLU、PReLU）"),
                         text("Slope of Leaky ReLU for z < 0, and the initial slope of PReLU (learned per unit "
                              "from there).",
                              "Leaky ReLU 在 z < 0 时的斜率，也是 PReLU 的初始斜率（此后每个单元各自学习）。"),
                         ge=0, le=1, step=0.01)
    elu_alpha: float = param(1.0, text("α (ELU)", "α（ELU）"),
                             text("Scale of ELU's negative side, α(eᶻ − 1), which levels off at −α. With α = 1 "
                                  "ELU needs a smaller learning rate than ReLU on this network (see the text); "
                                  "α = 0 gives ReLU.",
                                  "ELU 负半轴为 α(eᶻ − 1)，趋于 −α。α = 1 时，在这个网络上 ELU 需要比 ReLU 更小的"
                                  "学习率（见正文）；α = 0 时即为 ReLU。"),
                             ge=0, le=3, step=0.05)
    bias_init: float = param(0.0, text("Initial bias", "偏置初值"),
                             text("Every hidden and output bias starts at this value; negative values leave "
                                  "many ReLU units dead before the first step.",
                                  "所有隐藏层和输出层的偏置都从这个值开始；取负值时，许多 ReLU 单元在第一步之前就已死亡。"),
                             ge=-5, le=5, step=0.1)
    width: int = param(32, text("Width", "宽度"), text("Units per hidden layer.", "每个隐藏层的单元数。"),
                       ge=1, le=128)
    depth: int = param(2, text("Hidden layers", "隐藏层数"), text("Number of hidden layers.", "隐藏层的层数。"),
                       ge=1, le=4)
    epochs: int = param(300, text("Epochs", "轮数"),
                        text("Full-batch gradient steps (one per epoch).", "全批量梯度下降的步数（每轮一步）。"),
                        ge=1, le=3000)
    seed: int = param(0, text("Seed", "随机种子"), text("Seed of the weight initialisation.", "权重初始化的随机种子。"),
                      ge=0, le=1_000_000)
    dataset: DatasetName = param("sine", text("Data", "数据"),
                                 text("sine: 100 noisy points of sin(πx), mean squared error; moons: 100 points "
                                      "in two classes, cross-entropy.",
                                      "sine：sin(πx) 的 100 个带噪声样本，均方误差；moons：两类共 100 个点，交叉熵。"))

    def sizes(self, d: int) -> tuple[int, ...]:
        """Return the layer sizes (d, width, ..., width, 1)."""
        return (d, *([self.width] * self.depth), 1)


class RunParams(NetworkParams):
    """One activation trained at one learning rate."""

    activation: ActivationName = param("relu", text("Activation", "激活函数"),
                                       text("Activation of every hidden unit.", "所有隐藏单元的激活函数。"))
    lr: float = param(0.3, text("Learning rate η", "学习率 η"),
                      text("Step size of gradient descent; large steps push biases far negative and kill ReLU units.",
                           "梯度下降的步长；步长过大会使偏置变为很大的负值，导致 ReLU 单元死亡。"),
                      ge=1e-4, le=3, scale="log")


def make_net(activation: str, p: NetworkParams, d: int, seeds: list[int]) -> Network:
    """Build He-initialised networks (biases at bias_init) with this hidden activation, one per seed.

    ELU takes its own α (elu_alpha); Leaky ReLU and PReLU share `alpha`.
    """
    alpha = p.elu_alpha if activation == "elu" else p.alpha
    return init_network(p.sizes(d), get_activation(activation, alpha=alpha), "linear", seeds, weight_init="he",
                        bias_init=p.bias_init, prelu_alpha=p.alpha)


def unit_states(net: Network, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Classify every hidden unit of every member on the training inputs X (N, d).

    Return per hidden layer: dead (S, n) bool, f'(z) == 0 exactly on every input; inactive (S, n)
    bool, z <= 0 on every input; finite (S,) bool, the layer's net inputs are all finite (a
    diverged member has no meaningful state).
    """
    cache = forward(net, X)
    dead, inactive, finite = [], [], []
    for layer, Z in enumerate(cache.Z[:-1]):
        ok = np.isfinite(Z).all(axis=(1, 2))
        dead.append(dead_in_layer(net, layer, Z) & ok[:, None])
        inactive.append((Z <= 0.0).all(axis=1) & ok[:, None])
        finite.append(ok)
    return dead, inactive, finite


def fraction(flags: list[np.ndarray], finite: list[np.ndarray]) -> np.ndarray:
    """Return the fraction of flagged hidden units per member, (S,), NaN where a layer is not finite."""
    n = sum(f.shape[1] for f in flags)
    frac = sum(f.sum(axis=1) for f in flags) / n
    ok = np.logical_and.reduce(finite)
    return np.where(ok, frac, np.nan)


def came_back(flags: np.ndarray) -> np.ndarray:
    """Return which units were flagged at one recorded epoch and not flagged at a later one.

    flags: (T, ..., n) bool over recorded epochs (inactive, say); returns (..., n) bool.
    """
    ever = np.logical_or.accumulate(flags, axis=0)
    return (ever[:-1] & ~flags[1:]).any(axis=0)


def preactivations(net: Network, X: np.ndarray) -> list[np.ndarray]:
    """Return the net inputs z of each hidden layer of member 0, flattened (N * n,)."""
    return [Z[0].ravel() for Z in forward(net, X).Z[:-1]]


def run_work(p: NetworkParams, activation: str, members: int, epochs: int, snapshots: int = 2) -> work.Work:
    """The work of training `members` networks full-batch for `epochs` epochs, keeping `snapshots` of them."""
    sizes = p.sizes(2 if p.dataset == "moons" else 1)
    return work.training(members, N_SAMPLES, sizes, epochs, None, activation, snapshots=min(snapshots, epochs + 1),
                         loss="mse" if p.dataset == "sine" else "bce")


def states_work(p: NetworkParams, activation: str, members: int) -> work.Work:
    """The work of unit_states on `members` networks (recorded snapshots × seeds): a forward pass on the
    training inputs, then every unit's f′ and the comparisons, about one pass more."""
    return work.evaluation(members, N_SAMPLES, p.sizes(2 if p.dataset == "moons" else 1), times=2,
                           activation=activation)
