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
