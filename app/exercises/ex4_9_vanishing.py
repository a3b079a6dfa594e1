"""4-9 — Does a larger learning rate cure vanishing gradients?"""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-9",
    title=text("Vanishing gradients vs learning rate", "梯度消失与学习率"),
    question=text(
        "Gradients vanish in the early layers of a deep network. Can a larger learning rate make up for it?",
        "深层网络前几层的梯度会消失。增大学习率能否缓解这个问题？",
    ),
)
