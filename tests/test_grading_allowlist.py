"""The grading sandbox's world is an allowlist: what each exercise hands out, and nothing else.

Through the real ``bpcourse grade`` CLI, the attacks of issue 15 ("the reference guard is a list of names")
get 0 points for the tasks they attack, with feedback that says why; a bpcourse function added later is
unreachable; every name an exercise's cells import is in its facade, and nothing else is.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bpcourse.grading import facade, jail
from bpcourse.grading.layout import source_path
from bpcourse.grading.notebook import read_notebook
from bpcourse.grading.tasks import ALLOWLISTS, EXERCISES, TASKS, WITHHELD

ROOT = Path(__file__).resolve().parents[1]
BPCOURSE = str(Path(sys.executable).with_name("bpcourse"))
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None and not os.environ.get("CI"), reason="needs bubblewrap")


def _cells(exercise: str) -> list[dict]:
    cells, _ = read_notebook(source_path(ROOT, exercise).read_bytes())
    return cells


# ------------------------------------------------------------------------------------ the declared lists
@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_name_an_exercise_imports_is_in_its_facade_or_withheld_for_a_stated_reason(exercise):
    cells = _cells(exercise)
    imported = set(facade.imports_of(c["source"] for c in cells))
    withheld = WITHHELD.get(exercise, {})
    assert imported == set(ALLOWLISTS[exercise]) | set(withheld), exercise
    assert not set(ALLOWLISTS[exercise]) & set(withheld)
    # a withheld name may be imported only by a cell the grader never runs (hidden tests)
    ran = facade.imports_of(c["source"] for c in cells if not c["skip"])
    assert not set(ran) & set(withheld), (exercise, ran)
    for name, why in withheld.items():
        assert any(why.endswith(t.id) for t in TASKS.values() if t.exercise == exercise), why


def _facade_names(tree: Path) -> set[str]:
    """Every public function or class defined by bpcourse code that the facade tree's modules hold."""
    code = (
        "import importlib, inspect, json, pathlib, sys\n"
        "root = pathlib.Path(sys.argv[1])\nfound = set()\n"
        "for f in (root / 'bpcourse').rglob('*.py'):\n"
        "    parts = f.relative_to(root).with_suffix('').parts\n"
        "    name = '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)\n"
        "    m = importlib.import_module(name)\n"
        "    for k, v in vars(m).items():\n"
        "        if (inspect.isfunction(v) or inspect.isclass(v)) and not k.startswith('_') \\\n"
        "                and getattr(v, '__module__', '').startswith('bpcourse') and k != '__getattr__':\n"
        "            found.add(name + '.' + k)\n"
        "print(json.dumps(sorted(found)))\n")
    r = subprocess.run([sys.executable, "-P", "-c", code, str(tree)], capture_output=True, text=True, timeout=60,
                       env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, check=False)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_facade_holds_exactly_the_allowlist(exercise, tmp_path):
    tree = facade.build(tmp_path / "tree", ALLOWLISTS[exercise], exercise)
    assert _facade_names(tree) == set(ALLOWLISTS[exercise])


def _load(tree: Path, module: str):
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    spec = importlib.util.spec_from_file_location(f"facade_{module.replace('.', '_')}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_facades_numeric_gradients_are_the_real_ones(tmp_path):
    from bpcourse.models import chain, net322, two_hidden

    names = [f"bpcourse.models.{m}.numeric_gradients" for m in ("chain", "two_hidden", "net322")]
    tree = facade.build(tmp_path / "tree", names, "test")
    rng = np.random.default_rng(7)
    f_chain = _load(tree, "bpcourse.models.chain").numeric_gradients
    f_two = _load(tree, "bpcourse.models.two_hidden").numeric_gradients
    f_322 = _load(tree, "bpcourse.models.net322").numeric_gradients
    for _ in range(5):
        w, x, t = tuple(rng.normal(size=3)), float(rng.normal()), float(rng.normal())
        assert tuple(f_chain(w, x, t)) == tuple(chain.numeric_gradients(w, x, t))
        p = tuple(rng.normal(size=6))
        for bias in ("literal", "shared"):
            assert tuple(f_two(p, x, t, bias)) == tuple(two_hidden.numeric_gradients(p, x, t, bias))
        Wh, Wo = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
        X, T = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
        for got, want in zip(f_322(Wh, Wo, X, T), net322.numeric_gradients(Wh, Wo, X, T)):
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="three numbers"):
        f_chain((1.0, 2.0), 1.0, 0.0)
    with pytest.raises(ValueError, match="unknown bias reading 'odd'"):
        f_two((0.0,) * 6, 1.0, 0.0, "odd")


