"""One number formatter for prose and figure summaries."""

import numpy as np

from app.format import number


def test_numbers_read_the_same_everywhere():
    assert number(np.int64(12000), "en") == "12,000" and number(np.int64(12000), "zh") == "12000"
    assert number(-0.0, "en", sig=3) == "0"
    assert number(float("nan"), "zh", sig=3) == "—" and number(None, "en") == "—"
    assert number(0.281, "zh", pct=True, digits=1) == "28.1%"
    assert number(7.8e-8, "en", sig=2) == "7.8 × 10⁻⁸"
