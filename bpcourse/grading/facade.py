"""The Python world inside the grading sandbox: a learner's facade of ``bpcourse`` and the grader's runtime.

The sandbox sees no copy of ``bpcourse``. :func:`build` writes, once per run, a small tree that the jail
binds read-only and puts first on ``PYTHONPATH``:

``bpcourse/``
    The learner's *facade*: only the names the exercise's allowlist declares
    (``bpcourse.grading.tasks.ALLOWLISTS``; for a custom task table, what the source notebook's cells
    import). Each name is copied from its source with the private helpers it calls from the same file,
    and nothing else: a function added to bpcourse later is not there unless an allowlist names it. A name
    whose real definition calls other bpcourse code comes from a reviewed, forward-only file in
    ``bpcourse/grading/facade_src/`` instead. Every other name, module or attribute of ``bpcourse``
    raises ImportError naming the allowlist.
``_bpgrader/``
    The grader's own in-sandbox code (worker, protocol, learner, cells, returned, shell, standins), copied with
    ``bpcourse.grading.X`` rewritten to ``_bpgrader.X``, so it runs without the real ``bpcourse``. It
    holds no reference, no task table and no answer-computing code (no diagnosis either: ``returned``
    only records what came back; ``bpcourse.gradcheck`` is replaced by a ``rel_error`` that refuses:
    comparisons happen in the parent), and the
    worker imports all of it before the first learner cell runs. ``_bpgrader/_allowlist.py`` holds the
    exercise's name and allowlist, for the ImportError message of anything else.

Site-packages are the jail's business (:mod:`bpcourse.grading.jail` binds only numpy's and matplotlib's
distributions and what they need); this module only decides the ``bpcourse`` names.
"""

from __future__ import annotations

