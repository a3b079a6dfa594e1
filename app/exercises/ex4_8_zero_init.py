"""4-8 — Why the weights must not all start at zero (or at any one constant).

Experiments: initialization (one 2-H-1 classifier trained from the chosen init: per-unit weight
trajectories, similarity of the hidden units, decision boundary) and compare (the five inits trained
side by side, as one ensemble, on the same data and batches).

Initialisation: "zeros" sets every weight and every bias to 0. "constant" sets every weight (both
layers) to `constant` and every bias to 0; a constant bias would change nothing, since the hidden
units would still all be equal. "normal" (N(0, std^2)), "xavier" (Glorot uniform) and "he"
(N(0, 2/n_in)) draw the weights at random and set the biases to 0.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Exercise, Experiment, Metric, Params, Result, param
from app.exercises.common import frame_indices, outcome, surfaces
from app.figures import ex4_8 as figs
from app.i18n import text
from app.nn.data import circles, moons
from app.nn.network import Network, init_network, predict
from app.nn.train import train

InitName = Literal["zeros", "constant", "normal", "xavier", "he"]
INITS: tuple[str, ...] = ("zeros", "constant", "normal", "xavier", "he")
# 256 points: 1/N and 1/batch are powers of two, so the balanced sums of (sigma(z) - y)/N in the
# gradient are exact in floating point and the zero-init, full-batch fixed point holds to the last bit
# (with 200 points rounding leaves residues of order 1e-18 that then move the weights).
N_SAMPLES = 256
DISTINCT_TOL = 1e-9
MAX_SNAPSHOTS = 101
GRID = 51
REPLAY_FRAMES = 25
REPLAY_GRID = 31


def xor_blobs(n: int = N_SAMPLES, seed: int = 0, noise: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Return n points in four Gaussian blobs at (±0.5, ±0.5), n/4 each; label 1 where x1·x2 < 0."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]])
    idx = np.arange(n) % 4
    X = centres[idx] + noise * rng.normal(size=(n, 2))
    y = (idx >= 2).astype(float)
    order = rng.permutation(n)
    return X[order], y[order].reshape(-1, 1)


def load(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """Return X (256, 2), Y (256, 1) with exactly 128 points of each class."""
    if dataset == "circles":
        return circles(N_SAMPLES, seed=0, r_inner=0.5, r_outer=1.0, noise=0.1)
    if dataset == "moons":
        return moons(N_SAMPLES, seed=0)
    return xor_blobs()


# ---------------------------------------------------------------------------- params


class TrainParams(Params):
    """The 2-H-1 classifier, its training and the values the inits use."""

    constant: float = param(0.5, text("Constant", "常数"),
                            text("Every weight's value under the constant init (biases start at 0).",
                                 "常数初始化时每个权重的取值（偏置从 0 开始）。"), ge=-2, le=2, step=0.05)
    std: float = param(1.0, text("Standard deviation", "标准差"),
                       text("σ of the normal init N(0, σ²).", "正态初始化 N(0, σ²) 的 σ。"), ge=0.01, le=5, step=0.01)
    activation: Literal["sigmoid", "tanh", "relu"] = param(
        "sigmoid", text("Activation", "激活函数"), text("Activation of the hidden units.", "隐藏单元的激活函数。"))
    width: int = param(8, text("Hidden units", "隐藏单元数"), text("Units in the hidden layer.", "隐藏层的单元数。"),
                       ge=1, le=64)
    lr: float = param(1.0, text("Learning rate η", "学习率 η"), text("Step size of gradient descent.", "梯度下降的步长。"),
                      ge=1e-3, le=20, scale="log")
    epochs: int = param(100, text("Epochs", "轮数"), text("Passes over the 256 training points.", "遍历 256 个训练点的次数。"),
                        ge=1, le=2000)
    batch_size: int = param(16, text("Batch size", "批大小"),
                            text("Points per gradient step; 256 is the full batch.", "每步梯度用的样本数；256 即全批量。"),
                            ge=1, le=N_SAMPLES)
    seed: int = param(0, text("Seed", "随机种子"),
                      text("Seed of the random inits and of the batch shuffling.", "随机初始化与批次打乱的种子。"),
                      ge=0, le=1_000_000)
    dataset: Literal["circles", "moons", "xor"] = param(
        "circles", text("Data", "数据"),
        text("Two classes of 128 points each: two rings (radii 0.5 and 1), two moons, or four XOR blobs.",
             "两类各 128 个点：两个圆环（半径 0.5 和 1）、两个月牙，或四团异或点。"))


class InitializationParams(TrainParams):
    init: InitName = param("zeros", text("Initialisation", "初始化"),
                           text("zeros: all weights and biases 0; constant: all weights equal; normal, xavier, he: "
                                "random weights (biases 0).",
                                "zeros：全部权重与偏置为 0；constant：所有权重相等；normal、xavier、he：随机权重（偏置为 0）。"))


# ---------------------------------------------------------------------------- building blocks


def make_network(init: str, p: TrainParams) -> Network:
    """Build one 2-width-1 network (S = 1) initialised by `init`; see the module docstring."""
    return init_network((2, p.width, 1), p.activation, "linear", [p.seed], weight_init=init, bias_init=0.0,
                        init_kwargs={"std": p.std, "constant": p.constant})


def hidden_units(net: Network) -> np.ndarray:
    """Return each hidden unit's incoming parameters (w1, w2, b), shape (S, width, 3)."""
    return np.concatenate([net.W[0], net.b[0]], axis=1).transpose(0, 2, 1)


