"""bpcourse.grading.cells.quiet: what the exercises' test cells run the learner's code in."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from bpcourse.grading.cells import quiet


def test_warnings_are_recorded_not_printed():
    with quiet() as caught:
        np.float64(0.0) / np.float64(0.0)  # NumPy's floating-point report: switched off
        warnings.warn("from the learner", RuntimeWarning)
        warnings.warn("again", RuntimeWarning)
    assert [str(w.message) for w in caught] == ["from the learner", "again"]


def test_failures_pass_through_and_the_settings_come_back():
    before = np.geterr()
    with pytest.raises(AssertionError, match="a real failure"):
        with quiet():
            assert False, "a real failure"
    with pytest.raises(NotImplementedError):
        with quiet():
            raise NotImplementedError()
    assert np.geterr() == before
    with pytest.warns(UserWarning):
        warnings.warn("outside quiet() warnings show again")


def test_nothing_reaches_stderr_in_a_fresh_interpreter():
    code = ("import numpy as np, warnings\nfrom bpcourse.grading.cells import quiet\n"
            "with quiet():\n    np.log(np.zeros(2))\n    np.exp(np.array([1000.0]))\n"
            "    warnings.warn('x', RuntimeWarning)\nprint('done')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "done\n" and proc.stderr == "", proc.stderr


WARNING_SIGMOID = '''
import numpy as np, warnings
from bpcourse.grading import check


def sigmoid(net):
    np.exp(np.array([1000.0]))                      # an overflow in a value it then discards
    warnings.warn("the learner's own warning", RuntimeWarning)
    return 1.0 / (1.0 + np.exp(-net))


warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as outside:
    warnings.simplefilter("always")
    passed = check(sigmoid, seed=0)
print(passed, len(outside))
'''


def test_check_outside_a_test_cell_prints_no_warning():
    """check() runs the learner's call under quiet() itself (bpcourse.grading.learner.call_learner)."""
    proc = subprocess.run([sys.executable, "-c", WARNING_SIGMOID], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "sigmoid: public checks passed (3 random cases, 2 fixed edge cases)\nTrue 0\n", proc.stdout
    assert proc.stderr == ""


def test_call_learner_keeps_the_warnings_of_the_call_to_itself():
    from bpcourse.grading.learner import call_learner

    def noisy(x):
        warnings.warn("inside", UserWarning)
        return np.log(x)  # log(0) = -inf: NumPy's divide report

    before = np.geterr()
    with warnings.catch_warnings(record=True) as outside:
        warnings.simplefilter("always")
        o = call_learner(noisy, {"x": np.array([0.0, 1.0])}, ("out",), lambda f: True)
        warnings.warn("after", UserWarning)  # the filters are the caller's again
    assert o.error is None and o.returned.items[0].array.tolist() == [-np.inf, 0.0]
    assert [str(w.message) for w in outside] == ["after"]
    assert np.geterr() == before