def test_a_facade_source_holds_no_backward_pass():
    """The reviewed facade sources differentiate forward-only losses: no δ, no σ', no bpcourse import."""
    for path in facade.FACADE_SRC.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import bpcourse" not in text and "from bpcourse" not in text and "from ." not in text, path
        assert "delta" not in text and "prime" not in text, path


def test_an_allowlisted_name_that_calls_other_bpcourse_code_is_refused(tmp_path):
    # the issue's twins, handed out by mistake: the build stops instead of bringing their helpers along
    for name in ("bpcourse.losses.softmax_cross_entropy", "bpcourse.losses.half_sse", "bpcourse.layers.Dense"):
        with pytest.raises(facade.FacadeError, match="sandbox does not hold|no allowlist hands out"):
            facade.build(tmp_path / "t", [name], "x")
    with pytest.raises(facade.FacadeError, match="expected a function or class"):
        facade.build(tmp_path / "t", ["bpcourse.autodiff"], "x")
    with pytest.raises(facade.FacadeError, match="defines no nothing_here"):
        facade.build(tmp_path / "t", ["bpcourse.gradcheck.nothing_here"], "x")


# ----------------------------------------------------------------------------- a twin added to bpcourse
_TWIN = ("\n\ndef softmax_twin(z):\n    import numpy as np\n    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
         "    return e / e.sum(axis=-1, keepdims=True)\n")


