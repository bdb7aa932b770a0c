"""The browser tests may skip only when no Chromium is found, saying so; with CI set they fail instead."""
import pytest

import labdriver as ld


def test_without_chromium_the_browser_tests_skip_saying_why(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        ld.unavailable("browser tests skipped: no Chromium found")


def test_in_ci_a_missing_chromium_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must not pass without the browser tests"):
        ld.unavailable("browser tests skipped: no Chromium found")


def test_chromium_is_looked_up_where_debian_puts_it(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPCOURSE_CHROMIUM", str(fake))
    assert ld.find_chromium() == str(fake)
    assert "/usr/bin/chromium" in ld.CHROMIUM_CANDIDATES
