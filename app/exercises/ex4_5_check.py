"""4-5 — check your own answer: the parameter count P(N, M₀, L) as the student typed it.

Experiment: check-parameters. One string parameter, `answer`, a formula in N, M0 and L, checked
numerically (app.exercises.answers) against the page's P: L hidden layers of N/L units, input dimension
M₀, one output unit, fully connected, one bias per non-input unit (as app.exercises.ex4_5_depth_params),
at whole N, M₀, L with L dividing N. A wrong answer is compared with the miscounts that circulate in answer
sheets. The figures (a table of P beside the answer, P against L) are drawn by app.figures.checks.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from app.exercises.answers import Mistake, Question, Variable, answer_field, answer_validator, check_experiment
from app.exercises.base import Params
from app.i18n import text

GRID_N = (1, 2, 6, 12, 24, 60, 120, 360, 720)
GRID_M0 = (1, 3, 10, 100)
MAX_N = MAX_M0 = 1000
RANDOM_POINTS = 512
SLICE_LAYERS = 48  # the figure's P against L shows at most this many divisors of N


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def parameters(v: Mapping[str, np.ndarray]) -> np.ndarray:
    """P(N, M₀, L) = M₀·N/L + (L−1)(N/L)² + N/L + (N+1), the page's formula (ex4_5_depth_params.formula, written
    again here so that the exercise module can import this one; tests/exercises/test_answers.py checks they agree)."""
    width = v["N"] / v["L"]
    return v["M0"] * width + (v["L"] - 1) * width**2 + width + v["N"] + 1


def points(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the check's points: every divisor L of the grid's N for each grid M₀, then random (N, M₀, L | N)."""
    rows = [(n, m, d) for n in GRID_N for d in _divisors(n) for m in GRID_M0]
    for _ in range(RANDOM_POINTS):
        n = int(rng.integers(1, MAX_N + 1))
        divisors = _divisors(n)
        rows.append((n, int(rng.integers(1, MAX_M0 + 1)), divisors[int(rng.integers(len(divisors)))]))
    a = np.array(rows, dtype=float)
    return {"N": a[:, 0], "M0": a[:, 1], "L": a[:, 2]}


def layers_of(at: Mapping[str, float]) -> np.ndarray:
    """Return the whole L that divide the slice's N (the first SLICE_LAYERS of them)."""
    return np.array(_divisors(int(at["N"]))[:SLICE_LAYERS], dtype=float)


TRUE = "M0*N/L + (L-1)*(N/L)^2 + N/L"  # the weights; + N + 1 biases
PARAMETERS = Question(
    "parameters", text("P(N, M₀, L)", "P(N, M₀, L)"),
    (Variable("N", 1, MAX_N, (), integer=True), Variable("M0", 1, MAX_M0, (), integer=True),
     Variable("L", 1, MAX_N, (), integer=True)),
    parameters, anchor="answer-deriving-p", slice_var="L", slice_at={"N": 120, "M0": 10}, example="N*(M0 + 1)",
    points=points, slice_values=layers_of, slice_through_worst=False,
    table=tuple({"N": 120, "M0": 10, "L": L} for L in range(1, 7)) + (
        {"N": 60, "M0": 29, "L": 1}, {"N": 60, "M0": 29, "L": 2}, {"N": 24, "M0": 2, "L": 24}),
    mistakes=(
        Mistake("m0-output", text("M₀ taken for the output size", "把 M₀ 当成了输出维数"),
                text("M₀ is the input dimension and the network has one output unit: M₀ multiplies only the first "
                     "weight matrix, the output weights are N/L and the biases N + 1 (not M₀·N/L and N + M₀).",
                     "M₀ 是输入维数，网络只有一个输出神经元：M₀ 只乘第一个权重矩阵，输出层权重是 N/L，偏置是 N + 1"
                     "（而不是 M₀·N/L 和 N + M₀）。"),
                "mistake-m0-output", ("(L-1)*(N/L)^2 + M0*N/L + N + M0", "M0*N/L + (L-1)*(N/L)^2 + M0*N/L + N + M0",
                                      "M0*N/L + (L-1)*(N/L)^2 + M0*N/L + N + 1", f"{TRUE} + N + M0")),
        Mistake("biases-forgotten", text("the biases are forgotten", "漏掉了偏置"),
                text("Every neuron that is not an input has a bias: N hidden ones and the output one, N + 1 in all.",
                     "每个非输入神经元都有一个偏置：N 个隐藏神经元加一个输出神经元，共 N + 1 个。"),
                "mistake-biases", (TRUE,)),
        Mistake("output-bias-forgotten", text("the output neuron's bias is forgotten", "漏掉了输出神经元的偏置"),
                text("N biases count the hidden neurons only; the output neuron has one too: N + 1.",
                     "N 个偏置只算了隐藏神经元；输出神经元也有一个：共 N + 1 个。"),
                "mistake-biases", (f"{TRUE} + N",)),
        Mistake("first-layer", text("the first layer is miscounted", "第一层算错了"),
                text("The first hidden layer has N/L units, each reading all M₀ inputs: M₀·N/L weights (not M₀·N, "
                     "not (N/L)², not none).",
                     "第一隐藏层有 N/L 个单元，每个都读入全部 M₀ 个输入：M₀·N/L 个权重（不是 M₀·N，不是 (N/L)²，也不能没有）。"),
                "answer-deriving-p", ("(L-1)*(N/L)^2 + N/L + N + 1", "L*(N/L)^2 + N/L + N + 1",
                                      "M0*N + (L-1)*(N/L)^2 + N/L + N + 1")),
        Mistake("hidden-gaps", text("L hidden-to-hidden matrices instead of L − 1", "隐藏层之间的矩阵数算成了 L 个（应为 L − 1 个）"),
                text("L hidden layers have L − 1 gaps between them, each a full (N/L) × (N/L) matrix.",
                     "L 个隐藏层之间只有 L − 1 个间隔，每个间隔是一个完整的 (N/L) × (N/L) 矩阵。"),
                "answer-deriving-p", ("M0*N/L + L*(N/L)^2 + N/L + N + 1",)),
        Mistake("last-layer", text("the last layer is miscounted", "最后一层算错了"),
                text("The output unit reads the N/L units of the last hidden layer: N/L weights (not N, not (N/L)², "
                     "not none).",
                     "输出单元读入最后一个隐藏层的 N/L 个单元：N/L 个权重（不是 N，不是 (N/L)²，也不能没有）。"),
                "answer-deriving-p", ("M0*N/L + (L-1)*(N/L)^2 + N + 1", "M0*N/L + (L-1)*(N/L)^2 + N + N + 1",
                                      "M0*N/L + L*(N/L)^2 + N + 1")),
    ),
)


class ParametersAnswer(Params):
    answer: str = answer_field(PARAMETERS)
    _syntax = answer_validator(PARAMETERS)


CHECK_PARAMETERS = check_experiment(
    PARAMETERS, ParametersAnswer, "check-parameters", text("Check your parameter count", "检验你的参数个数公式"),
    text("Type your P as a formula in N, M0 and L. The server compares it with the count of the page's "
         "architecture at whole N, M₀ and every L that divides N, and names the miscount it matches.",
         "把你的 P 写成关于 N、M0、L 的公式。服务器在整数 N、M₀ 和每个整除 N 的 L 上把它与本页结构的参数个数对照，"
         "并指出它属于哪种常见的数错。"),
)
