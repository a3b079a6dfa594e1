"""4-6 — The universal approximation theorem holds for ReLU."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-6",
    title=text("Universal approximation with ReLU", "ReLU 的通用近似性"),
    question=text(
        "Show that the universal approximation theorem also holds when the hidden units use ReLU: one "
        "hidden layer of ReLU units can approximate any continuous function on a closed interval.",
        "证明通用近似定理对 ReLU 激活函数同样成立：只含一个 ReLU 隐藏层的网络可以在闭区间上逼近任意连续函数。",
    ),
)
