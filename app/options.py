"""Labels of the choices a control offers, in both languages (the values stay as the URL spells them).

A 中文 page showing `relu`, `mse`, `normal` or `circles` in a drop-down speaks the code's language, not
the book's. Every value any params model offers has its label here; `label_options` adds them to a
params JSON Schema as `x-option-labels` (one {en, zh} per value), which the page uses for its menus.
"""

from __future__ import annotations

from typing import Any

from app.i18n import Text, text

OPTION_LABELS: dict[str, Text] = {
    # activations (激活函数)
    "sigmoid": text("logistic sigmoid σ", "Logistic 函数 σ"),
    "tanh": text("tanh", "Tanh 函数"),
    "relu": text("ReLU", "ReLU"),
    "leaky_relu": text("Leaky ReLU", "带泄露的 ReLU（Leaky ReLU）"),
    "prelu": text("PReLU (learned slope)", "带参数的 ReLU（PReLU）"),
    "elu": text("ELU", "指数线性单元（ELU）"),
    "softplus": text("Softplus", "Softplus 函数"),
    "swish": text("Swish", "Swish 函数"),
    "gelu": text("GELU", "GELU"),
    "gelu_tanh": text("GELU, tanh approximation", "GELU（tanh 近似）"),
    "gelu_sigmoid": text("GELU, sigmoid approximation x·σ(1.702x)", "GELU（sigmoid 近似 x·σ(1.702x)）"),
    "hard_sigmoid": text("hard sigmoid", "Hard-Logistic 函数"),
    "hard_tanh": text("hard tanh", "Hard-Tanh 函数"),
    "linear": text("linear (identity)", "线性（恒等）"),
    # losses (损失函数)
    "mse": text("mean squared error", "平方损失（均方误差）"),
    "bce": text("cross-entropy", "交叉熵损失"),
    # initialisation (参数初始化)
    "zeros": text("all zeros", "全零"),
    "constant": text("one constant", "同一常数"),
    "normal": text("normal N(0, 1)", "正态分布 N(0, 1)"),
    "uniform": text("uniform", "均匀分布"),
    "xavier": text("Xavier (Glorot)", "Xavier 初始化"),
    "he": text("He (Kaiming)", "He 初始化"),
    # optimisers (优化方法)
    "sgd": text("plain gradient descent", "随机梯度下降（SGD）"),
    "momentum": text("momentum", "动量法"),
    "adam": text("Adam", "Adam 算法"),
    # data sets
    "circles": text("two rings", "两个同心圆"),
    "moons": text("two moons", "两个半月"),
    "spiral": text("two spirals", "双螺旋"),
    "xor": text("XOR", "异或（XOR）"),
    "sine": text("sine curve", "正弦曲线"),
    "custom": text("your own points (two classes)", "自己的点（二分类）"),
    "custom_curve": text("your own points (a curve)", "自己的点（曲线）"),
    "formula": text("a curve from your formula", "自定义公式曲线"),
    # targets of 4-6 and 4-7
    "sin": text("sin x", "sin x"),
    "abs": text("|x|", "|x|"),
    "cubic": text("a cubic", "三次函数"),
    "gaussian": text("a Gaussian bump", "高斯峰"),
    "line": text("a straight line", "直线"),
    "sawtooth": text("sawtooth", "锯齿波"),
    "step": text("step", "阶跃函数"),
    "expression": text("your formula", "自定义公式"),
    # models of 4-7
    "network": text("small network", "小型网络"),
    "neuron": text("one linear neuron", "单个线性神经元"),
    # languages
    "en": text("English", "English"),
    "zh": text("中文", "中文"),
}


def option_label(value: str) -> Text:
    """Return the label of an option value (the value itself, in both languages, if none is known)."""
    return OPTION_LABELS.get(value, text(value, value))


def label_options(schema: dict[str, Any]) -> dict[str, Any]:
    """Add `x-option-labels` to every property of a params schema that offers a fixed set of values."""
    for prop in schema.get("properties", {}).values():
        if "enum" in prop:
            prop["x-option-labels"] = {v: dict(option_label(str(v))) for v in prop["enum"]}
    return schema