def _copy(tmp_path: Path, extra: dict[str, str]) -> Path:
    """A copy of the package with ``extra`` appended to (or written as) its modules."""
    pkg = tmp_path / "copy" / "bpcourse"
    if not pkg.exists():
        shutil.copytree(facade.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, text in extra.items():
        with open(pkg / rel, "a", encoding="utf-8") as f:
            f.write(text)
    return pkg


@needs_bwrap
def test_a_bpcourse_function_added_later_cannot_be_reached_from_the_sandbox(tmp_path):
    pkg = _copy(tmp_path, {"gradcheck.py": _TWIN, "twin.py": _TWIN, "grading/cells.py": _TWIN,
                           "grading/returned.py": _TWIN, "grading/worker.py": _TWIN})
    tree = facade.build(tmp_path / "tree", ALLOWLISTS["ex08_softmax_cross_entropy"], "ex08_softmax_cross_entropy",
                        source=pkg)
    code = (
        "import gc, sys\n"
        "tries = ['from bpcourse.gradcheck import softmax_twin', 'import bpcourse.twin',\n"
        "         'from bpcourse.grading.cells import softmax_twin', 'import bpcourse; bpcourse.twin',\n"
        "         'from bpcourse.gradcheck import numeric_gradient as f; f.__globals__[\"softmax_twin\"]',\n"
        "         'import _bpgrader.worker']\n"
        "for t in tries:\n"
        "    try:\n        exec(t, {})\n        print('REACHED', t)\n"
        "    except Exception as e:\n        print(type(e).__name__, str(e)[:120])\n"
        "print('twin objects', sum(getattr(o, '__name__', '') == 'softmax_twin' for o in gc.get_objects()))\n"
        "import os\n"
        "print('files', [os.path.join(d, f) for d, _, fs in os.walk('/')\n"
        "                if not d.startswith(('/proc', '/sys', '/dev')) for f in fs if f == 'twin.py'])\n")
    run = jail.Jail(tree).run([sys.executable, "-P", "-c", code], b"", jail.Limits(timeout=60))
    out = run.channel.decode()
    assert run.returncode == 0, run.log
    assert "REACHED import _bpgrader.worker" in out  # the grader's runtime is there (and holds no twin)
    assert out.count("REACHED") == 1, out
    assert "ImportError bpcourse.gradcheck.softmax_twin is not available while grading ex08" in out
    assert "twin objects 0" in out and "files []" in out, out
    # and the same copy's real modules do hold it: the test's twin is real
    assert "def softmax_twin" in (pkg / "gradcheck.py").read_text()


# ------------------------------------------------------------------------- the issue's attacks, via the CLI
def _attack(exercise: str, bodies: dict[str, str], tmp: Path) -> Path:
    """The exercise's own source with the named functions' solution cells replaced."""
    nb = json.loads(source_path(ROOT, exercise).read_text(encoding="utf-8"))
    done = set()
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for fn, body in bodies.items():
            if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution") \
                    and f"def {fn}(" in src:
                head = next(line for line in src.splitlines() if line.startswith(f"def {fn}("))
                c["source"] = head + "\n" + body
                done.add(fn)
    assert done == set(bodies), (exercise, done)
    folder = tmp / exercise
    folder.mkdir(parents=True)
    (folder / "attack.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return folder


ATTACKS = {
    "ex01_single_neuron": {
        "sigmoid_prime": "    import bpcourse\n    return np.vectorize(bpcourse.activations.sigmoid_prime_scalar)(net)\n"},
    "ex02_chain_rule": {
        "mul_backward": "    from bpcourse.autodiff import Value\n    a, b = Value(x), Value(y)\n    out = a * b\n"
                        "    out.grad = dout\n    out._backward()\n    return a.grad, b.grad\n",
        "branch_gradients": "    import bpcourse.autodiff as ad\n    v = [ad.Value(q) for q in (x, y, z, w)]\n"
                            "    out = (v[0] * v[1] + v[2]) * v[3]\n"
                            "    for node in reversed(ad.topological_order(out)):\n"
                            "        node._backward()\n    return tuple(q.grad for q in v)\n"},
    "ex03_three_layer_chain": {
        "chain_gradients": "    from bpcourse.models.framework import make_network\n"
                           "    net = make_network((w1, w2, w3), fixes=('backward', 'calc_gradient'))\n"
                           "    return tuple(net.gradients(x, t))\n"},
    "ex05_two_hidden_neurons": {
        "two_hidden_deltas": "    from bpcourse.models.two_hidden import _pass\n"
                             "    return _pass(w1, w2, w3, w4, b1, b2, x, t, False)[7:]\n",
        "two_hidden_gradients": "    from bpcourse.models.two_hidden import numeric_gradients\n"
                                "    th = numeric_gradients.__globals__\n"
                                "    return tuple(th['article_gradients']((w1, w2, w3, w4, b1, b2), x, t,\n"
                                "                                         bias='shared'))\n"},
    "ex07_matrix_form": {
        "output_delta": "    from bpcourse.losses import half_sse\n"
                        "    from bpcourse._scalar import sigmoid_prime_scalar\n"
                        "    return half_sse(net, T)[1] * net * (1 - net)\n"},
    "ex08_softmax_cross_entropy": {
        "softmax": "    from scipy.special import softmax as s\n    return s(net, axis=1)\n",
        "softmax_ce_backward": "    from bpcourse.losses import _softmax_ce_matrix\n"
                               "    return _softmax_ce_matrix(net, T)[1]\n"},
}


@needs_bwrap
@pytest.mark.parametrize("exercise", sorted(ATTACKS))
def test_the_issues_twin_attacks_get_zero_and_are_told_why(exercise, tmp_path):
    folder = _attack(exercise, ATTACKS[exercise], tmp_path)
    out = tmp_path / "out"
    r = subprocess.run([BPCOURSE, "grade", str(source_path(ROOT, exercise)), str(folder), "--out", str(out),
                        "--seed", "15", "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    attacked = {t.id for t in TASKS.values() if t.exercise == exercise and t.function in ATTACKS[exercise]}
    sources = {c["source"] for c in _cells(exercise)}
    for t in TASKS.values():
        if t.exercise != exercise:
            continue
        if t.id in attacked:
            assert float(row[t.id]) == 0.0, (t.id, row)
        elif not any(f"def {t.function}(" in s and any(f"{a}(" in s for a in ATTACKS[exercise]) for s in sources):
            assert float(row[t.id]) == t.points, (t.id, row)  # an untouched solution that calls no attacked one
    assert row["sandbox"] == "bwrap" and row["status"] != "ok", row
    feedback = next((out / "feedback").iterdir()).read_text(encoding="utf-8")
    fn_lines = [line for line in feedback.splitlines() if "is not available while grading" in line
                or "KeyError" in line]
    assert len(fn_lines) >= len(attacked), feedback
    assert f"while grading {exercise}" in feedback and "own code" in feedback, feedback
