"""4-4 — check your own answer: Swish′(x; β) and GELU′(x) as the student typed them.

Experiments: check-swish, check-gelu. Each has one string parameter, `answer`, checked numerically
against the derivative (app.exercises.answers) on x ∈ [−6, 6] (and β ∈ [0.05, 5]); a wrong answer is
compared with the mistakes that circulate in answer sheets, each linked to the paragraph of the page
that explains it. The figures are drawn afterwards by app.figures.checks.
"""

from __future__ import annotations

import numpy as np

from app.exercises.answers import Mistake, Question, Variable, answer_field, answer_validator, check_experiment
from app.exercises.base import Params
from app.i18n import text
from app.nn.activations import normal_cdf, normal_pdf, sigmoid

X = Variable("x", -6.0, 6.0, tuple(np.linspace(-6.0, 6.0, 121)))
BETA = Variable("beta", 0.05, 5.0, (0.05, 0.3, 1.0, 1.7, 3.0, 5.0))


def swish_prime(v):
    """Swish′(x; β) = σ(βx) + βx·σ(βx)(1 − σ(βx))."""
    s = sigmoid(v["beta"] * v["x"])
    return s + v["beta"] * v["x"] * s * (1.0 - s)


def gelu_prime(v):
    """GELU′(x) = Φ(x) + x·φ(x), Φ and φ of the standard normal."""
    return normal_cdf(v["x"]) + v["x"] * normal_pdf(v["x"])


S = "sigmoid(beta*x)"
SWISH = Question(
    "swish", text("Swish′(x; β)", "Swish′(x; β)"), (X, BETA), swish_prime, anchor="answer-swish",
    slice_var="x", slice_at={"beta": 1.7}, example="x*sigmoid(beta*x)",
    mistakes=(
        Mistake("swish-chain-beta", text("the chain rule's factor β is missing", "漏掉了链式法则的因子 β"),
                text("d/dx σ(βx) = β·σ(βx)(1 − σ(βx)): the inner derivative β multiplies the second term. Without it "
                     "the formula is right only for β = 1 (or at x = 0).",
                     "d/dx σ(βx) = β·σ(βx)(1 − σ(βx))：内层函数的导数 β 要乘到第二项上。漏掉它，公式只在 β = 1（或 x = 0）时成立。"),
                "mistake-swish-chain-beta", (f"{S} + x*{S}*(1 - {S})",)),
        Mistake("swish-beta-inside", text("σ(x) written for σ(βx)", "把 σ(βx) 写成了 σ(x)"),
                text("Swish gates x by σ(βx): β belongs inside every σ. With σ(x) the formula is Swish′ for β = 1 only.",
                     "Swish 用 σ(βx) 作门控：每个 σ 里都要有 β。写成 σ(x)，公式就只是 β = 1 时的 Swish′。"),
                "answer-swish", ("sigmoid(x) + beta*x*sigmoid(x)*(1 - sigmoid(x))",
                                 "sigmoid(x) + x*sigmoid(x)*(1 - sigmoid(x))")),
        Mistake("swish-extra-beta", text("β put in front of the whole derivative", "把 β 乘在了整个导数前面"),
                text("Only σ(βx) is differentiated by the chain rule. The first term of the product rule, (x)′·σ(βx) = "
                     "σ(βx), carries no β.",
                     "只有对 σ(βx) 求导时才用链式法则。乘积法则的第一项 (x)′·σ(βx) = σ(βx) 不带 β。"),
                "answer-swish", (f"beta*({S} + x*{S}*(1 - {S}))",)),
        Mistake("swish-second-term-missing", text("the second term of the product rule is missing", "漏掉了乘积法则的第二项"),
                text("Swish is a product, x times σ(βx): its derivative is σ(βx) + x·(σ(βx))′, two terms.",
                     "Swish 是乘积 x·σ(βx)：导数是 σ(βx) + x·(σ(βx))′，共两项。"),
                "answer-product-rule", (S,)),
        Mistake("swish-first-term-missing", text("the first term of the product rule is missing", "漏掉了乘积法则的第一项"),
                text("The product rule gives (x)′·σ(βx) + x·(σ(βx))′; the first term, σ(βx), is missing.",
                     "乘积法则给出 (x)′·σ(βx) + x·(σ(βx))′；漏掉了第一项 σ(βx)。"),
                "answer-product-rule", (f"beta*x*{S}*(1 - {S})",)),
        Mistake("swish-x-missing", text("the factor x of the second term is missing", "第二项漏掉了因子 x"),
                text("The second term of the product rule is x·(σ(βx))′ = βx·σ(βx)(1 − σ(βx)): x stays in front.",
                     "乘积法则的第二项是 x·(σ(βx))′ = βx·σ(βx)(1 − σ(βx))：前面的 x 不能丢。"),
                "answer-product-rule", (f"{S} + beta*{S}*(1 - {S})",)),
        Mistake("swish-sign", text("a sign error", "符号错误"),
                text("σ′(z) = σ(z)(1 − σ(z)) is positive, and e^{−βx} has a minus sign: check the sign of the second "
                     "term (or of the exponent in the exp form).",
                     "σ′(z) = σ(z)(1 − σ(z)) 是正的，而 e^{−βx} 带负号：请检查第二项（或 exp 形式中指数）的符号。"),
                "answer-swish", (f"{S} - beta*x*{S}*(1 - {S})", "(1 + exp(beta*x)*(1 + beta*x))/(1 + exp(beta*x))^2",
                                 "(1 + exp(-beta*x)*(1 - beta*x))/(1 + exp(-beta*x))^2")),
        Mistake("swish-sigma-prime-plus", text("σ′ written as σ(1 + σ)", "把 σ′ 写成了 σ(1 + σ)"),
                text("The logistic sigmoid's derivative is σ′(z) = σ(z)(1 − σ(z)), at most 1/4, not σ(z)(1 + σ(z)).",
                     "logistic 函数的导数是 σ′(z) = σ(z)(1 − σ(z))，最大为 1/4，而不是 σ(z)(1 + σ(z))。"),
                "answer-swish", (f"{S} + beta*x*{S}*(1 + {S})",)),
        Mistake("swish-sigma-prime-sigma", text("σ′ written as σ", "把 σ′ 写成了 σ"),
                text("σ is not its own derivative (that is e^z): σ′(z) = σ(z)(1 − σ(z)).",
                     "σ 的导数不是它自己（那是 e^z）：σ′(z) = σ(z)(1 − σ(z))。"),
                "answer-swish", (f"{S} + beta*x*{S}", f"{S} + x*{S}")),
    ),
)

