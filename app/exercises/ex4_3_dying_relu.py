"""4-3 — The dying ReLU problem."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-3",
    title=text("The dying ReLU problem", "死亡 ReLU 问题"),
    question=text(
        "What is the dying ReLU problem, why does a dead unit never come back, and how can it be avoided?",
        "什么是死亡 ReLU 问题？为什么一个“死亡”的神经元再也无法恢复？有哪些办法可以避免？",
    ),
)
