"""The ``bpcourse`` package as the sandbox sees it: a copy without the code of the graded references.

:func:`build` copies the package's ``.py`` files and then, with :mod:`ast`,

* replaces the body of every guarded callable (``Task.guards``: ``"bpcourse.activations.softmax"``,
  ``"bpcourse.layers.Dense.backward"``) by ``raise GuardedReference(...)``: "this task's grade must come
  from your own code";
* replaces ``bpcourse/grading/tasks.py`` (the task table and its ``_ref_*`` references) by a module whose
  every name raises the same error when used;
* adds ``bpcourse/grading/_sandboxed.py``, whose presence switches the self-check ``check()`` to a no-op
  that says so.

The jail binds this copy read-only over the real package directory, so inside the sandbox no code path
computes a guarded reference, and the real one cannot be re-read, reloaded or exec'd: it is not there.
"""

from __future__ import annotations

import ast
import compileall
import os
import shutil
from pathlib import Path
from typing import Iterable, Mapping

__all__ = ["build", "resolve_guard", "GuardError", "PACKAGE_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # .../bpcourse

_SANDBOXED = '''"""Present only in the grading sandbox's copy of bpcourse (see bpcourse.grading.sandbox_pkg)."""


class GuardedReference(RuntimeError):
    """Raised by a bpcourse callable that computes a graded task's answer, while grading."""

    def __init__(self, name: str) -> None:
        super().__init__(f"`{name}` computes the answer of a graded task, so it is switched off while grading: "
                         f"this task's grade must come from your own code")
        self.name = name
'''

_TASKS_STUB = '''"""The task table is not part of the grading sandbox: every use of it raises GuardedReference."""
from bpcourse.grading._sandboxed import GuardedReference

_NAME = "bpcourse.grading.tasks"


class _Guarded:
    def __getattr__(self, name):
        if name.startswith("__"):  # hasattr(x, "__array__") and the like must stay False, not raise
            raise AttributeError(name)
        raise GuardedReference(_NAME)

    def __getitem__(self, key):
        raise GuardedReference(_NAME)

    def __iter__(self):
        raise GuardedReference(_NAME)

    def __call__(self, *args, **kwargs):
        raise GuardedReference(_NAME)


TASKS = EXERCISES = tasks_for = _Guarded()


def __getattr__(name):
    if name.startswith("__"):  # the import system asks for __path__ and the like
        raise AttributeError(name)
    raise GuardedReference(_NAME)
'''


class GuardError(ValueError):
    """A guard name that does not name a function or method of bpcourse."""


def resolve_guard(name: str, root: Path = PACKAGE_DIR) -> tuple[Path, str | None, str]:
    """``(module file, class name or None, function name)`` of a dotted guard name.

    A name re-exported with ``from .other import name`` resolves to where it is defined.

    Raises
    ------
    GuardError
        When no module file, class or function of that name exists.
    """
    parts = name.split(".")
    if parts[0] != "bpcourse" or len(parts) < 3:
        raise GuardError(f"guard {name!r}: expected 'bpcourse.<module>.<function>' or '...<Class>.<method>'")
    for cut in (len(parts) - 1, len(parts) - 2):
        path = _module_file(root, parts[1:cut])
        if cut >= 2 and path is not None:
            rest = parts[cut:]
            cls, fn = (None, rest[0]) if len(rest) == 1 else (rest[0], rest[1])
            found = _locate(root, path, cls, fn, depth=0)
            if found is None:
                raise GuardError(f"guard {name!r}: {path.name} defines no "
                                 f"{'method ' + cls + '.' if cls else 'function '}{fn}")
            return found
    raise GuardError(f"guard {name!r}: no such module in bpcourse")


def _module_file(root: Path, parts: list[str]) -> Path | None:
    mod = root.joinpath(*parts)
    for path in (mod.with_suffix(".py"), mod / "__init__.py"):
        if path.is_file():
            return path
    return None


def _locate(root: Path, path: Path, cls: str | None, fn: str, depth: int) -> tuple[Path, str | None, str] | None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if _find(tree, cls, fn) is not None:
        return path, cls, fn
    wanted = cls or fn
    for node in tree.body:  # re-exported: from .other import wanted
        if isinstance(node, ast.ImportFrom) and depth < 5 and any(a.name == wanted and a.asname in (None, wanted)
                                                                   for a in node.names):
            here = list(path.relative_to(root).parent.parts)
            base = here[: len(here) - (node.level - 1)] if node.level else []
            mod = (node.module or "").split(".") if node.module else []
            if not node.level and mod[:1] == ["bpcourse"]:
                mod = mod[1:]
            target = _module_file(root, base + mod)
            if target is not None:
                return _locate(root, target, cls, fn, depth + 1)
    return None


def _find(tree: ast.Module, cls: str | None, fn: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    body = tree.body
    if cls is not None:
        klass = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == cls), None)
        if klass is None:
            return None
        body = klass.body
    return next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fn), None)


def _stub_body(name: str) -> list[ast.stmt]:
    return ast.parse(f"from bpcourse.grading._sandboxed import GuardedReference as _G\n"
                     f"raise _G({name!r})").body


def build(dest: str | os.PathLike[str], guards: Iterable[str], source: Path = PACKAGE_DIR) -> Path:
    """Write the sandbox's copy of ``bpcourse`` into ``dest/bpcourse`` and return that directory.

    Parameters
    ----------
    dest : path
        An empty or missing directory, readable by the sandbox's uid.
    guards : iterable of str
        Dotted names to switch off.
    """
    out = Path(dest) / "bpcourse"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so.tmp"))
    by_file: dict[Path, list[tuple[str | None, str, str]]] = {}
    for g in sorted(set(guards)):
        path, cls, fn = resolve_guard(g, source)
        by_file.setdefault(out / path.relative_to(source), []).append((cls, fn, g))
    for path, items in by_file.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls, fn, g in items:
            node = _find(tree, cls, fn)
            assert node is not None
            node.body = _stub_body(g)
        path.write_text(ast.unparse(ast.fix_missing_locations(tree)) + "\n", encoding="utf-8")
    (out / "grading" / "tasks.py").write_text(_TASKS_STUB, encoding="utf-8")
    (out / "grading" / "_sandboxed.py").write_text(_SANDBOXED, encoding="utf-8")
    compileall.compile_dir(str(out), quiet=1, workers=1)
    for d, _, files in os.walk(Path(dest)):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    return out


def sandbox_guards(tasks: Mapping[str, object]) -> list[str]:
    """Every guard of a task table, sorted (helper for callers holding ``{id: Task}``)."""
    return sorted({g for t in tasks.values() for g in getattr(t, "guards", ())})