GELU = Question(
    "gelu", text("GELU′(x)", "GELU′(x)"), (Variable("x", -6.0, 6.0, tuple(np.linspace(-6.0, 6.0, 1201))),),
    gelu_prime, anchor="answer-gelu", slice_var="x", slice_at={}, example="x*Phi(x)",
    stray=(Variable("mu", -2.0, 2.0, (0.0,)), Variable("sigma", 0.5, 2.0, (1.0,))),
    mistakes=(
        Mistake("phi-for-Phi", text("φ written where Φ belongs", "把 Φ 写成了 φ"),
                text("GELU multiplies x by the CDF Φ, so the first term of the product rule is Φ(x); only the second "
                     "term brings in the density φ = Φ′.",
                     "GELU 用分布函数 Φ 乘 x，所以乘积法则的第一项是 Φ(x)；只有第二项才出现密度函数 φ = Φ′。"),
                "mistake-phi-for-Phi", ("phi(x) + x*phi(x)",)),
        Mistake("phi-Phi-swapped", text("φ and Φ swapped", "φ 与 Φ 互换了"),
                text("Φ is the CDF, φ = Φ′ the density: GELU′ = Φ(x) + x·φ(x), the CDF first.",
                     "Φ 是分布函数，φ = Φ′ 是密度函数：GELU′ = Φ(x) + x·φ(x)，分布函数在前。"),
                "mistake-phi-for-Phi", ("phi(x) + x*Phi(x)",)),
        Mistake("Phi-for-phi", text("Φ written where φ belongs", "把 φ 写成了 Φ"),
                text("The derivative of Φ is the density φ, not Φ itself: the second term is x·φ(x).",
                     "Φ 的导数是密度函数 φ，而不是 Φ 本身：第二项是 x·φ(x)。"),
                "answer-gelu", ("Phi(x) + x*Phi(x)",)),
        Mistake("gelu-second-term-missing", text("the second term of the product rule is missing", "漏掉了乘积法则的第二项"),
                text("GELU is a product, x times Φ(x): its derivative is Φ(x) + x·Φ′(x) = Φ(x) + x·φ(x).",
                     "GELU 是乘积 x·Φ(x)：导数是 Φ(x) + x·Φ′(x) = Φ(x) + x·φ(x)。"),
                "answer-product-rule", ("Phi(x)",)),
        Mistake("gelu-x-missing", text("the factor x of the second term is missing", "第二项漏掉了因子 x"),
                text("The second term of the product rule is x·Φ′(x) = x·φ(x): x stays in front.",
                     "乘积法则的第二项是 x·Φ′(x) = x·φ(x)：前面的 x 不能丢。"),
                "answer-product-rule", ("Phi(x) + phi(x)",)),
        Mistake("one-minus-Phi", text("the gate written as 1 − Φ", "把门控写成了 1 − Φ"),
                text("GELU gates x by Φ(x) = P(X ≤ x), not by P(X > x) = 1 − Φ(x); with the wrong gate the derivative "
                     "is exactly 1 − GELU′(x).",
                     "GELU 的门控是 Φ(x) = P(X ≤ x)，不是 P(X > x) = 1 − Φ(x)；门控写错时，导数恰好变成 1 − GELU′(x)。"),
                "mistake-one-minus-Phi", ("1 - Phi(x) - x*phi(x)",)),
        Mistake("gelu-sign", text("a sign error", "符号错误"),
                text("Both terms of GELU′ = Φ(x) + x·φ(x) come with a plus sign: φ = Φ′ > 0.",
                     "GELU′ = Φ(x) + x·φ(x) 的两项都是加号：φ = Φ′ > 0。"),
                "answer-gelu", ("Phi(x) - x*phi(x)",)),
        Mistake("density-constant", text("the density φ with a wrong constant", "密度函数 φ 的常数写错了"),
                text("The standard normal density is φ(x) = e^{−x²/2}/√(2π): both the ½ in the exponent and the "
                     "factor 1/√(2π) belong to it.",
                     "标准正态密度是 φ(x) = e^{−x²/2}/√(2π)：指数里的 ½ 和因子 1/√(2π) 都不能少。"),
                "answer-gelu", ("Phi(x) + x*exp(-x^2/2)", "Phi(x) + x*exp(-x^2)/sqrt(2*pi)",
                                "Phi(x) + x*exp(-x^2/2)/sqrt(pi)", "Phi(x) + x*exp(-x^2/2)/(2*pi)",
                                "Phi(x) + x*exp(-x^2)/sqrt(pi)")),
        Mistake("stray-mu-sigma", text("a stray μ or σ of a general normal", "多出了一般正态分布的 μ 或 σ"),
                text("GELU is defined with the standard normal, μ = 0 and σ = 1: its answer has no μ or σ (and the σ "
                     "of Swish is the logistic sigmoid, another thing).",
                     "GELU 用的是标准正态分布，μ = 0、σ = 1：答案里没有 μ 或 σ（Swish 里的 σ 是 logistic 函数，是另一回事）。"),
                "mistake-stray-mu-sigma", uses=("mu", "sigma")),
    ),
)

