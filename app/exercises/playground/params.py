"""The playground's one params model: every knob of the page, bounded, and also its URL.

As in TensorFlow Playground's state.ts, the whole state is one serialisable object. Each field carries
`x-group` in its JSON Schema (data, network, training, seeds), so the page can set the controls out in
groups. A refusal that only a combination explains (bce for a regression set, a widths list that does
not parse) is said in both languages and names its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import ValidationInfo, field_validator

from app.exercises.base import Params, param
from app.exercises.formula import MAX_EXPRESSION_LENGTH, Node, check_finite, evaluate, parse_formula
from app.exercises.playground.custom import (
    MAX_CODE_LENGTH,
    MAX_CSV_LENGTH,
    MAX_CSV_ROWS,
    MAX_LINK_POINTS,
    check_points,
    decode_points,
    parse_csv,
)
from app.exercises.playground.data import (
    CUSTOM,
    DATASETS,
    FEATURE_LABELS,
    FEATURE_NAMES,
    ONE_D_FEATURES,
    REGRESSION_TARGETS,
    is_regression,
)
from app.i18n import Refusal, Text, text
from app.nn.activations import ACTIVATION_NAMES

MAX_LAYERS = 6
MAX_WIDTH = 32
MAX_POINTS = 1000
MAX_SEEDS = 100
MAX_SEED = 1_000_000
SMALL_BIAS_STD = 0.1  # biases "small": N(0, 0.1²)
DEFAULT_FORMULA = "x*sin(3*x)"
FORMULA_CHECK = np.linspace(-1.0, 1.0, 2001)  # a formula must be finite where the inputs lie

Dataset = Literal[DATASETS]  # type: ignore[valid-type]
Activation = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]


def knob(group: str, default: Any, label: Text, help: Text, schema: dict[str, Any] | None = None,
         **bounds: Any) -> Any:
    """Declare a bounded parameter (app.exercises.base.param) in one of the page's groups of controls;
    `schema`: more of its JSON Schema for the page (e.g. the bounds inside a text field)."""
    info = param(default, label, help, **bounds)
    info.json_schema_extra.update({"x-group": group, **(schema or {})})
    return info


def parse_layers(value: str) -> tuple[int, ...]:
    """Return the hidden widths a layers string names ("4,4" -> (4, 4); "" -> ()), or raise Refusal."""
    parts = [p.strip() for p in value.replace("，", ",").split(",")] if value.strip() else []
    if len(parts) > MAX_LAYERS:
        raise Refusal(f"at most {MAX_LAYERS} hidden layers.", f"最多 {MAX_LAYERS} 个隐藏层。")
    widths = []
    for i, p in enumerate(parts, 1):
        if not (p.isascii() and p.isdigit()) or not 1 <= int(p) <= MAX_WIDTH:  # "²".isdigit() is True
            raise Refusal(f"layer {i} is “{p}”; write whole numbers from 1 to {MAX_WIDTH}, separated by commas "
                          "(e.g. 4,4), or nothing for no hidden layer.",
                          f"第 {i} 层是“{p}”；请写 1 到 {MAX_WIDTH} 的整数，用逗号分隔（如 4,4），不要隐藏层则留空。")
        widths.append(int(p))
    return tuple(widths)


def parse_features(value: str) -> tuple[str, ...]:
    """Return the feature names a features string lists, in the canonical order, or raise Refusal."""
    names = {p.strip() for p in value.replace("，", ",").split(",") if p.strip()}
    unknown = sorted(names - set(FEATURE_NAMES))
    if unknown:
        allowed = ", ".join(FEATURE_NAMES)
        raise Refusal(f"unknown feature “{unknown[0]}”; choose from {allowed}.",
                      f"没有特征“{unknown[0]}”；请从 {allowed} 中选择。")
    return tuple(f for f in FEATURE_NAMES if f in names)


def parse_curve(source: str) -> Node:
    """Parse the formula data set's curve y(x) (4-6's language), or raise FormulaError with the column."""
    return parse_formula(source)


_ONE_D = ", ".join(FEATURE_LABELS[f] for f in ONE_D_FEATURES)


class PlaygroundParams(Params):
    """Every knob: the data, the network, its training, and how many seeds."""

    # ---- the problem and its data
    dataset: Dataset = knob(
        "data", "circles", text("Data set", "数据集"),
        text("Two-class sets on the plane (xor, circles, moons, spiral, gaussians, checkerboard, or custom: your "
             "own points), or a curve y(x) on [−1, 1] to fit (sine sin πx, step, |x|, cubic x³, formula: the "
             "formula below, or custom_curve: your own points x, y).",
             "平面上的二分类数据集（异或、同心圆、半月、螺旋、两团高斯、棋盘，或 custom：你自己的点），或在 [−1, 1] "
             "上拟合的曲线 y(x)（正弦 sin πx、阶跃、|x|、三次函数 x³、formula：下方的公式，或 custom_curve："
             "你自己的点 x, y）。"))
    formula: str = knob(
        "data", DEFAULT_FORMULA, text("Formula y(x)", "公式 y(x)"),
        text("The curve of the formula data set: a formula in x with numbers, + - * / **, pi, e and sin cos tan exp "
             "log sqrt abs tanh, finite on [−1, 1]; e.g. x*sin(3*x).",
             "formula 数据集的曲线：关于 x 的公式，可用数字、+ - * / **、pi、e 以及 sin cos tan exp log sqrt abs tanh，"
             "在 [−1, 1] 上取有限值；例如 x*sin(3*x)。"), max_length=MAX_EXPRESSION_LENGTH)
    n_points: int = knob("data", 200, text("Points", "样本数"),
                         text("Training and test points together.", "训练集与测试集的样本总数。"), ge=20, le=MAX_POINTS)
    noise: float = knob("data", 0.1, text("Noise", "噪声"),
                        text("Standard deviation of Gaussian noise on each input coordinate (classification) or on "
                             "the target (regression).",
                             "加在每个输入坐标（分类）或目标值（回归）上的高斯噪声的标准差。"), ge=0, le=1, step=0.01)
    test_fraction: float = knob("data", 0.3, text("Test fraction", "测试集比例"),
                                text("Share of the points held out for testing; 0 keeps every point for training.",
                                     "留作测试的样本比例；为 0 时全部用于训练。"), ge=0, le=0.8, step=0.05)
    data_seed: int = knob("data", 0, text("Data seed", "数据种子"),
                          text("Seeds the points, their noise and the train/test split.", "决定样本点、噪声与训练/测试划分。"),
                          ge=0, le=MAX_SEED)
    features: str = knob(
        "data", "x1,x2", text("Input features", "输入特征"),
        text(f"Comma-separated, from x1, x2, x1sq (x₁²), x2sq, x1x2, sinx1 (sin πx₁), sinx2. A feature can "
             f"replace a layer: x1x2 alone separates xor. A curve has only x₁ (its x): {_ONE_D} apply, the "
             f"others are left out.",
             f"逗号分隔，可选 x1、x2、x1sq（x₁²）、x2sq、x1x2、sinx1（sin πx₁）、sinx2。一个特征可以代替一层："
             f"单用 x1x2 就能分开异或数据。曲线只有 x₁（即 x）：只用 {_ONE_D}，其余忽略。"), max_length=60)

    csv: str = knob(
        "data", "", text("Pasted rows (CSV)", "粘贴的数据（CSV）"),
        text(f"Your own data as rows x1,x2,label (custom; label 0 or 1) or x,y (custom_curve), up to {MAX_CSV_ROWS} "
             "rows. Sent in the request (POST), not in the link; leave the points empty.",
             f"你自己的数据，每行 x1,x2,label（custom；标签为 0 或 1）或 x,y（custom_curve），最多 {MAX_CSV_ROWS} 行。"
             "随请求发送（POST），不在链接中；此时点的编码须留空。"), max_length=MAX_CSV_LENGTH)
    points: str = knob(
        "data", "", text("Your points (link code)", "你的点（链接编码）"),
        text(f"The custom data set's points, up to {MAX_LINK_POINTS}, four characters each (x₁, x₂ in [−6, 6] at "
             "0.01 and the class; x, y for custom_curve). The page writes it as you click on the plane or drag a "
             "point.",
             f"custom 数据集的点，最多 {MAX_LINK_POINTS} 个，每个点四个字符（x₁、x₂ ∈ [−6, 6]，精度 0.01，以及类别；"
             "custom_curve 为 x、y）。在平面上点击或拖动点时由页面写入。"), max_length=MAX_CODE_LENGTH * 5)

    # ---- the network
    layers: str = knob(
        "network", "4,4", text("Hidden layers", "隐藏层"),
        text(f"The width of each hidden layer, comma-separated: 4,4 is two layers of 4 units. Up to "
             f"{MAX_LAYERS} layers of 1 to {MAX_WIDTH} units; empty for none (a single neuron).",
             f"每个隐藏层的宽度，用逗号分隔：4,4 表示两层、每层 4 个单元。最多 {MAX_LAYERS} 层，每层 1 到 "
             f"{MAX_WIDTH} 个单元；留空表示没有隐藏层（单个神经元）。"), max_length=40,
        schema={"x-max-layers": MAX_LAYERS, "x-max-width": MAX_WIDTH})  # the layer buttons' bounds
    activation: Activation = knob(
        "network", "tanh", text("Hidden activation", "隐藏层激活函数"),
        text("One activation for every hidden layer. The output is σ for classes, linear for a curve.",
             "所有隐藏层共用的激活函数。输出层：分类用 σ，回归用线性。"))
    leaky_alpha: float = knob("network", 0.01, text("Leaky ReLU slope α", "Leaky ReLU 斜率 α"),
                              text("Slope for z < 0 (Leaky ReLU only).", "z < 0 时的斜率（仅 Leaky ReLU）。"),
                              ge=0, le=1, step=0.01)
    prelu_alpha: float = knob("network", 0.25, text("PReLU initial slope", "PReLU 初始斜率"),
                              text("Every PReLU unit starts with this slope for z < 0 and learns its own.",
                                   "每个 PReLU 单元以此作为 z < 0 时的初始斜率，并各自学习。"), ge=0, le=1, step=0.01)
    elu_alpha: float = knob("network", 1.0, text("ELU α", "ELU α"),
                            text("ELU is α(eᶻ − 1) for z ≤ 0 (ELU only).", "z ≤ 0 时 ELU 为 α(eᶻ − 1)（仅 ELU）。"),
                            ge=0.01, le=10, step=0.01)
    swish_beta: float = knob("network", 1.0, text("Swish β", "Swish β"),
                             text("Swish is z·σ(βz) (Swish only).", "Swish 为 z·σ(βz)（仅 Swish）。"), ge=0, le=10, step=0.1)
    init: Literal["zeros", "constant", "normal", "uniform", "xavier", "he"] = knob(
        "network", "xavier", text("Weight initialisation", "权重初始化"),
        text("zeros; constant c; normal N(0, σ²); uniform U(−a, a); xavier U(±√(6/(n_in+n_out))); he N(0, 2/n_in). "
             "With zeros or a constant every unit of a layer starts, and stays, the same.",
             "全零；常数 c；正态 N(0, σ²)；均匀 U(−a, a)；xavier U(±√(6/(n_in+n_out)))；he N(0, 2/n_in)。"
             "全零或常数初始化时，同一层的所有单元一开始相同，并且始终相同（对称权重现象）。"))
    init_scale: float = knob("network", 1.0, text("Init scale (σ, a or c)", "初始化尺度（σ、a 或 c）"),
                             text("σ of normal, a of uniform, c of constant; unused by the others.",
                                  "正态分布的 σ、均匀分布的 a、常数初始化的 c；其他初始化不用。"),
                             ge=0, le=10, step=0.01)
    bias_init: Literal["zeros", "small"] = knob(
        "network", "zeros", text("Bias initialisation", "偏置初始化"),
        text(f"zeros, or small random N(0, {SMALL_BIAS_STD}²).", f"全零，或较小的随机值 N(0, {SMALL_BIAS_STD}²)。"))
    loss: Literal["auto", "bce", "mse"] = knob(
        "network", "auto", text("Loss", "损失函数"),
        text("auto: cross-entropy for classes, mean squared error for a curve. bce: cross-entropy on σ of the "
             "output (classes only). mse: ½·mean squared error (of σ(output) for classes).",
             "auto：分类用交叉熵，回归用平方损失。bce：对输出的 σ 计算交叉熵（仅分类）。"
             "mse：均方误差的一半（分类时作用于 σ(输出)）。"))

    # ---- training
    optimizer: Literal["sgd", "momentum", "adam"] = knob(
        "training", "adam", text("Optimiser", "优化器"),
        text("sgd: plain gradient descent; momentum: with heavy-ball momentum; adam: Adam.",
             "sgd：普通梯度下降；momentum：动量法；adam：Adam 算法。"))
    lr: float = knob("training", 0.03, text("Learning rate η", "学习率 η"), text("Step size η.", "步长 η。"),
                     ge=1e-5, le=10, scale="log")
    momentum: float = knob("training", 0.9, text("Momentum β", "动量 β"),
                           text("Fraction of the last update kept (momentum only).", "保留上一次更新的比例（仅动量法）。"),
                           ge=0, le=0.99, step=0.01)
    batch_size: int = knob("training", MAX_POINTS, text("Batch size", "批量大小"),
                           text("Samples per step; as large as the training set (or larger) is full-batch gradient descent.",
                                "每步使用的样本数；不小于训练集大小时即为全批量梯度下降。"), ge=1, le=MAX_POINTS)
    epochs: int = knob("training", 300, text("Epochs", "训练轮数"),
                       text("Passes over the training set.", "遍历训练集的次数。"), ge=1, le=5000)
    l2: float = knob("training", 0.0, text("L2 strength λ", "L2 正则化系数 λ"),
                     text("The penalty (λ/2)·Σw² on every weight.", "对所有权重施加惩罚 (λ/2)·Σw²。"),
                     ge=0, le=1, scale="log")
    l2_biases: bool = knob("training", False, text("Penalise biases too", "同时惩罚偏置"),
                           text("Add (λ/2)·Σb² for the biases as well.", "对偏置也加上 (λ/2)·Σb²。"))

    # ---- seeds
    n_seeds: int = knob("seeds", 1, text("Networks (seeds)", "网络个数（种子数）"),
                        text("Train this many networks with seeds seed, seed+1, … at once (one vectorised ensemble). "
                             "The figures show the first; the statistics cover all.",
                             "以种子 seed, seed+1, … 同时训练这么多个网络（一次向量化的集成训练）。图中画出第一个网络，"
                             "统计覆盖全部网络。"), ge=1, le=MAX_SEEDS)
    seed: int = knob("seeds", 0, text("Seed", "随机种子"),
                     text("Seed of the first network's initial weights and of its mini-batch order.",
                          "第一个网络的初始权重与小批量顺序的随机种子。"), ge=0, le=MAX_SEED)
    success_at: float = knob("seeds", 0.9, text("Success threshold", "成功阈值"),
                             text("A network succeeds when its test accuracy (classes) or test R² (curve) reaches this; "
                                  "measured on the training set when there is no test set.",
                                  "网络的测试准确率（分类）或测试 R²（回归）达到此值即算成功；没有测试集时在训练集上计算。"),
                             ge=0, le=1, step=0.01)

    @field_validator("features")
    @classmethod
    def _known_features(cls, value: str, info: ValidationInfo) -> str:
        names = parse_features(value)
        usable = [f for f in names if f in ONE_D_FEATURES] if is_regression(info.data.get("dataset", "")) else names
        if not usable:
            raise Refusal(f"choose at least one feature this data set has ({_ONE_D} for a curve).",
                          f"请至少选择一个该数据集具有的特征（曲线只有 {_ONE_D}）。")
        return ",".join(names)

    @field_validator("formula")
    @classmethod
    def _valid_formula(cls, value: str) -> str:
        check_finite(parse_curve(value), FORMULA_CHECK)
        return value

    @field_validator("csv")
    @classmethod
    def _valid_rows(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            return ""
        dataset = info.data.get("dataset", "")
        if dataset not in CUSTOM:
            raise Refusal("pasted rows need the data set custom (x1,x2,label) or custom_curve (x,y).",
                          "粘贴的数据需要数据集 custom（x1,x2,label）或 custom_curve（x,y）。")
        check_points(*parse_csv(value, 2 if is_regression(dataset) else 3), not is_regression(dataset), "rows")
        return value

    @field_validator("points")
    @classmethod
    def _valid_points(cls, value: str, info: ValidationInfo) -> str:
        X, c = decode_points(value)
        dataset = info.data.get("dataset", "")
        if value.strip() and info.data.get("csv"):
            raise Refusal("give your data either as points (the link) or as pasted rows (CSV), not both.",
                          "数据请只用一种方式给出：点的编码（链接）或粘贴的行（CSV），不要同时给出。")
        if dataset in CUSTOM and "csv" in info.data and not info.data["csv"]:
            check_points(X, c, not is_regression(dataset), "points")
        return value.strip()

    @field_validator("layers")
    @classmethod
    def _widths(cls, value: str) -> str:
        return ",".join(str(w) for w in parse_layers(value))

    @field_validator("loss")
    @classmethod
    def _loss_fits(cls, value: str, info: ValidationInfo) -> str:
        if value == "bce" and is_regression(info.data.get("dataset", "")):
            raise Refusal("cross-entropy needs two classes; a curve is fitted with mse (or auto).",
                          "交叉熵需要两个类别；拟合曲线请用 mse（或 auto）。")
        return value

    # ---- what the fields mean together

    @property
    def regression(self) -> bool:
        return is_regression(self.dataset)

    @property
    def custom(self) -> bool:
        """Whether the data are the reader's own points (drawn or pasted)."""
        return self.dataset in CUSTOM

    def custom_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the reader's inputs (N, 2) or (N, 1) and targets (N,): the pasted rows, else the points."""
        if self.csv:
            return parse_csv(self.csv, 2 if self.regression else 3)
        X, c = decode_points(self.points)
        return (X[:, :1], X[:, 1]) if self.regression else (X, c)

    def target(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """Return the noiseless curve y(x) of a regression set (None for custom_curve and for classes)."""
        if self.dataset == "formula":
            tree = parse_curve(self.formula)
            return lambda x: evaluate(tree, x)
        return REGRESSION_TARGETS.get(self.dataset)

    def n_data(self) -> int:
        """Return how many points there are: the reader's, else n_points."""
        return len(self.custom_data()[0]) if self.custom else self.n_points

    def widths(self) -> tuple[int, ...]:
        """Return the hidden widths, e.g. (4, 4)."""
        return parse_layers(self.layers)

    def feature_names(self) -> tuple[str, ...]:
        """Return the features the network sees (a curve's x₂ features left out)."""
        names = parse_features(self.features)
        return tuple(f for f in names if f in ONE_D_FEATURES) if self.regression else names

    def sizes(self) -> tuple[int, ...]:
        """Return the layer sizes (features, widths…, 1)."""
        return (len(self.feature_names()), *self.widths(), 1)

    def loss_name(self) -> str:
        """Return the loss trained: bce on the logit, or mse (on σ(output) for classes)."""
        if self.loss == "auto":
            return "mse" if self.regression else "bce"
        return self.loss

    def output(self) -> str:
        """Return the output activation: linear (a logit for bce, or a curve's value), σ for mse on classes."""
        return "sigmoid" if not self.regression and self.loss_name() == "mse" else "linear"

    def activation_kwargs(self) -> dict[str, float]:
        """Return the keyword arguments of get_activation for the hidden activation."""
        alpha = {"leaky_relu": self.leaky_alpha, "elu": self.elu_alpha, "prelu": self.prelu_alpha}
        return {"alpha": alpha.get(self.activation), "beta": self.swish_beta}

    def n_train(self) -> int:
        """Return how many points train (the rest test)."""
        n = self.n_data()
        return n - int(round(self.test_fraction * n))

    def seeds(self) -> list[int]:
        """Return the seeds of the networks: seed, seed+1, …"""
        return [self.seed + i for i in range(self.n_seeds)]
