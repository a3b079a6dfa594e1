"""4-9 — Does a larger learning rate cure vanishing gradients?

Experiments: vanishing (per-layer gradient norms of a deep classifier, at init and over training,
with plain gradient descent or Adam), learning-rates (the same network trained at several rates in one
ensemble run, against ReLU + He).

Orientation as in app.nn: layer l computes Z = A @ W[l] + b[l]; "layer 1" is W[0] (input to the
first hidden layer) and "the last layer" is W[-1] (last hidden layer to the output logit).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Exercise, Experiment, Metric, Params, Result, greater_than, param
from app.exercises.common import diverged, frame_indices, outcome, stalled
from app.figures import ex4_9 as figs
from app.i18n import text
from app.nn.data import DATASETS
from app.nn.losses import get_loss, per_member_rates
from app.nn.network import Network, forward, init_network
from app.nn.train import loss_and_grads, train

# Samples of the 2-D data set (full-batch gradient descent on all of them).
N_SAMPLES = 100

# The largest value of each activation's derivative; a net input z is *saturated* where f'(z) falls
# below SATURATED times it (|z| > 4.6 for sigmoid): almost no error passes back through it.
F_PRIME_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
SATURATED = 0.01

_BCE = get_loss("bce")
REPLAY_FRAMES = 25


class NetParams(Params):
    """The deep classifier, its data and its training length."""

    depth: int = param(10, text("Hidden layers", "隐藏层数"),
                       text("Number of hidden layers; the network has one more weight layer (the output).",
                            "隐藏层的个数；网络的权重层比它多一层（输出层）。"), ge=1, le=30)
    width: int = param(16, text("Width", "宽度"), text("Units in every hidden layer.", "每个隐藏层的单元数。"),
                       ge=2, le=64)
    activation: Literal["sigmoid", "tanh", "relu"] = param(
        "sigmoid", text("Activation", "激活函数"),
        text("Activation of every hidden layer; the output is a logit with binary cross-entropy.",
             "所有隐藏层的激活函数；输出为 logit，损失为二元交叉熵。"))
    init: Literal["xavier", "he", "normal"] = param(
        "xavier", text("Initialisation", "初始化"),
        text("xavier: U(±√(6/(n_in+n_out))); he: N(0, 2/n_in); normal: N(0, 1).",
             "xavier：U(±√(6/(n_in+n_out)))；he：N(0, 2/n_in)；normal：N(0, 1)。"))
    dataset: Literal["circles", "moons", "spiral"] = param(
        "circles", text("Data set", "数据集"),
        text(f"A 2-D binary classification set of {N_SAMPLES} points.", f"包含 {N_SAMPLES} 个点的二维二分类数据集。"))
    epochs: int = param(200, text("Epochs", "轮数"),
                        text("Full-batch gradient-descent steps.", "全批量梯度下降的步数。"), ge=1, le=5000)
    seed: int = param(0, text("Seed", "随机种子"), text("Seeds the data and the initial weights.",
                                                        "决定数据与初始权重。"), ge=0, le=2**31 - 1)

    def sizes(self) -> list[int]:
        """Return the layer sizes (2, width, ..., width, 1)."""
        return [2, *[self.width] * self.depth, 1]

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Return X (N, 2) and Y (N, 1)."""
        return DATASETS[self.dataset](n=N_SAMPLES, seed=self.seed)

    def network(self, members: int, activation: str | None = None, init: str | None = None) -> Network:
        """Return `members` identical copies of the seeded network (same weights in every member)."""
        return init_network(self.sizes(), activation or self.activation, "linear", [self.seed] * members,
                            weight_init=init or self.init)


def run_work(p: NetParams, members: int, activation: str | None = None, optimizer: str = "sgd",
             grad_norms: bool = False) -> work.Work:
    """The work of training `members` networks of this shape full-batch for p.epochs epochs, and of the
    gradients before and after (loss_and_grads: a forward and a backward pass)."""
    act = activation or p.activation
    return (work.training(members, N_SAMPLES, p.sizes(), p.epochs, None, act, optimizer=optimizer,
                          snapshots=min(50, p.epochs + 1), grad_norms=grad_norms)
            + work.evaluation(members, N_SAMPLES, p.sizes(), times=3, activation=act))


