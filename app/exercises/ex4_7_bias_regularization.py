"""4-7 — Why the biases are usually left out of the regulariser."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-7",
    title=text("Why biases are not regularised", "为什么不对偏置正则化"),
    question=text(
        "L2 regularisation usually penalises the weights of a network but not its biases. Why?",
        "L2 正则化通常只惩罚网络的权重而不惩罚偏置。这是为什么？",
    ),
)
