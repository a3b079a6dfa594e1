"""The playground as an Exercise with one experiment, `train`, in a registry of its own (PLAYGROUNDS).

It is not one of the nine exercises (app.exercises.registry.EXERCISES), but it is run, cached, budgeted,
streamed and drawn by the same machinery: app.compute takes any Exercise and Experiment.
"""

from __future__ import annotations

from app.exercises.base import Exercise, Experiment, Metric
from app.exercises.playground.params import PlaygroundParams
from app.exercises.playground.run import cost, train_playground
from app.figures import playground as figs
from app.i18n import text

_FIRST = text(" Of the first network (seed = seed).", "指第一个网络（种子为 seed）。")


def _first(en: str, zh: str) -> dict[str, str]:
    return text(en + _FIRST["en"], zh + _FIRST["zh"])


METRICS = {
    "parameters": Metric(text("parameters per network", "每个网络的参数个数"),
                         text("Weights and biases of one network.", "一个网络的权重与偏置总数。")),
    "train_loss": Metric(text("final training loss", "最终训练损失"),
                         _first("The loss on the training set after the last epoch, without the L2 penalty.",
                                "最后一轮后训练集上的损失，不含 L2 惩罚项。")),
    "test_loss": Metric(text("final test loss", "最终测试损失"),
                        _first("The same loss on the held-out test points (none without a test set).",
                               "留出的测试样本上的同一损失（没有测试集时为空）。")),
    "train_accuracy": Metric(text("training accuracy", "训练准确率"),
                             _first("Share of training points on the right side of the boundary (σ > 0.5 is class 1).",
                                    "训练样本中落在边界正确一侧的比例（σ > 0.5 判为类别 1）。")),
    "test_accuracy": Metric(text("test accuracy", "测试准确率"),
                            _first("Share of test points classified correctly.", "测试样本中分类正确的比例。")),
    "train_r2": Metric(text("training R²", "训练 R²"),
                       _first("1 − (squared error)/(variance of the targets) on the training points; 1 is a perfect fit.",
                              "训练样本上的 1 − 平方误差/目标方差；1 表示完全拟合。")),
    "test_r2": Metric(text("test R²", "测试 R²"), _first("The same on the test points.", "测试样本上的同一指标。")),
    "dead_units_by_layer": Metric(
        text("dead units, layer 1 …", "死亡单元数（第 1 层 …）"),
        _first("Hidden units whose f′(z) is exactly 0 on every training point at the end: no gradient reaches "
               "their weights any more (the dying ReLU problem).",
               "训练结束时在所有训练样本上 f′(z) 都恰好为 0 的隐藏单元：它们的权重再也得不到梯度（死亡ReLU问题）。")),
    "grad_ratio_first_to_last": Metric(
        text("first / output layer gradient norm at init", "初始时第一层 / 输出层梯度范数之比"),
        _first("‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ at the first step; far below 1 when the gradient vanishes toward the input.",
               "第一步时的 ‖∂L/∂W₁‖ / ‖∂L/∂W_out‖；梯度向输入层消失时远小于 1（梯度消失）。")),
    "networks": Metric(text("networks trained", "训练的网络数"),
                       text("One per seed, trained at once as one ensemble.", "每个种子一个网络，作为一个集成同时训练。")),
    "success_rate": Metric(text("success rate", "成功率"),
                           text("Share of the networks whose test accuracy (or R²) reaches the success threshold "
                                "(on the training set when there is no test set).",
                                "测试准确率（或 R²）达到成功阈值的网络所占比例（没有测试集时按训练集计算）。")),
    "test_accuracy_median": Metric(text("median test accuracy", "测试准确率中位数"),
                                   text("Over the networks (training accuracy when there is no test set).",
                                        "对所有网络取中位数（没有测试集时为训练准确率）。")),
    "test_r2_median": Metric(text("median test R²", "测试 R² 中位数"),
                             text("Over the networks (training R² when there is no test set).",
                                  "对所有网络取中位数（没有测试集时为训练 R²）。")),
    "diverged_runs": Metric(text("networks diverged", "发散的网络数"),
                            text("Loss non-finite, or ended more than 10 % above where it started.",
                                 "损失变为非有限值，或结束时比开始时高出 10% 以上。")),
    "stalled_runs": Metric(text("networks stalled", "停滞的网络数"),
                           text("Not diverged, but the loss ended less than 5 % below where it started.",
                                "没有发散，但损失结束时比开始时下降不到 5%。")),
}

TRAIN = Experiment(
    name="train",
    title=text("Train a network", "训练一个网络"),
    summary=text(
        "Pick the data, the features, the layers, the activation, the initialisation, the optimiser and how many "
        "seeds; the server trains them all at once and shows the decision surface over the epochs, every unit's "
        "output, the losses, the gradient norm of every layer and how often the seeds succeed.",
        "选择数据、输入特征、网络层、激活函数、初始化、优化器和种子个数；服务器一次训练全部网络，并给出各轮的决策面、"
        "每个单元的输出、损失、各层梯度范数，以及多少个种子训练成功。"),
    params=PlaygroundParams,
    run=train_playground,
    draw=figs.draw,
    metrics=METRICS,
    cost=cost,
    cost_fields=("epochs", "n_seeds", "n_points", "layers"),
)

PLAYGROUND = Exercise(
    id="playground",
    title=text("Playground", "游乐场"),
    question=text(
        "Every knob of chapter 4 on one page: data, features, depth and width, activation, initialisation, "
        "optimiser, regularisation, and many seeds at once.",
        "第 4 章的所有旋钮集中在一页：数据、特征、深度与宽度、激活函数、初始化、优化器、正则化，以及同时训练多个种子。"),
    experiments=(TRAIN,),
)

PLAYGROUNDS: dict[str, Exercise] = {PLAYGROUND.id: PLAYGROUND}