def _vanishing_cost(p: VanishingParams) -> float:
    """The run with its gradient norms, its first step again (one epoch) and the saturation at the end."""
    return work.seconds(run_work(p, 1, optimizer=p.optimizer, grad_norms=True)
                        + work.training(1, N_SAMPLES, p.sizes(), 1, None, p.activation, optimizer=p.optimizer)
                        + work.evaluation(1, N_SAMPLES, p.sizes(), activation=p.activation))


def _norms(dW: list[np.ndarray]) -> np.ndarray:
    """Return the Frobenius norm of every layer's array, (S, L)."""
    with np.errstate(all="ignore"):
        return np.stack([np.sqrt(np.einsum("sij,sij->s", d, d)) for d in dW], axis=1)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(a, dtype=float) / np.asarray(b, dtype=float)


def saturated_share(net: Network, X: np.ndarray, activation: str) -> float:
    """Return the share of hidden net inputs (every hidden unit on every sample of X, S = 1) where
    f'(z) < SATURATED * max f': the inputs through which (almost) no error flows back. For ReLU these
    are the inactive ones (z <= 0); a non-finite z (a blown-up run) does not count."""
    limit = SATURATED * F_PRIME_MAX[activation]
    with np.errstate(all="ignore"):
        flags = [(net.hidden.der(z) < limit) & np.isfinite(z) for z in forward(net, X).Z[:-1]]
    return float(np.mean(np.concatenate([f.ravel() for f in flags])))


# ------------------------------------------------------------------------------------------ vanishing


class VanishingParams(NetParams):
    lr: float = param(0.05, text("Learning rate η", "学习率 η"), text("Step size η of the optimiser.",
                                                                    "优化器的步长 η。"),
                      gt=0, le=100, scale="log")
    optimizer: Literal["sgd", "adam"] = param(
        "sgd", text("Optimiser", "优化器"),
        text("sgd: plain gradient descent, one rate η for every weight. adam: Adam, which divides each weight's "
             "step by a running estimate of its own gradient's size, so that early and late layers take steps "
             "of similar size (about η per weight, unless the gradient is below Adam's ε = 10⁻⁸).",
             "sgd：普通梯度下降，所有权重共用一个学习率 η。adam：Adam 算法，把每个权重的步长除以其自身梯度大小的"
             "滑动估计，使前后各层的步长大小相近（每个权重约为 η，除非梯度小于 Adam 的 ε = 10⁻⁸）。"))


def vanishing(p: VanishingParams) -> Result:
    """Measure every layer's gradient norm at init and along training of one deep classifier."""
    X, Y = p.data()
    net = p.network(1)
    rec = train(net, X, Y, loss=_BCE, optimizer=p.optimizer, eta=p.lr, epochs=p.epochs)
    # The first step the optimiser takes, on the same code path (one epoch = one full-batch step).
    first = train(net, X, Y, loss=_BCE, optimizer=p.optimizer, eta=p.lr, epochs=1, record_updates=True,
                  record_grad_norms=False, n_snapshots=1)
    step = _norms(first.updates[0][:len(net.W)])[0]
    _, g1 = loss_and_grads(rec.net, X, Y, _BCE)
    # Full batch, no penalty: the norms the training recorded at its first step are the ones at init.
    initial, final = rec.grad_norms[0, 0], _norms(g1.dW)[0]
    ratio = float(_ratio(initial[0], initial[-1]))
    losses = rec.losses[0]
    heat = rec.grad_norms[0].T  # (L, E): layer × epoch, the gradient at the start of each epoch
    epochs = np.arange(p.epochs + 1)
    # The replay: the norms after e epochs (e < E: recorded at the start of epoch e; e = E: final).
    by_epoch = np.vstack([rec.grad_norms[0], final[None]])  # (E+1, L)
    frames = frame_indices(epochs, REPLAY_FRAMES)
    with np.errstate(all="ignore"):
        gain = ratio ** (1.0 / p.depth) if ratio >= 0 else math.nan  # depth factors between layer 1 and the last
    metrics = {
        "grad_norms_initial": initial.tolist(),
        "grad_norms_final": final.tolist(),
        "grad_ratio_first_to_last": ratio,
        "mean_gain_per_layer": float(gain),
        "first_step_ratio": float(_ratio(step[0], step[-1])),
        "saturated_share_final": saturated_share(rec.net, X, p.activation),
        "final_loss": float(losses[-1]),
        **outcome(losses),
    }
    data = {"layer": np.arange(1, len(initial) + 1), "grad_norms_initial": initial, "grad_norms_final": final,
            "first_step_norms": step, "grad_norms_by_epoch": heat, "epoch": epochs, "loss": losses,
            "replay_epoch": epochs[frames]}
    # The replay's norms at its ~25 epochs, (F, L): drawn only, never sent.
    return Result(metrics, data, views={"replay_norms": by_epoch[frames]})


