"""Pure NumPy core of Feedforward Lab: activations, losses, networks with an ensemble axis, training."""

from app.nn.activations import (
    ACTIVATION_NAMES,
    Activation,
    erf,
    erfc,
    get_activation,
    normal_cdf,
    normal_pdf,
    prelu_dalpha,
    sigmoid,
)
from app.nn.data import DATASETS, circles, moons, noisy_sine, spiral, teacher_neuron, xor
from app.nn.init import INIT_NAMES, get_initializer
from app.nn.losses import LOSSES, Loss, get_loss
from app.nn.network import (
    Cache,
    Grads,
    Network,
    backward,
    forward,
    init_network,
    l2_penalty,
    parameter_count,
    predict,
)
from app.nn.optimizers import OPTIMIZER_NAMES, SGD, Adam, get_optimizer
from app.nn.train import MAX_RECORDED_STEPS, TrainRecord, loss_and_grads, train

__all__ = [
    "ACTIVATION_NAMES",
    "DATASETS",
    "INIT_NAMES",
    "LOSSES",
    "MAX_RECORDED_STEPS",
    "OPTIMIZER_NAMES",
    "SGD",
    "Activation",
    "Adam",
    "Cache",
    "Grads",
    "Loss",
    "Network",
    "TrainRecord",
    "backward",
    "circles",
    "erf",
    "erfc",
    "forward",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "init_network",
    "l2_penalty",
    "loss_and_grads",
    "moons",
    "noisy_sine",
    "normal_cdf",
    "normal_pdf",
    "parameter_count",
    "predict",
    "prelu_dalpha",
    "sigmoid",
    "spiral",
    "teacher_neuron",
    "train",
    "xor",
]
