"""Session set-up shared by the unit tests and the nbval notebook runs."""


def pytest_configure(config):
    # On a fresh machine matplotlib's first import builds its font cache and says so on stderr; inside a
    # notebook that message would be an unexpected output for nbval. Building it here, once, keeps every
    # notebook's outputs the same on a new machine as on a used one.
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.font_manager  # noqa: F401  (builds the cache)
    except ImportError:
        pass
    # CI (which sets CI=true) draws the same hypothesis examples on every run, so that a landing never hangs on
    # the luck of the draw; locally every run explores new examples.
    import os

    try:
        from hypothesis import settings
    except ImportError:
        return
    settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


# In CI every test must run: a skip there would hide a missing install (bubblewrap, Chromium, an extra) behind
# a green run, so under CI=true a skipped test or module is reported as a failure, with the skip's reason.
import os as _os

import pytest as _pytest


def _fail_skip(report, what: str) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"{what} was skipped in CI, where every test must run: {reason}"


@_pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        _fail_skip(report, item.nodeid)


@_pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if _os.environ.get("CI") and report.skipped:
        _fail_skip(report, collector.nodeid)
