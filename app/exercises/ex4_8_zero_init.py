"""4-8 — Why the weights must not all start at zero."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-8",
    title=text("Why not initialise with zeros", "为什么不能全零初始化"),
    question=text(
        "Why should the parameters of a feedforward network not all be initialised to zero (or to any "
        "one constant)?",
        "为什么前馈神经网络的参数不能全部初始化为零（或同一个常数）？",
    ),
)
