"""4-7 — check your own answer: the penalised neuron's optimal bias as the student typed it.

Experiment: check-bias. One string parameter, `answer`, a formula in ybar, xbar, w and lam (ȳ, x̄, w, λ),
checked numerically (app.exercises.answers) against the page's optimum. The page states the objective
J(w, b) = ½·mean((w x + b − y)²) + (λ_w/2) w² + (λ/2) b² (app.exercises.ex4_7_fits); ∂J/∂b = 0 gives
mean(e) + λb = 0, so b = (ȳ − w x̄)/(1 + λ) at the optimal w (the same as for mean(e²) + λb²). A wrong answer
is compared with the mistakes that circulate; the figures are drawn by app.figures.checks, along λ.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from app.exercises.answers import Mistake, Question, Variable, answer_field, answer_validator, check_experiment
from app.exercises.base import Params
from app.i18n import text


def optimal_bias(v: Mapping[str, np.ndarray]) -> np.ndarray:
    """b = (ȳ − w x̄)/(1 + λ): the bias minimising the page's J for the weight w."""
    return (v["ybar"] - v["w"] * v["xbar"]) / (1.0 + v["lam"])


BIAS = Question(
    "bias", text("the optimal bias b", "最优偏置 b"),
    (Variable("ybar", -20.0, 20.0, (-20.0, -5.0, -1.0, 0.0, 2.0, 5.0, 20.0)),
     Variable("xbar", -math.pi, math.pi, (-3.0, -1.0, 0.0, 0.5, 3.0)),
     Variable("w", -5.0, 5.0, (-5.0, -1.0, 0.0, 1.0, 5.0)),
     Variable("lam", 0.0, 10.0, (0.0, 0.1, 0.5, 1.0, 10.0))),
    optimal_bias, anchor="answer-neuron-bias", slice_var="lam", slice_at={"ybar": 5.0, "xbar": 0.5, "w": 1.0},
    example="ybar - w",
    mistakes=(
        Mistake("factor-dropped", text("the factor 1/(1 + λ) is dropped", "漏掉了因子 1/(1 + λ)"),
                text("ȳ − w x̄ is the unpenalised bias. With λb² in the loss, ∂J/∂b = 0 reads mean(e) + λb = 0, so "
                     "(1 + λ)b = ȳ − w x̄.",
                     "ȳ − w x̄ 是不加惩罚时的偏置。损失中有 λb² 时，∂J/∂b = 0 即 mean(e) + λb = 0，所以 (1 + λ)b = ȳ − w x̄。"),
                "answer-neuron-bias", ("ybar - w*xbar",)),
        Mistake("whole-fit", text("(1 + λ) applied to the whole fit", "把 (1 + λ) 用在了整个拟合上"),
                text("The penalty acts on b alone, so 1/(1 + λ) divides all of ȳ − w x̄; dividing ȳ alone shrinks the "
                     "whole fit's level w x̄ + b to ȳ/(1 + λ), which is not what the penalty does.",
                     "惩罚只作用于 b，所以 1/(1 + λ) 要除整个 ȳ − w x̄；只除 ȳ，相当于把整个拟合的水平 w x̄ + b "
                     "缩到 ȳ/(1 + λ)，这不是惩罚的作用。"),
                "answer-neuron-bias", ("ybar/(1 + lam) - w*xbar",)),
        Mistake("two-lambda", text("loss conventions mixed: 1 + 2λ", "混用了损失的约定：1 + 2λ"),
                text("½·mean(e²) with λb² (the ½ on one term only) gives (ȳ − w x̄)/(1 + 2λ); the page's convention "
                     "puts the same ½ on both terms, and the factor is 1 + λ.",
                     "½·mean(e²) 配 λb²（只有一项带 ½）得到 (ȳ − w x̄)/(1 + 2λ)；本页的约定两项都带 ½，因子是 1 + λ。"),
                "mistake-two-lambda", ("(ybar - w*xbar)/(1 + 2*lam)", "(ybar - w*xbar)/(1 + lam/2)")),
        Mistake("wx-dropped", text("the term w x̄ is dropped", "漏掉了 w x̄ 项"),
                text("b = ȳ/(1 + λ) holds only for centred inputs, x̄ = 0; in general the mean error is "
                     "w x̄ + b − ȳ.",
                     "b = ȳ/(1 + λ) 只在输入已中心化（x̄ = 0）时成立；一般情况下平均误差是 w x̄ + b − ȳ。"),
                "mistake-wx-dropped", ("ybar/(1 + lam)",)),
        Mistake("bias-sign", text("a sign error", "符号错误"),
                text("The mean error is w x̄ + b − ȳ: setting it to −λb gives b = (ȳ − w x̄)/(1 + λ), ȳ with a plus "
                     "sign and w x̄ with a minus sign.",
                     "平均误差是 w x̄ + b − ȳ：令它等于 −λb 得 b = (ȳ − w x̄)/(1 + λ)，ȳ 取正号，w x̄ 取负号。"),
                "answer-neuron-bias", ("(ybar + w*xbar)/(1 + lam)", "(w*xbar - ybar)/(1 + lam)")),
        Mistake("factor-multiplied", text("multiplied by (1 + λ) instead of divided", "乘以 (1 + λ) 而不是除以"),
                text("The penalty pulls b towards 0: the factor shrinks it, b = (ȳ − w x̄)/(1 + λ).",
                     "惩罚把 b 拉向 0：因子使它变小，b = (ȳ − w x̄)/(1 + λ)。"),
                "answer-neuron-bias", ("(ybar - w*xbar)*(1 + lam)",)),
        Mistake("shortfall", text("the shortfall λ/(1 + λ) given instead of the bias", "给出的是差额 λ/(1 + λ)，不是偏置"),
                text("(ȳ − w x̄)·λ/(1 + λ) is how far the penalised bias falls short of the unpenalised one, not the "
                     "bias itself.",
                     "(ȳ − w x̄)·λ/(1 + λ) 是加惩罚的偏置比不加惩罚时少了多少，而不是偏置本身。"),
                "answer-neuron-bias", ("(ybar - w*xbar)*lam/(1 + lam)",)),
    ),
)


class BiasAnswer(Params):
    answer: str = answer_field(BIAS)
    _syntax = answer_validator(BIAS)


CHECK_BIAS = check_experiment(
    BIAS, BiasAnswer, "check-bias", text("Check your optimal bias", "检验你的最优偏置"),
    text("Type the bias b that minimises the page's loss with the bias penalised, as a formula in ybar, "
         "xbar, w and lam (ȳ, x̄, w, λ). The server compares it with the optimum and names the known mistake "
         "it matches.",
         "把本页损失（偏置也加惩罚）下的最优偏置 b 写成关于 ybar、xbar、w、lam（ȳ、x̄、w、λ）的公式。"
         "服务器把它与最优解对照，并指出它属于哪种常见错误。"),
)
