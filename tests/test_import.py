import subprocess
import sys

HEAVY = ("matplotlib", "ipywidgets", "sympy", "jupyter", "jupyter_client", "IPython", "ipykernel", "nbformat",
         "nbclient", "sklearn", "torch")


def _heavy_modules_after(imports: str) -> str:
    """Run ``imports`` in a fresh interpreter; the heavy top-level modules it loaded, comma-separated."""
    code = f"import sys\n{imports}\nprint(','.join(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_bpcourse_is_cheap():
    out = _heavy_modules_after("import bpcourse, bpcourse.networks, bpcourse.gradcheck, bpcourse.autodiff, "
                               "bpcourse.datasets, bpcourse.models")
    assert out == "", f"import bpcourse pulled in: {out}"


def test_grading_and_widgets_import_nothing_heavy_until_used():
    out = _heavy_modules_after("import bpcourse.grading, bpcourse.widgets")
    assert out == "", f"importing bpcourse.grading / bpcourse.widgets pulled in: {out}"


def test_lazy_names():
    import bpcourse

    assert bpcourse.Dense is bpcourse.layers.Dense
    assert "Sequential" in dir(bpcourse)
    try:
        bpcourse.nonexistent
    except AttributeError as exc:
        assert "nonexistent" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
