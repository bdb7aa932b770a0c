"""Stand-ins: an earlier graded function replaced, on a later task's own cases, by its right values there.

A later task's function often calls an earlier one: ``mlp_backward`` calls ``output_delta``. Graded with the
learner's own earlier function, one slip there would cost both tasks. So while a case of a task runs, each
function the task ``uses`` (:class:`bpcourse.grading.spec.Task`) is replaced in the learner's namespace by a
:class:`StandIn`: a table of the calls the reference's own composition makes on that case (the arguments, and
the earlier task's reference outputs for them), computed by the trusted side (the grader's parent process, or
the self-check in the learner's kernel; :mod:`bpcourse.grading.standin_tables`).

A call that matches an entry (every argument within a relative 1e-9 of the table's, so a different but exact
operation order still matches) gets copies of its outputs. Any other call goes to the learner's own function,
and the stand-in records that it did, so the feedback can say the result depended on it. A table holds values
on the later task's case only, never on the earlier task's own cases, so it gives away none of the earlier
task's graded answers.

This module runs inside the grading sandbox (it is part of the grader's runtime, see
:mod:`bpcourse.grading.facade`): it imports nothing of bpcourse but the protocol.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any, Callable, Iterator, MutableMapping, Sequence

import numpy as np

from bpcourse.grading import protocol

__all__ = ["StandIn", "Table", "installed", "own_calls", "encode_tables", "decode_tables"]

#: One stand-in's table: the function's name, its parameter names, and [(arguments, outputs)] per call.
Table = tuple[str, tuple[str, ...], list[tuple[dict[str, Any], Any]]]

_RTOL = 1e-9


def _matches(got: Any, want: Any) -> bool:
    """Whether an argument the learner passed equals the table's, up to rounding."""
    try:
        a = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    b = np.asarray(want, dtype=float)
    if a.shape != b.shape and not (a.size == b.size == 1):
        return False
    a, b = a.reshape(b.shape), b
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return bool(np.all(np.abs(a - b) <= _RTOL * (np.abs(b) + scale) + 1e-300))


class StandIn:
    """A callable that answers the calls of its table and hands every other call to the learner's own function.

    Parameters
    ----------
    name : str
        The earlier task's function name, e.g. ``"output_delta"``.
    params : sequence of str
        Its parameter names, in the exercise's order.
    calls : list of (dict, value)
        Each expected call's keyword arguments and the reference's return value for them.
    own : callable or None
        The learner's own function (None when it is not defined).
    """

    def __init__(self, name: str, params: Sequence[str], calls: list[tuple[dict[str, Any], Any]],
                 own: Callable[..., Any] | None) -> None:
        self.__name__ = name
        self.params = tuple(params)
        self.calls = calls
        self.own = own
        self.used_own = 0

    def _lookup(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
        if len(args) > len(self.params) or set(kwargs) - set(self.params[len(args):]):
            return False, None
        given = dict(zip(self.params, args), **kwargs)
        if set(given) != set(self.params):
            return False, None
        for expected, value in self.calls:
            if all(_matches(given[k], expected[k]) for k in self.params):
                return True, copy.deepcopy(value)
        return False, None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        found, value = self._lookup(args, kwargs)
        if found:
            return value
        self.used_own += 1
        if self.own is None:
            raise NameError(f"name {self.__name__!r} is not defined")
        return self.own(*args, **kwargs)


@contextlib.contextmanager
def installed(namespace: MutableMapping[str, Any], tables: Sequence[Table]) -> Iterator[list[StandIn]]:
    """Put a :class:`StandIn` for each table into ``namespace`` (the learner's globals) for the ``with`` block.

    Yields the stand-ins (to read ``used_own`` after the call); restores the learner's own names afterwards,
    also when the block raises.
    """
    missing = object()
    saved = {name: namespace.get(name, missing) for name, _, _ in tables}
    standins = []
    for name, params, calls in tables:
        own = saved[name]
        standin = StandIn(name, params, calls, None if own is missing or not callable(own) else own)
        standins.append(standin)
        namespace[name] = standin
    try:
        yield standins
    finally:
        for name, own in saved.items():
            if own is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = own


def own_calls(standins: Sequence[StandIn]) -> list[str]:
    """The names whose stand-in handed at least one call to the learner's own function."""
    return [s.__name__ for s in standins if s.used_own]


# ------------------------------------------------------------------------------------ across the sandbox
def _encode_value(value: Any) -> dict[str, Any]:
    if isinstance(value, tuple):
        return {"tuple": [_encode_value(v) for v in value]}
    return protocol.Request.encode_case({"v": value})["v"]


def _decode_value(obj: dict[str, Any]) -> Any:
    if "tuple" in obj:
        return tuple(_decode_value(v) for v in obj["tuple"])
    return protocol.Request.decode_case({"v": obj})["v"]


def encode_tables(tables: Sequence[Table]) -> list[dict[str, Any]]:
    """Tables as the worker's request carries them (JSON-safe)."""
    return [{"function": name, "params": list(params),
             "calls": [{"args": protocol.Request.encode_case(args), "out": _encode_value(out)}
                       for args, out in calls]} for name, params, calls in tables]


def decode_tables(obj: list[dict[str, Any]]) -> list[Table]:
    """The inverse of :func:`encode_tables`."""
    return [(t["function"], tuple(t["params"]),
             [(protocol.Request.decode_case(c["args"]), _decode_value(c["out"])) for c in t["calls"]])
            for t in obj]

