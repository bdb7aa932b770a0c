"""Learning-rate schedules (bpcourse/schedules.py): values worked out by hand, and bad input refused."""
import math

import pytest

from bpcourse.schedules import cosine_decay, exponential_decay, inverse_time_decay, step_decay


def test_step_decay_by_hand():
    assert [step_decay(0.8, k, drop=0.5, every=3) for k in range(7)] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]
    assert step_decay(1.0, 25) == 0.25                     # defaults: halve every 10 steps


def test_exponential_and_inverse_time_by_hand():
    assert exponential_decay(2.0, 0, 0.1) == 2.0
    assert exponential_decay(2.0, 10, 0.1) == pytest.approx(2.0 / math.e, rel=1e-15)
    assert inverse_time_decay(0.3, 0, 0.5) == 0.3
    assert inverse_time_decay(0.3, 4, 0.5) == pytest.approx(0.1, rel=1e-15)    # 0.3 / (1 + 2)
    assert exponential_decay(0.3, 7, 0.0) == inverse_time_decay(0.3, 7, 0.0) == 0.3


def test_cosine_decay_by_hand():
    assert cosine_decay(1.0, 0, 100) == 1.0
    assert cosine_decay(1.0, 50, 100) == pytest.approx(0.5, abs=1e-15)         # cos(π/2) = 0
    assert cosine_decay(1.0, 100, 100, eta_min=0.1) == pytest.approx(0.1, abs=1e-15)
    assert cosine_decay(1.0, 150, 100, eta_min=0.1) == pytest.approx(0.1, abs=1e-15)   # stays at η_min
    assert cosine_decay(1.0, 25, 100) == pytest.approx((1 + math.sqrt(0.5)) / 2, abs=1e-15)


def test_every_schedule_never_increases():
    for f in (lambda k: step_decay(1.0, k, 0.7, 4), lambda k: exponential_decay(1.0, k, 0.05),
              lambda k: inverse_time_decay(1.0, k, 0.05), lambda k: cosine_decay(1.0, k, 60, 0.01)):
        values = [f(k) for k in range(80)]
        assert all(b <= a for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("call, msg", [
    (lambda: step_decay(0.0, 1), r"eta0 \(the initial learning rate\) must be a positive number, got 0.0"),
    (lambda: step_decay(1.0, -1), r"k \(the step number, 0 for the first\) must be an integer >= 0, got -1"),
    (lambda: step_decay(1.0, 2.0), "got 2.0"),
    (lambda: step_decay(1.0, 1, drop=1.5), r"drop .* must be in \(0, 1\], got 1.5"),
    (lambda: step_decay(1.0, 1, every=0), r"every .* must be a positive integer, got 0"),
    (lambda: exponential_decay(1.0, 1, -0.1), r"rate \(the decay rate\) must be a finite number >= 0, got -0.1"),
    (lambda: inverse_time_decay(1.0, 1, float("inf")), "got inf"),
    (lambda: cosine_decay(1.0, 1, 0), r"total .* must be a positive integer, got 0"),
    (lambda: cosine_decay(1.0, 1, 10, eta_min=2.0), r"eta_min \(2\) must not exceed eta0 \(1\)"),
])
def test_schedules_refuse_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()
