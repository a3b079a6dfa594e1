"""4-2 — XOR with a hidden layer of two ReLU units."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-2",
    title=text("XOR with two ReLU units", "用两个 ReLU 神经元解决异或"),
    question=text(
        "Build a feedforward network with one hidden layer of two ReLU units and a single output that "
        "computes XOR, and give its weights.",
        "设计一个只有一个隐藏层（两个 ReLU 神经元）和一个输出神经元的前馈网络来实现异或（XOR），并给出它的权重。",
    ),
)