class SwishAnswer(Params):
    answer: str = answer_field(SWISH)
    _syntax = answer_validator(SWISH)


class GeluAnswer(Params):
    answer: str = answer_field(GELU)
    _syntax = answer_validator(GELU)


CHECK_SWISH = check_experiment(
    SWISH, SwishAnswer, "check-swish", text("Check your Swish′", "检验你的 Swish′"),
    text("Type your derivative of Swish(x) = x·σ(βx) as a formula in x and β. The server evaluates it against "
         "the true Swish′ on a grid and at random points, and names the known mistake it matches.",
         "把你推导的 Swish(x) = x·σ(βx) 的导数写成关于 x 和 β 的公式。服务器在网格点和随机点上把它与正确的 Swish′ "
         "对照，并指出它属于哪种常见错误。"),
)
CHECK_GELU = check_experiment(
    GELU, GeluAnswer, "check-gelu", text("Check your GELU′", "检验你的 GELU′"),
    text("Type your derivative of GELU(x) = x·Φ(x) as a formula in x (Phi and phi are the standard normal CDF "
         "and density). The server evaluates it against the true GELU′ and names the known mistake it matches.",
         "把你推导的 GELU(x) = x·Φ(x) 的导数写成关于 x 的公式（Phi 和 phi 是标准正态分布函数和密度函数）。"
         "服务器把它与正确的 GELU′ 对照，并指出它属于哪种常见错误。"),
)
