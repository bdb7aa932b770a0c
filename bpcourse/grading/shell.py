"""What a notebook cell needs beyond Python, inside the grading worker: ``get_ipython()`` and IPython syntax.

Magics and ``!shell`` lines are translated with IPython's own transformer (when IPython is installed); the
stand-in shell runs the bodies of ``%time``/``%%timeit``-style magics, writes ``%%writefile`` into the
sandbox's scratch directory, and reports, without running, shell commands and every other magic.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Shell", "ipython_to_python"]


class Shell:
    """Stands in for ``get_ipython()``: runs what is Python, reports what is not."""

    _RUN_BODY = {"time", "timeit", "capture", "prun", "debug"}
    _QUIET = {"matplotlib", "load_ext", "autoreload", "aimport", "config", "precision", "xmode", "reload_ext",
              "pylab", "env", "who", "whos", "lsmagic"}

    def __init__(self, ns: dict[str, Any], notes: list[str]) -> None:
        self.ns = ns
        self.notes = notes
        self.cell = 0

    def _note(self, what: str) -> None:
        self.notes.append(f"cell {self.cell}: {what} was not run (no shell or magics while grading)")

    def system(self, cmd: str) -> None:
        self._note(f"the shell command `!{cmd.strip()[:60]}`")

    def getoutput(self, cmd: str, *args: Any, **kwargs: Any) -> list[str]:
        self._note(f"the shell command `!{cmd.strip()[:60]}`")
        return []

    def _run(self, src: str, offset: int) -> None:
        exec(compile("\n" * offset + src, f"<cell {self.cell}>", "exec"), self.ns)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name in self._RUN_BODY:
            args = line.split()
            body = line
            while args and args[0].startswith("-"):  # %timeit -n 10 -r 3 stmt: drop the options
                opt = args.pop(0)
                body = body.split(opt, 1)[1]
                if opt in ("-n", "-r", "-p") and args:
                    body = body.split(args.pop(0), 1)[1]
            self._run(body.strip(), 0)
        elif name not in self._QUIET:
            self._note(f"the magic `%{name} {line.strip()[:50]}`")
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in self._RUN_BODY:
            self._run(cell, 1)
        elif name == "writefile":
            parts = line.split()
            append = "-a" in parts or "--append" in parts
            path = [p for p in parts if not p.startswith("-")]
            if path:
                with open(path[0], "a" if append else "w", encoding="utf-8") as f:
                    f.write(cell)
        else:
            self._note(f"the cell magic `%%{name}`")
        return None

    def magic(self, arg: str) -> None:
        name, _, line = arg.partition(" ")
        self.run_line_magic(name.lstrip("%"), line)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"get_ipython().{name} is not available while grading")


def ipython_to_python(src: str) -> str | None:
    """A cell's IPython syntax as plain Python (None if it cannot be translated)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # IPython missing: comment out magic and shell lines
        return _fallback(src)
    try:
        return TransformerManager().transform_cell(src)
    except Exception:
        return None


def _fallback(src: str) -> str:
    lines = src.splitlines()
    if lines and lines[0].startswith("%%"):
        name, _, arg = lines[0][2:].partition(" ")
        return f"get_ipython().run_cell_magic({name!r}, {arg!r}, {chr(10).join(lines[1:])!r})"
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("!"):
            out.append(indent + f"get_ipython().system({stripped[1:]!r})")
        elif stripped.startswith("%"):
            name, _, arg = stripped[1:].partition(" ")
            out.append(indent + f"get_ipython().run_line_magic({name!r}, {arg!r})")
        else:
            out.append(line)
    return "\n".join(out)
