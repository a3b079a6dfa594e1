"""4-5 — Parameters against depth under a fixed budget of hidden neurons."""

from app.exercises.base import Exercise
from app.i18n import text

EXERCISE = Exercise(
    id="4-5",
    title=text("Parameters vs depth", "参数数量与隐藏层数"),
    question=text(
        "A fully connected network has N hidden neurons in total, spread evenly over L hidden layers, "
        "plus one output neuron, on inputs of dimension M₀. How does its number of parameters change with L?",
        "一个全连接网络共有 N 个隐藏神经元，平均分布在 L 个隐藏层中，另有一个输出神经元，输入维数为 M₀。"
        "参数数量如何随层数 L 变化？",
    ),
)