def count_distinct(units: np.ndarray, tol: float = DISTINCT_TOL) -> int:
    """Count hidden units that differ by more than tol in some incoming weight or bias; units (H, 3)."""
    reps: list[np.ndarray] = []
    for u in units:
        if not np.isfinite(u).all():
            reps.append(u)
        elif not any(np.max(np.abs(u - r)) <= tol for r in reps):
            reps.append(u)
    return len(reps)


def zero_units(units: np.ndarray) -> np.ndarray:
    """Return (H,) booleans: units whose incoming weights and bias (H, 3) are all exactly 0."""
    return ~units.any(axis=1)


def cosine_similarity(units: np.ndarray) -> np.ndarray:
    """Return the (H, H) cosine similarity of the units' parameter vectors (H, 3).

    The cosine u·v / (‖u‖ ‖v‖) is undefined (0/0) when u or v is the zero vector, which is what
    exact zero init leaves behind with tanh or ReLU. A stated convention fills those cells, chosen
    for what the matrix is meant to show, whether two units are the same: two equal vectors get 1,
    zero vectors included (two zero units are one and the same unit), and a zero vector against a
    non-zero one gets 0 (they share no direction). `zero_units` tells the figure which cells these are.
    """
    norms = np.linalg.norm(units, axis=1)
    with np.errstate(all="ignore"):
        sim = (units @ units.T) / np.outer(norms, norms)
    same = np.array([[np.array_equal(a, b) for b in units] for a in units])
    return np.where(same, 1.0, np.where(np.isfinite(sim), sim, 0.0))


