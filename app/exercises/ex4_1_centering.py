"""4-1 — Why non-zero-centred inputs slow gradient descent down."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-1",
    title=text("Non-zero-centred inputs", "输入不以零为中心"),
    question=text(
        "A single neuron σ(wᵀx + b) is trained by gradient descent. Why does it converge more slowly "
        "when every input component is positive than when the inputs have zero mean?",
        "用梯度下降训练单个神经元 σ(wᵀx + b)。为什么当输入的每个分量都为正时，收敛比输入均值为零时更慢？",
    ),
)
