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