# ------------------------------------------------------------------------------------ learning-rates


class LearningRatesParams(NetParams):
    n_lrs: int = param(5, text("Number of rates", "学习率个数"),
                       text("Log-spaced rates from the smallest to the largest.", "从最小到最大按对数等距取的学习率个数。"),
                       ge=2, le=8)
    lr_min: float = param(0.05, text("Smallest rate", "最小学习率"), text("First rate of the sweep.", "扫描的第一个学习率。"),
                          gt=0, le=1000, scale="log")
    lr_max: float = param(500.0, text("Largest rate", "最大学习率"),
                          text("Last rate of the sweep; must exceed the smallest.", "扫描的最后一个学习率，必须大于最小学习率。"),
                          gt=0, le=1000, scale="log")
    cure_lr: float = param(0.05, text("Rate of the ReLU + He run", "ReLU + He 的学习率"),
                           text("The same architecture with ReLU and He init trains at this rate; the first "
                                "network is also trained at it for comparison.",
                                "同一结构改用 ReLU 与 He 初始化，以此学习率训练；原网络也以此学习率训练一次作对照。"),
                           gt=0, le=1000, scale="log")

    _above_min = greater_than("lr_max", "lr_min")

    def rates(self) -> np.ndarray:
        """Return the n_lrs log-spaced rates, (n_lrs,), rounded to 12 significant digits (0.5, not 0.49999…)."""
        rates = np.logspace(math.log10(self.lr_min), math.log10(self.lr_max), self.n_lrs)
        return np.array([float(f"{r:.12g}") for r in rates])


def learning_rates(p: LearningRatesParams) -> Result:
    """Train the same network at several rates (one ensemble run), and the ReLU + He network."""
    X, Y = p.data()
    lrs = p.rates()
    match = np.flatnonzero(np.isclose(lrs, p.cure_lr, rtol=1e-9, atol=0.0))
    etas = lrs if match.size else np.r_[lrs, p.cure_lr]
    cure_member = int(match[0]) if match.size else len(lrs)
    net = p.network(len(etas))
    loss = per_member_rates(_BCE, etas)  # eta = 1 below: member s trains at rate etas[s]
    # With plain SGD the first step is ΔW = −η ∇W, and the gradient of this loss is η ∇W.
    _, g = loss_and_grads(net, X, Y, loss)
    step = _norms(g.dW)  # (S, L): ‖ΔW_l‖ at the first step, member by member
    relative = _ratio(step, _norms(net.W))
    update_ratio = _ratio(step[:, 0], step[:, -1])
    losses = train(net, X, Y, loss=loss, eta=1.0, epochs=p.epochs, record_grad_norms=False).losses
    cure = train(p.network(1, "relu", "he"), X, Y, loss=_BCE, eta=p.cure_lr, epochs=p.epochs,
                 record_grad_norms=False).losses[0]
    n = len(lrs)
    finals = losses[:n, -1]
    finite = np.isfinite(finals)
    best = int(np.flatnonzero(finite)[np.argmin(finals[finite])]) if finite.any() else None
    metrics = {
        "lrs": lrs.tolist(),
        "first_step_update_ratio": update_ratio[:n].tolist(),
        "relative_step_first": relative[:n, 0].tolist(),
        "relative_step_last": relative[:n, -1].tolist(),
        "final_loss": finals.tolist(),
        "diverged": [diverged(row) for row in losses[:n]],
        "stalled": [stalled(row) for row in losses[:n]],
        "best_final_loss": None if best is None else float(finals[best]),
        "best_lr": None if best is None else float(lrs[best]),
        "relu_he_final_loss": float(cure[-1]),
    }
    epochs = np.arange(p.epochs + 1)
    data = {"epoch": epochs, "lrs": lrs, "loss_by_lr": losses[:n], "first_step_update_norms": step[:n],
            "relative_update_by_layer": relative[:n], "layer": np.arange(1, step.shape[1] + 1),
            "cure_lr": p.cure_lr, "loss_same_network_at_cure_lr": losses[cure_member], "loss_relu_he": cure}
    # The index of the best rate in the sweep (None if every run blew up): its curve joins the comparison.
    return Result(metrics, data, views={"best": best})


