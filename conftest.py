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