def accuracy(net: Network, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Return the fraction of points classified correctly (logit > 0 means class 1), per member (S,)."""
    logits = predict(net, X)[..., 0]
    return ((logits > 0) == (Y[:, 0] > 0.5)).mean(axis=1)


def plane(X: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return the corners of the rectangle the surfaces cover: the data's bounding box and 0.3 more on each side."""
    lo, hi = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    return (float(lo[0]), float(lo[1])), (float(hi[0]), float(hi[1]))


def _train(net: Network, X: np.ndarray, Y: np.ndarray, p: TrainParams, seeds: list[int]):
    batch = None if p.batch_size >= N_SAMPLES else p.batch_size
    return train(net, X, Y, loss="bce", eta=p.lr, epochs=p.epochs, batch_size=batch, seeds=seeds,
                 n_snapshots=MAX_SNAPSHOTS, record_grad_norms=False)


# ---------------------------------------------------------------------------- experiments


def initialization(p: InitializationParams) -> Result:
    """Train one network from the chosen init and follow its hidden units."""
    X, Y = load(p.dataset)
    net = make_network(p.init, p)
    rec = _train(net, X, Y, p, [p.seed])
    final = rec.net
    traj = np.stack([hidden_units(s)[0] for s in rec.snapshots])  # (T, width, 3)
    units0, units1 = hidden_units(net)[0], hidden_units(final)[0]
    sim, zero = cosine_similarity(units1), zero_units(units1)
    losses = rec.losses[0]
    metrics = {
        "distinct_hidden_units_initial": count_distinct(units0),
        "distinct_hidden_units_final": count_distinct(units1),
        "zero_hidden_units_final": int(zero.sum()),
        "hidden_weights_moved": bool(not np.array_equal(final.W[0], net.W[0])),
        "output_weights_moved": bool(not np.array_equal(final.W[1], net.W[1])),
        "final_loss": float(losses[-1]),
        "accuracy": float(accuracy(final, X, Y)[0]),
        **outcome(losses),
    }
    gx, gy, Z = surfaces(final, *plane(X), GRID, probability=True)
    frames = frame_indices(rec.snapshot_epochs, REPLAY_FRAMES)
    rx, ry, Zs = surfaces(Network.stack([rec.snapshots[i] for i in frames]), *plane(X), REPLAY_GRID, probability=True)
    data = {
        "epoch": np.arange(p.epochs + 1), "loss": losses, "snapshot_epoch": rec.snapshot_epochs,
        "hidden_w1": traj[:, :, 0], "hidden_w2": traj[:, :, 1], "hidden_b": traj[:, :, 2],
        "output_weights": final.W[1][0, :, 0], "output_bias": float(final.b[1][0, 0, 0]),
        "similarity": sim, "replay_epoch": rec.snapshot_epochs[frames],
    }
    # What only the figures need: the data, the trained network's surface, the replay's surfaces and its
    # distinct-unit counts, the units that are zero vectors (the similarity matrix's convention).
    views = {"inputs": X, "targets": Y, "surface": (gx, gy, Z[0]), "replay": (rx, ry, list(Zs)),
             "replay_distinct": [count_distinct(traj[i]) for i in frames], "zero_units": zero}
    return Result(metrics, data, views=views)


def compare(p: TrainParams) -> Result:
    """Train the five inits as one ensemble on the same data and the same batches."""
    X, Y = load(p.dataset)
    net = Network.stack([make_network(init, p) for init in INITS])
    rec = _train(net, X, Y, p, [p.seed] * len(INITS))
    units0, units1 = hidden_units(net), hidden_units(rec.net)
    acc = accuracy(rec.net, X, Y)
    d0 = {init: count_distinct(units0[i]) for i, init in enumerate(INITS)}
    d1 = {init: count_distinct(units1[i]) for i, init in enumerate(INITS)}
    metrics = {
        "distinct_hidden_units_by_init": d1,
        "final_loss_by_init": {init: float(rec.losses[i, -1]) for i, init in enumerate(INITS)},
        "accuracy_by_init": {init: float(acc[i]) for i, init in enumerate(INITS)},
        **outcome(rec.losses[:len(INITS)]),
    }
    data = {"epoch": np.arange(p.epochs + 1), **{f"loss_{init}": rec.losses[i] for i, init in enumerate(INITS)},
            "distinct_hidden_units_initial_by_init": d0}
    return Result(metrics, data)


def _train_work(p: TrainParams, members: int) -> work.Work:
    """The work of _train: `members` 2-width-1 networks on the N_SAMPLES points, MAX_SNAPSHOTS kept."""
    batch = None if p.batch_size >= N_SAMPLES else p.batch_size
    return work.training(members, N_SAMPLES, (2, p.width, 1), p.epochs, batch, p.activation,
                         snapshots=min(MAX_SNAPSHOTS, p.epochs + 1), loss="bce")


def _initialization_cost(p: TrainParams) -> float:
    """One network, its surface and the replay's surfaces."""
    sizes = (2, p.width, 1)
    return work.seconds(_train_work(p, 1) + work.evaluation(1, GRID**2, sizes, activation=p.activation)
                        + work.evaluation(REPLAY_FRAMES, REPLAY_GRID**2, sizes, activation=p.activation))


_DISTINCT = text("Hidden units that differ from each other by more than 1e-9 in some incoming weight or bias.",
                 "入射权重或偏置相差超过 1e-9 的隐藏单元个数。")
EXERCISE = Exercise(
    id="4-8",
    title=text("Why not initialise with zeros", "为什么不能全零初始化"),
    question=text(
        "Why should the parameters of a feedforward network not all be initialised to zero (or to any "
        "one constant)?",
        "为什么前馈神经网络的参数不能全部初始化为零（或同一个常数）？",
    ),
    experiments=(
        Experiment(
            name="initialization",
            title=text("One network, one initialisation", "一个网络，一种初始化"),
            summary=text(
                "A 2-8-1 classifier with sigmoid hidden units, trained with mini-batches of 16 on two rings. "
                "From zeros the eight hidden units move, but in lock-step: their weight curves lie on top of "
                "each other, the similarity matrix is all ones, and the boundary is a straight line. Pick a "
                "random init and they split apart and enclose the inner ring.",
                "一个 2-8-1 分类器，隐藏单元用 sigmoid，在两个圆环上以 16 为批大小训练。从全零出发，八个隐藏单元会动，"
                "但步调完全一致：它们的权重曲线互相重叠，相似度矩阵全为 1，决策边界只是一条直线。换成随机初始化，"
                "它们就会分开，把内圈围起来。",
            ),
            params=InitializationParams,
            run=initialization,
            draw=figs.initialization,
            cost=_initialization_cost,
            cost_fields=("epochs", "width", "batch_size"),
            metrics={
                "distinct_hidden_units_initial": Metric(text("distinct hidden units at the start", "初始不同隐藏单元数"),
                                                        _DISTINCT),
                "distinct_hidden_units_final": Metric(text("distinct hidden units at the end", "最终不同隐藏单元数"),
                                                      _DISTINCT),
                "hidden_weights_moved": Metric(text("hidden weights moved", "隐藏层权重是否变化"),
                                               text("Did any first-layer weight change during training?",
                                                    "训练中第一层是否有任何权重发生变化？")),
                "output_weights_moved": Metric(text("output weights moved", "输出层权重是否变化"),
                                               text("Did any hidden-to-output weight change?",
                                                    "隐藏层到输出层的权重是否有变化？")),
                "zero_hidden_units_final": Metric(
                    text("hidden units still all zero", "仍全为零的隐藏单元数"),
                    text("Units whose incoming weights and bias are all exactly 0 at the end. The cosine similarity "
                         "of two such units is 0/0; the similarity matrix shows 1 there by convention.",
                         "训练结束时入射权重和偏置全部恰好为 0 的单元个数。两个这样的单元的余弦相似度是 0/0，"
                         "相似度矩阵按约定记为 1。")),
                "final_loss": Metric(text("final loss", "最终损失"),
                                     text("Binary cross-entropy on the training set; ln 2 ≈ 0.693 is the loss of "
                                          "predicting ½ for every point.",
                                          "训练集上的二元交叉熵；ln 2 ≈ 0.693 是对每个点都预测 ½ 时的损失。")),
                "accuracy": Metric(text("accuracy", "准确率"),
                                   text("Training points on the right side of the boundary.", "落在边界正确一侧的训练点比例。")),
            },
        ),
        Experiment(
            name="compare",
            title=text("The five initialisations side by side", "五种初始化并排比较"),
            summary=text(
                "The same data, network, batches and learning rate for every init, trained together. The "
                "symmetric inits keep a single distinct hidden unit and stay near ln 2; the random ones use "
                "all their units and separate the classes.",
                "每种初始化使用相同的数据、网络、批次和学习率，一起训练。对称的初始化始终只有一个不同的隐藏单元，"
                "损失停在 ln 2 附近；随机初始化用上了全部单元，把两类分开。",
            ),
            params=TrainParams,
            run=compare,
            draw=figs.compare,
            cost=lambda p: work.seconds(_train_work(p, len(INITS))),
            cost_fields=("epochs", "width", "batch_size"),
            metrics={
                "distinct_hidden_units_by_init": Metric(text("distinct hidden units by init", "各初始化的不同隐藏单元数"),
                                                        text("At the end of training.", "训练结束时。")),
                "final_loss_by_init": Metric(text("final loss by init", "各初始化的最终损失"),
                                             text("Binary cross-entropy after the last epoch.", "最后一轮后的二元交叉熵。")),
                "accuracy_by_init": Metric(text("accuracy by init", "各初始化的准确率"),
                                           text("Fraction of training points classified correctly.", "训练点分类正确的比例。")),
            },
        ),
    ),
)