_PER_RATE = text("One value per rate, in the order of the rates.", "每个学习率一个值，顺序同学习率列表。")
EXERCISE = Exercise(
    id="4-9",
    title=text("Vanishing gradients vs learning rate", "梯度消失与学习率"),
    question=text(
        "Gradients vanish in the early layers of a deep network. Can a larger learning rate make up for it?",
        "深层网络前几层的梯度会消失。增大学习率能否缓解这个问题？",
    ),
    experiments=(
        Experiment(
            name="vanishing",
            title=text("Gradient norms layer by layer", "逐层的梯度范数"),
            summary=text(
                "A deep sigmoid network with Xavier init: backpropagation multiplies the error by W·σ′(z) at "
                "every layer, and σ′ ≤ 1/4, so the first layer's gradient is orders of magnitude below the "
                "last layer's, at init and while the last layers fit what they can; then the loss settles at "
                "ln 2. Switch to ReLU and He init to see the norms level out, or to Adam to see the steps, not "
                "the gradients, evened out.",
                "采用 Xavier 初始化的深层 sigmoid 网络：反向传播每经过一层都要乘以 W·σ′(z)，而 σ′ ≤ 1/4，"
                "因此第一层的梯度比最后一层小好几个数量级：初始时如此，后几层学习它们能学的东西时也是如此；随后损失停在 ln 2。"
                "改用 ReLU 与 He 初始化，各层梯度就变得相近；改用 Adam，被拉平的是各层的步长，而不是梯度。",
            ),
            params=VanishingParams,
            run=vanishing,
            draw=figs.vanishing,
            metrics={
                "grad_norms_initial": Metric(text("‖∂L/∂W‖ at init, layer 1 … last", "初始 ‖∂L/∂W‖，第 1 层 … 最后一层"),
                                             text("Frobenius norm of each weight layer's gradient before training; "
                                                  "the last entry is the output layer.",
                                                  "训练前各权重层梯度的 Frobenius 范数；最后一项是输出层。")),
                "grad_norms_final": Metric(text("‖∂L/∂W‖ after training, layer 1 … last", "训练后 ‖∂L/∂W‖，第 1 层 … 最后一层"),
                                           text("The same norms for the trained network.", "训练后网络的同一组范数。")),
                "grad_ratio_first_to_last": Metric(text("first / last gradient norm", "第一层 / 最后一层梯度范数"),
                                                   text("At init. Far below 1 when the gradient vanishes: the early "
                                                        "layers barely receive a signal.",
                                                        "初始时的值。梯度消失时远小于 1：前几层几乎收不到误差信号。")),
                "mean_gain_per_layer": Metric(
                    text("average gradient factor per layer", "每层梯度的平均倍数"),
                    text("(first / last)^(1/hidden layers) at init: the factor by which the gradient norm changes, "
                         "on average, from one layer to the one below. At most about ¼ for sigmoid; near 1 when "
                         "nothing vanishes.",
                         "初始时的 (第一层 / 最后一层)^(1/隐藏层数)：梯度范数每向下传一层平均乘以的倍数。"
                         "sigmoid 至多约为 ¼；梯度不消失时接近 1。")),
                "first_step_ratio": Metric(
                    text("‖ΔW₁‖ / ‖ΔW_last‖, first step", "第一步 ‖ΔW₁‖ / ‖ΔW_last‖"),
                    text("How far the first layer moves at the first step compared with the last layer. With sgd "
                         "it equals the gradient ratio; Adam rescales every weight's step.",
                         "第一步中第一层相对最后一层移动的幅度。用 sgd 时等于梯度之比；Adam 会重新缩放每个权重的步长。")),
                "saturated_share_final": Metric(
                    text("saturated net inputs after training", "训练后饱和的净输入比例"),
                    text("Share of the hidden units' net inputs z, over all training points, where f′(z) is below "
                         "1 % of its largest value: almost no error passes back there. For ReLU these are the "
                         "inactive inputs (z ≤ 0).",
                         "在所有训练点上，隐藏单元的净输入 z 中 f′(z) 小于其最大值 1% 的比例：误差几乎无法从这里反向传过。"
                         "对 ReLU 而言就是未激活（z ≤ 0）的净输入。")),
                "final_loss": Metric(text("final loss", "最终损失"),
                                     text("Binary cross-entropy after training; ln 2 ≈ 0.693 is the loss of predicting "
                                          "½ for every point.",
                                          "训练结束时的二元交叉熵；ln 2 ≈ 0.693 是对每个点都预测 ½ 时的损失。")),
            },
            cost=_vanishing_cost,
            cost_fields=("epochs", "depth", "width"),
        ),
        Experiment(
            name="learning-rates",
            title=text("A larger learning rate against ReLU + He", "更大的学习率与 ReLU + He 的对比"),
            summary=text(
                "The same network, init and data trained at log-spaced rates in one ensemble run. The rate "
                "multiplies every layer's step alike, so the first-to-last step ratio is the same at every rate: "
                "small rates leave the loss at ln 2, large ones blow the last layers up. Changing the activation "
                "and the init is what trains.",
                "同一个网络、同一组初始权重与数据，用按对数等距的多个学习率在一次集成运行中训练。学习率对每一层的步长乘以同一个因子，"
                "因此第一层与最后一层步长之比在每个学习率下都相同：小学习率让损失停在 ln 2，大学习率让后几层发散。"
                "真正能训练起来的是换激活函数和初始化。",
            ),
            params=LearningRatesParams,
            run=learning_rates,
            draw=figs.learning_rates,
            metrics={
                "lrs": Metric(text("learning rates", "学习率"), text("The rates of the sweep.", "扫描的学习率。")),
                "first_step_update_ratio": Metric(
                    text("‖ΔW₁‖ / ‖ΔW_last‖ at step 1, by rate", "第 1 步的 ‖ΔW₁‖ / ‖ΔW_last‖（各学习率）"),
                    text("The same for every rate, to rounding: η cancels in the ratio.",
                         "对每个学习率都相同（至舍入误差）：η 在比值中约去。")),
                "relative_step_first": Metric(
                    text("‖ΔW₁‖ / ‖W₁‖ at step 1, by rate", "第 1 步的 ‖ΔW₁‖ / ‖W₁‖（各学习率）"),
                    text("How far the first layer moves at the first step, relative to its size.",
                         "第一步中第一层移动的幅度，相对于其自身大小。")),
                "relative_step_last": Metric(
                    text("‖ΔW_last‖ / ‖W_last‖ at step 1, by rate", "第 1 步的 ‖ΔW_last‖ / ‖W_last‖（各学习率）"),
                    text("How far the output layer moves at the first step, relative to its size.",
                         "第一步中输出层移动的幅度，相对于其自身大小。")),
                "final_loss": Metric(text("final loss by rate", "各学习率的最终损失"), _PER_RATE),
                "best_final_loss": Metric(text("best final loss over the rates", "各学习率中最好的最终损失"),
                                          text("The lowest finite final loss of the sweep. For the deep sigmoid "
                                               "network still about ln 2 ≈ 0.693: no rate trains it.",
                                               "扫描中最低的有限最终损失。对深层 sigmoid 网络仍约为 ln 2 ≈ 0.693："
                                               "没有哪个学习率能把它训练起来。")),
                "best_lr": Metric(text("rate with the best final loss", "最终损失最好的学习率"),
                                  text("Where the best final loss was reached.", "取得最好最终损失的学习率。")),
                "relu_he_final_loss": Metric(text("ReLU + He final loss", "ReLU + He 的最终损失"),
                                             text("Same architecture, ReLU and He init, same epochs, at the cure rate.",
                                                  "同一结构改用 ReLU 与 He 初始化，轮数相同，学习率为对照学习率。")),
            },
            cost=lambda p: work.seconds(run_work(p, p.n_lrs + 1) + run_work(p, 1, "relu")),
            cost_fields=("epochs", "n_lrs", "depth", "width"),
        ),
    ),
)