import ast
import compileall
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["build", "imports_of", "refusal", "split_name", "FacadeError", "PACKAGE_DIR", "FACADE_SRC", "RUNTIME",
           "BASE_ALLOWLIST", "RUNTIME_MODULES"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # .../bpcourse
FACADE_SRC = Path(__file__).resolve().parent / "facade_src"
RUNTIME = "_bpgrader"
RUNTIME_MODULES = ("protocol", "returned", "cells", "learner", "shell", "standins", "worker")
#: What every exercise's setup cell imports.
BASE_ALLOWLIST = ("bpcourse.grading.check", "bpcourse.grading.cells.quiet")


class FacadeError(ValueError):
    """An allowlist name that cannot be handed out (unknown, or it would bring other bpcourse code along)."""


def refusal(exercise: str, allowlist: Sequence[str]) -> str:
    """The message of the ImportError raised for anything outside the sandbox's world (``%s``: the name)."""
    names = ", ".join(allowlist) or "nothing"
    return (f"%s is not available while grading {exercise}: the grading sandbox holds only the Python standard "
            f"library, numpy, matplotlib and, of bpcourse, what this exercise's cells import ({names}): "
            f"this task's grade must come from your own code")


# ------------------------------------------------------------------------------------------------ names
def _module_file(root: Path, module: str) -> Path | None:
    parts = module.split(".")[1:]
    base = root.joinpath(*parts)
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def _is_module(root: Path, module: str) -> bool:
    return module == "bpcourse" or _module_file(root, module) is not None or (FACADE_SRC / f"{module}.py").is_file()


def split_name(name: str, root: Path = PACKAGE_DIR) -> tuple[str, str]:
    """``("bpcourse.models.chain", "numeric_gradients")`` of a dotted allowlist name.

    Raises
    ------
    FacadeError
        When the name is not ``bpcourse.<module>.<name>`` of an existing module.
    """
    parts = name.split(".")
    if parts[0] != "bpcourse" or len(parts) < 2 or not all(p.isidentifier() for p in parts):
        raise FacadeError(f"allowlist name {name!r}: expected 'bpcourse.<module>.<name>'")
    module, attr = ".".join(parts[:-1]), parts[-1]
    if not _is_module(root, module) or _is_module(root, name):
        raise FacadeError(f"allowlist name {name!r}: expected a function or class of a bpcourse module, "
                          f"{'got a module' if _is_module(root, name) else f'no module {module} exists'}")
    return module, attr


def imports_of(sources: Iterable[str], root: Path = PACKAGE_DIR) -> list[str]:
    """The ``bpcourse`` names that code cells import, sorted: ``from bpcourse.x import f`` gives
    ``bpcourse.x.f``; ``from bpcourse.models import net322`` then ``net322.numeric_gradients`` gives
    ``bpcourse.models.net322.numeric_gradients``. Lines of IPython syntax (``%``, ``!``) are ignored."""
    found: set[str] = set()
    for src in sources:
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        modules: dict[str, str] = {}  # local alias -> module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "bpcourse":
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if _is_module(root, full):
                        modules[a.asname or a.name] = full
                    else:
                        found.add(full)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "bpcourse":
                        modules[a.asname or a.name.split(".")[0]] = a.name if a.asname else "bpcourse"
        for node in ast.walk(tree):
            dotted = _dotted(node)
            if dotted and dotted[0] in modules:
                mod = modules[dotted[0]]
                for part in dotted[1:]:
                    if not _is_module(root, f"{mod}.{part}"):
                        found.add(f"{mod}.{part}")
                        break
                    mod = f"{mod}.{part}"
    return sorted(found)


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` of an outermost attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and parts:
        return [node.id] + parts[::-1]
    return None


# ---------------------------------------------------------------------------------------- extraction
def _bindings(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def _uses(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}


def _foreign(stmt: ast.stmt) -> bool:
    """An import of bpcourse code (relative, or absolute from bpcourse)."""
    if isinstance(stmt, ast.ImportFrom):
        return bool(stmt.level) or (stmt.module or "").split(".")[0] == "bpcourse"
    if isinstance(stmt, ast.Import):
        return any(a.name.split(".")[0] == "bpcourse" for a in stmt.names)
    return False


def _extract(text: str, names: Sequence[str], module: str, reviewed: bool) -> str:
    """The source of ``names`` from a module's text, with what they use from the same file.

    From a real bpcourse module (``reviewed`` False) only imports of other libraries and constants may come
    along; a function or class it calls makes it a :class:`FacadeError` (write a facade source instead).
    """
    tree = ast.parse(text)
    defs: dict[str, ast.stmt] = {}
    for stmt in tree.body:
        for b in _bindings(stmt):
            defs.setdefault(b, stmt)
    keep: list[ast.stmt] = []
    todo = list(names)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        stmt = defs.get(name)
        if stmt is None:
            if name in names:
                raise FacadeError(f"{module}.{name}: {module} defines no {name}")
            continue  # a builtin or a local name
        if _foreign(stmt):
            raise FacadeError(f"{module}.{', '.join(names)} uses {name} from other bpcourse code, which the "
                              f"sandbox does not hold; give it a forward-only source in {FACADE_SRC.name}/")
        if not reviewed and name not in names and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                     ast.ClassDef)):
            raise FacadeError(f"{module}.{', '.join(names)} calls {name}, which no allowlist hands out; give it "
                              f"a forward-only source in {FACADE_SRC.name}/{module}.py")
        if stmt not in keep:
            keep.append(stmt)
        todo.extend(_uses(stmt) - seen)
    order = {id(s): i for i, s in enumerate(tree.body)}
    keep.sort(key=lambda s: order[id(s)])
    future = [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.module == "__future__"]
    return "\n\n".join(ast.unparse(s) for s in future + [s for s in keep if s not in future])


def _module_text(module: str, names: Sequence[str], root: Path) -> str:
    hand = FACADE_SRC / f"{module}.py"
    if hand.is_file():
        return _extract(hand.read_text(encoding="utf-8"), names, module, reviewed=True)
    path = _module_file(root, module)
    if path is None or path.name == "__init__.py":
        raise FacadeError(f"{module}: no such bpcourse module, or a package (hand out its modules' names)")
    return _extract(path.read_text(encoding="utf-8"), names, module, reviewed=False)


def _guard_text(module: str, exported: Sequence[str], message: str) -> str:
    """The tail of every facade module: ``__all__`` and a ``__getattr__`` that refuses, naming the allowlist."""
    return (f"\n\n__all__ = {sorted(exported)!r}\n_REFUSED = {message!r}\n\n\n"
            "def __getattr__(name):\n"
            "    if name.startswith(('__', '_repr_', '_ipython_')):  # hasattr(m, '__path__') etc. stay False\n"
            "        raise AttributeError(name)\n"
            f"    raise ImportError(_REFUSED % ('{module}.' + name), name={module!r})\n")


# ---------------------------------------------------------------------------------------------- build
def build(dest: str | os.PathLike[str], allowlist: Sequence[str], exercise: str,
          source: Path = PACKAGE_DIR) -> Path:
    """Write the sandbox's Python tree into ``dest`` (emptied first) and return ``dest``.

    Parameters
    ----------
    dest : path
        A directory readable by the sandbox's uid, not under the out dir.
    allowlist : sequence of str
        Dotted ``bpcourse`` names the exercise hands out (:func:`split_name`).
    exercise : str
        Named in the ImportError of everything else.
    source : path
        The ``bpcourse`` package to take names and the grader's runtime from.

    Raises
    ------
    FacadeError
        When a name cannot be handed out.
    """
    out = Path(dest)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    allow = sorted(set(allowlist))
    message = refusal(exercise, allow)
    by_module: dict[str, list[str]] = {}
    for name in allow:
        module, attr = split_name(name, source)
        by_module.setdefault(module, []).append(attr)
    packages = {"bpcourse"} | {".".join(m.split(".")[:i]) for m in by_module for i in range(1, m.count(".") + 1)}
    texts: dict[str, str] = {}
    for module, names in by_module.items():
        texts[module] = _module_text(module, names, source)
    for module in sorted(packages | set(by_module), key=lambda m: m.count(".")):
        is_pkg = module in packages
        rel = Path(*module.split(".")) / "__init__.py" if is_pkg else Path(*module.split(".")).with_suffix(".py")
        exported = list(by_module.get(module, []))
        body = [f'"""{module} as the grading sandbox sees it (see bpcourse.grading.facade)."""']
        if module in texts:
            body.append(texts[module])
        if is_pkg:  # import the handed-out submodules, so `from bpcourse.models import net322` finds them
            subs = sorted({m.split(".")[module.count(".") + 1] for m in packages | set(by_module)
                           if m.startswith(module + ".")})
            body += [f"from {module} import {s}" for s in subs]
            exported += subs
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(body) + _guard_text(module, exported, message), encoding="utf-8")
    _build_runtime(out / RUNTIME, exercise, allow, message, source)
    compileall.compile_dir(str(out), quiet=1, workers=1)
    for d, _, files in os.walk(out):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    return out


_REWRITE = [(re.compile(r"\bbpcourse\.grading\.(?=\w)"), f"{RUNTIME}."),
            (re.compile(r"\bfrom bpcourse\.grading import\b"), f"from {RUNTIME} import"),
            (re.compile(r"\bfrom bpcourse\.gradcheck import\b"), f"from {RUNTIME}._gradcheck import")]

_IPYTHON_REWRITE = [(re.compile(r"\bfrom IPython\.core\.inputtransformer2 import\b"),
                     f"from {RUNTIME}._ipython.inputtransformer2 import"),
                    (re.compile(r"\bfrom IPython\.utils import tokenutil\b"),
                     f"from {RUNTIME}._ipython import tokenutil")]

_GRADCHECK = '''"""Stands in for bpcourse.gradcheck in the grader's runtime: values are compared outside the sandbox."""


def rel_error(a, b):
    raise RuntimeError("the grader compares values outside the sandbox: rel_error is not available here")
'''


def _build_runtime(out: Path, exercise: str, allow: Sequence[str], message: str, source: Path) -> None:
    """The grader's runtime: from ``worker.main``, only what it uses, module by module (nothing else of
    those files comes along, so a function added to them later is not in the sandbox either)."""
    out.mkdir()
    (out / "__init__.py").write_text('"""The grader\'s in-sandbox runtime (see bpcourse.grading.facade)."""\n',
                                     encoding="utf-8")
    (out / "_gradcheck.py").write_text(_GRADCHECK, encoding="utf-8")
    (out / "_allowlist.py").write_text(f'"""What this run\'s sandbox hands out."""\n\nEXERCISE = {exercise!r}\n'
                                       f"ALLOWLIST = {tuple(allow)!r}\nREFUSED = {message!r}\n", encoding="utf-8")
    ipython = _copy_ipython_transformer(out / "_ipython")
    texts: dict[str, str] = {}
    for name in RUNTIME_MODULES:
        text = (source / "grading" / f"{name}.py").read_text(encoding="utf-8")
        for pattern, repl in _REWRITE + (_IPYTHON_REWRITE if ipython else []):
            text = pattern.sub(repl, text)
        for stmt in ast.walk(ast.parse(text)):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) and _foreign(stmt):
                raise FacadeError(f"the grader's runtime module {name}.py imports bpcourse code "
                                  f"({ast.unparse(stmt)}); it must run without bpcourse")
        texts[name] = text
    needed: dict[str, set[str]] = {"worker": {"main"}}
    done: dict[str, str] = {}
    while True:
        pending = {m: n for m, n in needed.items() if m in texts and (m not in done or n - _names_in(done[m]))}
        if not pending:
            break
        for m, names in pending.items():
            done[m] = _extract(texts[m], sorted(names), f"{RUNTIME}.{m}", reviewed=True)
            for used_mod, used in _runtime_uses(done[m]).items():
                needed.setdefault(used_mod, set()).update(used)
    for m, text in done.items():
        tail = '\n\n\nif __name__ == "__main__":\n    main()\n' if m == "worker" else "\n"
        (out / f"{m}.py").write_text(f'"""{RUNTIME}.{m}: what the worker uses of bpcourse.grading.{m}."""\n\n'
                                     + text + tail, encoding="utf-8")


def _names_in(text: str) -> set[str]:
    return {b for stmt in ast.parse(text).body for b in _bindings(stmt)}


def _runtime_uses(text: str) -> dict[str, set[str]]:
    """Runtime module -> the names this code takes from it (``from _bpgrader.m import a``, ``m.a``)."""
    uses: dict[str, set[str]] = {}
    aliases: dict[str, str] = {}
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == RUNTIME:
            if node.module == RUNTIME:
                aliases.update({a.asname or a.name: a.name for a in node.names})
            else:
                uses.setdefault(node.module.split(".")[1], set()).update(a.name for a in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            uses.setdefault(aliases[node.value.id], set()).add(node.attr)
    return {m: n for m, n in uses.items() if m in RUNTIME_MODULES}


def _copy_ipython_transformer(out: Path) -> bool:
    """IPython's cell transformer (``%magic``, ``!shell``, ``x = !cmd`` to Python), two standard-library-only
    files, copied when IPython is installed: the rest of IPython is not in the sandbox."""
    import importlib.util

    spec = importlib.util.find_spec("IPython")  # finds the package without importing it
    if spec is None or not spec.origin:
        return False
    root = Path(spec.origin).parent
    files = {"inputtransformer2.py": root / "core" / "inputtransformer2.py",
             "tokenutil.py": root / "utils" / "tokenutil.py"}
    if not all(p.is_file() for p in files.values()):
        return False
    out.mkdir()
    (out / "__init__.py").write_text('"""IPython\'s cell transformer, for the worker\'s IPython syntax."""\n',
                                     encoding="utf-8")
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        for pattern, repl in _IPYTHON_REWRITE:
            text = pattern.sub(repl, text)
        if any(_imports_ipython(n) for n in ast.walk(ast.parse(text))):
            return False  # a newer IPython needs more of itself: the shell's own fallback translates instead
        (out / name).write_text(text, encoding="utf-8")
    return True


def _imports_ipython(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == "IPython" for a in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "IPython"
