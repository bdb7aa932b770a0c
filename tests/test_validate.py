"""The package's shared checks (bpcourse/validate.py): one helper per check, with messages that name what was
expected and what was received."""

import numpy as np
import pytest

from bpcourse.validate import as_rng, check_int, check_positive


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(2)])
def test_check_int_accepts_integers(value):
    out = check_int(value, "n")
    assert out == value and type(out) is int


@pytest.mark.parametrize("value, minimum, match", [
    (0, 1, r"^n must be a positive integer, got 0$"),
    (-3, 1, r"^n must be a positive integer, got -3$"),
    (2.0, 1, r"^n must be a positive integer, got 2.0$"),   # a count is an int, even an integral float is not
    (True, 1, r"^n must be a positive integer, got True$"),  # bool is an int subclass, and a bug here
    ("3", 1, r"^n must be a positive integer, got '3'$"),
    (1, 2, r"^n must be an integer >= 2, got 1$"),
])
def test_check_int_refuses_and_names_the_value(value, minimum, match):
    with pytest.raises(ValueError, match=match):
        check_int(value, "n", minimum=minimum)


def test_check_positive():
    assert check_positive(0.5, "eta") == 0.5 and type(check_positive(2, "eta")) is float
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1", None):
        with pytest.raises(ValueError, match=r"^eta must be a positive number, got "):
            check_positive(bad, "eta")
    with pytest.raises(TypeError, match="integer"):
        check_positive(3, "epochs", integer=True)  # one integer check: check_int


def test_as_rng_one_rule():
    assert np.array_equal(as_rng(3).random(4), np.random.default_rng(3).random(4))
    g = np.random.default_rng(0)
    assert as_rng(g) is g  # a Generator is used (and advanced) as given
    with pytest.raises(TypeError, match=r"seed must be a non-negative int or a numpy.random.Generator, got None"):
        as_rng(None)
    with pytest.raises(TypeError, match="got float"):
        as_rng(1.0)
    with pytest.raises(TypeError, match="got bool"):
        as_rng(True)
    with pytest.raises(TypeError, match="got RandomState"):
        as_rng(np.random.RandomState(0))
    with pytest.raises(ValueError, match=r"rng must be a non-negative int .*, got -1"):
        as_rng(-1, "rng")
