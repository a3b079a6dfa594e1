"""4-1 — the parameters of the experiments: one shift (centering) or a range of shifts (shift-sweep).

Both share the training settings: samples, batch size, learning rate, epochs, the seed of the data
and of the sample order, the teacher neuron that labels the data, and the target gap.
"""

from __future__ import annotations

import numpy as np
from pydantic import ValidationInfo, field_validator

from app.exercises.base import Params, param
from app.i18n import text

# The sample order is drawn from its own stream, independent of the data drawn from `seed`.
SHUFFLE_STREAM = 1


def _text_param(default, en, zh, help_en, help_zh, **kw):
    return param(default, text(en, zh), text(help_en, help_zh), **kw)


class _Shift(Params):
    shift: float = _text_param(
        3.0, "Shift of the inputs", "输入平移量",
        "Every input is x = u + shift with u ~ U(−1, 1)²; from shift 1 on, every component is positive.",
        "每个输入为 x = u + 平移量，u ~ U(−1, 1)²；平移量不小于 1 时，所有分量都为正。",
        ge=0, le=10, step=0.1)


class _SweepRange(Params):
    max_shift: float = _text_param(
        5.0, "Largest shift", "最大平移量", "The shifts run evenly from 0 to this value.",
        "平移量从 0 均匀取到该值。", ge=0.5, le=10, step=0.5)
    n_shifts: int = _text_param(
        11, "Number of shifts", "平移量个数", "How many shifts between 0 and the largest one.",
        "在 0 与最大平移量之间取多少个平移量。", ge=2, le=21)
    n_seeds: int = _text_param(
        5, "Data seeds per shift", "每个平移量的数据种子数",
        "Data sets drawn per shift (seeds seed, seed+1, …); the same data at every shift, only moved.",
        "每个平移量抽取的数据集个数（种子为 seed, seed+1, …）；各平移量用同一批数据，只是整体平移。",
        ge=1, le=20)


class TrainingParams(Params):
    """The training settings both experiments share."""

    n_samples: int = _text_param(
        200, "Samples", "样本数", "Number of training points.", "训练样本的个数。", ge=20, le=2000)
    batch_size: int = _text_param(
        1, "Batch size", "批大小",
        "1: one update per sample (per-sample SGD); equal to the samples: full-batch gradient descent.",
        "1：每个样本更新一次（逐样本 SGD）；等于样本数：全批量梯度下降。", ge=1, le=2000)
    lr: float = _text_param(
        0.05, "Learning rate η", "学习率 η", "Step size of every update, the same for both neurons.",
        "每次更新的步长，两个神经元相同。", ge=1e-4, le=10, scale="log")
    epochs: int = _text_param(
        100, "Epochs", "训练轮数", "Passes over the data.", "遍历数据的次数。", ge=1, le=2000)
    seed: int = _text_param(
        0, "Seed", "随机种子", "Draws the data and the sample order (the same order for both neurons).",
        "决定数据与样本顺序（两个神经元的顺序相同）。", ge=0, le=2**31 - 1)
    teacher_w1: float = _text_param(
        4.0, "Teacher w₁*", "教师权重 w₁*", "First weight of the neuron that labels the data.",
        "给数据打标签的教师神经元的第一个权重。", ge=-10, le=10, step=0.5)
    teacher_w2: float = _text_param(
        -1.0, "Teacher w₂*", "教师权重 w₂*",
        "Second weight of the teacher; w₁* + w₂* = 0 puts the optimum's bias at 0 and hides the effect.",
        "教师的第二个权重；w₁* + w₂* = 0 时最优偏置为 0，效应会消失。", ge=-10, le=10, step=0.5)
    target_gap: float = _text_param(
        0.01, "Target gap", "目标差距",
        "A run reaches the target at the first epoch with loss ≤ optimal loss + this gap.",
        "当某一轮的损失 ≤ 最优损失 + 该差距时，视为达到目标。", ge=1e-4, le=1, scale="log")

    @field_validator("batch_size")
    @classmethod
    def _batch_within_samples(cls, batch_size: int, info: ValidationInfo) -> int:
        n = info.data.get("n_samples")
        if n is not None and batch_size > n:
            raise ValueError(f"batch_size must not exceed n_samples ({n})")
        return batch_size

    def steps_per_epoch(self) -> int:
        """Return the number of updates per epoch, ceil(n_samples / batch_size)."""
        return -(-self.n_samples // self.batch_size)

    def shuffle_seed(self) -> int:
        """Return the seed of the sample-order generator (its own stream of `seed`)."""
        return int(np.random.SeedSequence([self.seed, SHUFFLE_STREAM]).generate_state(1)[0])


# Field order: the shift (or the sweep's range) first, then the training settings.
class CenteringParams(TrainingParams, _Shift):
    """One shift: raw against centred inputs."""


class SweepParams(TrainingParams, _SweepRange):
    """Shifts from 0 to max_shift, n_seeds data sets each."""

    epochs: int = _text_param(
        200, "Epochs", "训练轮数", "Passes over the data; a run that never reaches the target counts as this many.",
        "遍历数据的次数；从未达到目标的运行按该轮数计。", ge=1, le=2000)
