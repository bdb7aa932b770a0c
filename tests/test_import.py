import subprocess
import sys


def test_import_bpcourse_is_cheap():
    code = (
        "import sys, bpcourse, bpcourse.networks, bpcourse.gradcheck, bpcourse.autodiff, bpcourse.datasets, "
        "bpcourse.models\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'ipywidgets', 'sympy', 'jupyter', 'jupyter_client', 'IPython', 'ipykernel', 'sklearn', 'torch')]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import bpcourse pulled in: {out}"


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


def test_grading_and_widgets_import_nothing_heavy_until_used():
    code = (
        "import sys, bpcourse.grading, bpcourse.widgets\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'ipywidgets', 'sympy', 'nbformat', 'nbclient', 'jupyter_client', 'IPython')]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing bpcourse.grading / bpcourse.widgets pulled in: {out}"
