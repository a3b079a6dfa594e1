"""All exercises by id, in book order. Each module defines one `EXERCISE`."""

from app.exercises import (
    ex4_1_centering,
    ex4_2_xor,
    ex4_3_dying_relu,
    ex4_4_swish_gelu,
    ex4_5_depth_params,
    ex4_6_universal,
    ex4_7_bias_regularization,
    ex4_8_zero_init,
    ex4_9_vanishing,
)
from app.exercises.base import Exercise

_MODULES = (
    ex4_1_centering, ex4_2_xor, ex4_3_dying_relu, ex4_4_swish_gelu, ex4_5_depth_params,
    ex4_6_universal, ex4_7_bias_regularization, ex4_8_zero_init, ex4_9_vanishing,
)

EXERCISES: dict[str, Exercise] = {m.EXERCISE.id: m.EXERCISE for m in _MODULES}
