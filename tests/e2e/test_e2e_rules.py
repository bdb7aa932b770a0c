"""The browser suite's own rules and readers: when it may skip, where it finds Chromium, how it reads numbers."""
import pytest

import labdriver as ld


def test_without_chromium_the_browser_tests_skip_saying_why(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="browser tests skipped: no Chromium found"):
        ld.unavailable("no Chromium found")


def test_in_ci_a_missing_chromium_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no Chromium found; CI is set, and CI must not pass"):
        ld.unavailable("no Chromium found")


def test_chromium_is_looked_up_where_debian_puts_it(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPCOURSE_CHROMIUM", str(fake))
    assert ld.find_chromium() == str(fake)
    assert "/usr/bin/chromium" in ld.CHROMIUM_CANDIDATES


def test_numbers_are_read_as_printed_and_compared_to_the_digits_shown():
    formula = "δ_o = (0.7514 − 1)·0.7514·0.2486 = −0.0464"
    assert ld.numbers(formula) == ["0.7514", "1", "0.7514", "0.2486", "-0.0464"]
    assert ld.numbers("w_1 ← w1 − η·∂E/∂w_41") == []
    assert ld.numbers("loss 1.5e-05") == ["1.5e-05"]
    assert ld.shows(-0.04641, "-0.0464") and not ld.shows(-0.0466, "-0.0464")
    assert ld.shows(1.54e-5, "1.5e-05") and not ld.shows(1.56e-5, "1.5e-05") and ld.shows(-12.0, "-12")
