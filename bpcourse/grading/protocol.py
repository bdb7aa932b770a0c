"""The typed messages between the trusted grader and the sandboxed worker, and their strict reader.

One framing both ways: an 8-byte little-endian length, then a UTF-8 JSON object. Arrays travel inside it as
``{"dtype": "<f8", "shape": [2, 3], "data": "<base64>"}``: no pickle, no compression (so nothing to inflate),
numeric dtypes only, and the byte count implied by ``shape`` and ``dtype`` is checked against the caps and
the data *before* anything is decoded.

Parent → worker: one :class:`Request` (the code cells, the graded functions and their case *inputs*, the
limits). It is written by the parent and read by the worker before any submission code runs.

Worker → parent: a stream of messages (a case's outcome carries the learner's return values and its input
arrays as they are after the call; every verdict, "modified its input in place" included, is the parent's), read by :func:`read_messages` with everything a hostile notebook
could send in mind (its code runs in the worker's process and can write to the channel): frame and message
size caps, JSON nesting depth checked before parsing, an exact set of keys and types per message type,
bounded strings and lists, and the order of messages (:class:`Transcript`). The first message that breaks a
rule ends the reading: what came before it is kept, the rest is ignored, and :attr:`Transcript.error` says
why.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

import numpy as np

__all__ = ["VERSION", "ProtocolError", "Request", "encode", "decode", "frame", "read_frames", "encode_array",
           "decode_array", "TruncatedChannel", "Transcript", "TaskReport", "read_messages", "MAX_MESSAGE_BYTES"]

VERSION = 3  # 2: a case outcome carries its inputs after the call; 3: stand-in tables, and "own" in an outcome
MAX_MESSAGE_BYTES = 8 * 2**20      # one message; a case's outputs are far smaller
MAX_ARRAY_ELEMENTS = 1_000_000      # per array
MAX_DEPTH = 12                     # JSON nesting: the deepest message has 6 levels
MAX_STR = 2_000
MAX_LIST = 1_000
_HEADER = struct.Struct("<Q")
_DTYPE_KINDS = "biufc"


class ProtocolError(ValueError):
    """A message that does not follow the protocol (malformed, too large, out of order)."""


class TruncatedChannel(ProtocolError):
    """The channel ended inside a frame: the worker was stopped while writing (a time limit, a crash)."""


# ------------------------------------------------------------------------------------------------ arrays
def encode_array(a: np.ndarray) -> dict[str, Any]:
    """An array as a JSON-safe dict (numeric dtypes only)."""
    a = np.asarray(a)
    if a.dtype.kind not in _DTYPE_KINDS:
        raise TypeError(f"only numeric arrays cross the sandbox boundary, not dtype {a.dtype}")
    data = np.ascontiguousarray(a).tobytes()  # ascontiguousarray makes a 0-d array 1-d: keep a.shape
    return {"dtype": a.dtype.str, "shape": list(a.shape), "data": base64.b64encode(data).decode("ascii")}


def decode_array(obj: Any, max_elements: int = MAX_ARRAY_ELEMENTS) -> np.ndarray:
    """The array of :func:`encode_array`, validated before decoding.

    Raises
    ------
    ProtocolError
        Wrong keys, a non-numeric or unknown dtype, a bad shape, too many elements, or data whose length
        does not match shape × itemsize.
    """
    if not isinstance(obj, dict) or set(obj) != {"dtype", "shape", "data"}:
        raise ProtocolError("an array must have exactly the keys dtype, shape, data")
    dt, shape, data = obj["dtype"], obj["shape"], obj["data"]
    if not isinstance(dt, str) or len(dt) > 8:
        raise ProtocolError("array dtype must be a short string")
    try:
        dtype = np.dtype(dt)
    except TypeError:
        raise ProtocolError(f"unknown array dtype {dt[:8]!r}") from None
    if dtype.kind not in _DTYPE_KINDS or dtype.hasobject or dtype.itemsize > 32:  # up to complex256
        raise ProtocolError(f"array dtype {dt!r} is not a plain numeric type")
    if (not isinstance(shape, list) or len(shape) > 8
            or not all(type(s) is int and 0 <= s <= max_elements for s in shape)):
        raise ProtocolError("array shape must be a list of at most 8 non-negative ints")
    n = 1
    for s in shape:
        n *= s
    if n > max_elements:
        raise ProtocolError(f"array of {n} elements is larger than the {max_elements} allowed")
    if not isinstance(data, str) or len(data) != 4 * -(-n * dtype.itemsize // 3):
        raise ProtocolError("array data length does not match its shape and dtype")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise ProtocolError("array data is not base64") from None
    if len(raw) != n * dtype.itemsize:
        raise ProtocolError("array data length does not match its shape and dtype")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# ----------------------------------------------------------------------------------------------- framing
def encode(msg: dict[str, Any]) -> bytes:
    """A message as one frame."""
    body = json.dumps(msg, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return _HEADER.pack(len(body)) + body



def _depth_ok(text: bytes, limit: int) -> bool:
    """Whether JSON text nests at most ``limit`` deep (strings skipped); runs before json.loads."""
    depth, in_str, esc = 0, False, False
    for b in text:
        if in_str:
            if esc:
                esc = False
            elif b == 0x5C:
                esc = True
            elif b == 0x22:
                in_str = False
        elif b == 0x22:
            in_str = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif b in (0x5D, 0x7D):
            depth -= 1
    return True


def decode(body: bytes) -> dict[str, Any]:
    """One frame's body as a message dict (size and depth checked first)."""
    if len(body) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {len(body)} bytes is larger than the {MAX_MESSAGE_BYTES} allowed")
    if not _depth_ok(body, MAX_DEPTH):
        raise ProtocolError(f"a message nests deeper than {MAX_DEPTH} levels")
    try:
        msg = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("a message is not valid UTF-8 JSON") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object")
    return msg


def read_frames(data: bytes) -> Iterator[dict[str, Any]]:
    """Decode the frames of a byte string; a truncated last frame raises ProtocolError."""
    pos = 0
    while pos < len(data):
        if len(data) - pos < _HEADER.size:
            raise TruncatedChannel("the channel ended inside a frame header")
        (n,) = _HEADER.unpack_from(data, pos)
        pos += _HEADER.size
        if n > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"a frame announces {n} bytes, more than the {MAX_MESSAGE_BYTES} allowed")
        if len(data) - pos < n:
            raise TruncatedChannel("the channel ended inside a message")
        yield decode(data[pos:pos + n])
        pos += n


def read_stream(stream: BinaryIO) -> dict[str, Any]:
    """Read exactly one frame from a stream (the worker reads its request this way)."""
    head = stream.read(_HEADER.size)
    if len(head) != _HEADER.size:
        raise ProtocolError("no request on stdin")
    (n,) = _HEADER.unpack(head)
    body = stream.read(n)
    if len(body) != n:
        raise ProtocolError("the request was cut short")
    return json.loads(body.decode("utf-8"))


# ------------------------------------------------------------------------------------------ parent → worker
@dataclass
class Request:
    """What the worker gets: code cells, graded functions with their case inputs, and its limits.

    ``cells``: ``[{"index": int, "source": str}]`` (cells to skip are already left out); ``tasks``:
    ``[{"id", "function", "outputs": [str], "cases": [{arg: value}], "standins": [[table]]}]`` where a value
    is a float, int, bool or an encoded array, and ``standins[j]`` holds case ``j``'s stand-in tables
    (:func:`bpcourse.grading.standins.encode_tables`: the earlier graded functions the task calls, with their
    reference values for the calls this case makes, nothing else). No seed, no expected output, no path.
    """

    cells: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    limits: dict[str, Any]

    def to_frame(self) -> bytes:
        return encode({"type": "request", "version": VERSION, "cells": self.cells, "tasks": self.tasks,
                       "limits": self.limits})

    @staticmethod
    def encode_case(case: dict[str, Any]) -> dict[str, Any]:
        """A case's inputs, JSON-safe (arrays encoded)."""
        out: dict[str, Any] = {}
        for k, v in case.items():
            if isinstance(v, np.ndarray):
                out[k] = encode_array(v)
            elif isinstance(v, (bool, np.bool_)):
                out[k] = {"bool": bool(v)}
            elif isinstance(v, (int, np.integer)):
                out[k] = {"int": int(v)}
            elif isinstance(v, (float, np.floating)):
                out[k] = {"float": float(v)}
            else:
                raise TypeError(f"case argument {k!r} is a {type(v).__name__}; cases hold floats, ints, bools "
                                f"and arrays only")
        return out

    @staticmethod
    def decode_case(obj: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if "bool" in v:
                out[k] = bool(v["bool"])
            elif "int" in v:
                out[k] = int(v["int"])
            elif "float" in v:
                out[k] = float(v["float"])
            else:
                out[k] = decode_array(v, max_elements=2**31)
        return out


# ------------------------------------------------------------------------------------------ worker → parent
_ERROR_KEYS = {"type": str, "message": str, "filename": str, "lineno": int, "line": str}
_ITEM_KINDS = {"array", "scalar", "sequence", "none", "other"}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # no terminal escapes into feedback files


def _s(v: Any, what: str, cap: int = MAX_STR) -> str:
    """A bounded string without control characters or lone surrogates (which no file encoder accepts)."""
    if not isinstance(v, str):
        raise ProtocolError(f"{what} must be a string")
    return _CONTROL.sub("?", v[:cap].encode("utf-8", "backslashreplace").decode("utf-8"))


def _strings(v: Any, what: str, cap: int = 200) -> list[str]:
    if not isinstance(v, list) or len(v) > MAX_LIST:
        raise ProtocolError(f"{what} must be a list of at most {MAX_LIST} strings")
    return [_s(x, what, cap) for x in v]


def _keys(msg: dict[str, Any], keys: set[str], what: str) -> None:
    if set(msg) != keys:
        raise ProtocolError(f"a {what} message must have exactly the keys {', '.join(sorted(keys))}")


def _error(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict) or set(v) != set(_ERROR_KEYS):
        raise ProtocolError("an error report must have exactly the keys " + ", ".join(sorted(_ERROR_KEYS)))
    out: dict[str, Any] = {}
    for k, t in _ERROR_KEYS.items():
        if type(v[k]) is not t:
            raise ProtocolError(f"error report field {k} must be a {t.__name__}")
        out[k] = _s(v[k], f"error report field {k}") if t is str else v[k]
    return out


def _item(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict) or set(v) != {"kind", "type_name", "text", "array"}:
        raise ProtocolError("a returned item must have exactly the keys kind, type_name, text, array")
    kind = v["kind"]
    if kind not in _ITEM_KINDS:
        raise ProtocolError(f"unknown item kind {str(kind)[:20]!r}")
    arr = None if v["array"] is None else decode_array(v["array"])
    if (arr is None) != (kind in ("none", "other")):
        raise ProtocolError(f"an item of kind {kind} must {'not ' if kind in ('none', 'other') else ''}carry an array")
    if kind == "scalar" and arr is not None and arr.ndim != 0:
        raise ProtocolError("a scalar item must carry a 0-d array")
    return {"kind": kind, "type_name": _s(v["type_name"], "type_name", 80), "text": _s(v["text"], "text", 200),
            "array": arr}


def _inputs(v: Any) -> dict[str, np.ndarray]:
    """The case's input arrays as the worker says they are after the call (the parent compares them)."""
    if not isinstance(v, dict) or len(v) > 64:
        raise ProtocolError("inputs must be an object of at most 64 arrays")
    out = {}
    for k, a in v.items():
        if len(k) > 80:
            raise ProtocolError("an input's name must be at most 80 characters")
        out[k] = decode_array(a)
    return out


def _outcome(v: Any) -> dict[str, Any]:
    keys = {"bind_error", "error", "note", "structure_error", "items", "inputs", "own"}
    if not isinstance(v, dict) or set(v) != keys:
        raise ProtocolError("a case outcome must have exactly the keys " + ", ".join(sorted(keys)))
    items = v["items"]
    if not isinstance(items, list) or len(items) > 64:
        raise ProtocolError("items must be a list of at most 64")
    return {"bind_error": _s(v["bind_error"], "bind_error"), "error": _error(v["error"]),
            "note": _s(v["note"], "note"), "structure_error": _s(v["structure_error"], "structure_error"),
            "items": [_item(i) for i in items], "inputs": _inputs(v["inputs"]),
            "own": _strings(v["own"], "own", cap=80)}


@dataclass
class TaskReport:
    """What the worker reported for one task (already validated)."""

    id: str
    state: str = "started"             # started | evaluated | missing | not-callable
    candidates: list[str] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Transcript:
    """Everything valid the worker said, in order; ``error`` is the first protocol violation, if any."""

    cells_started: list[int] = field(default_factory=list)
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cells_done: bool = False
    tasks: dict[str, TaskReport] = field(default_factory=dict)
    current_task: str = ""
    done: bool = False
    leftover_processes: int = 0
    error: str = ""
    truncated: bool = False

    @property
    def last_cell(self) -> int | None:
        """The cell that started last and did not finish (None if none)."""
        if self.cells_done or not self.cells_started:
            return None
        last = self.cells_started[-1]
        return None if last in self.cells else last


class _Reader:
    """Applies one validated message to a transcript, enforcing the order of the protocol."""

    def __init__(self, expected: list[tuple[str, int]]) -> None:
        self.expected = expected           # (task id, number of cases) in the order the request gave them
        self.t = Transcript()
        self.next_task = 0
        self.hello = False

    def apply(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        handler = getattr(self, f"_on_{str(kind).replace('-', '_')}", None) if isinstance(kind, str) else None
        if handler is None or (not self.hello and kind != "hello"):
            raise ProtocolError(f"unexpected message type {str(kind)[:30]!r}")
        if self.t.done:
            raise ProtocolError("a message after 'done'")
        handler(msg)

    def _on_hello(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "version"}, "hello")
        if self.hello or msg["version"] != VERSION:
            raise ProtocolError("a second hello, or a protocol version this grader does not speak")
        self.hello = True

    def _on_cell_start(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "index"}, "cell-start")
        if self.t.cells_done or type(msg["index"]) is not int or msg["index"] in self.t.cells_started:
            raise ProtocolError("a cell-start out of order")
        self.t.cells_started.append(msg["index"])

    def _on_cell_end(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "index", "error"}, "cell-end")
        if not self.t.cells_started or msg["index"] != self.t.cells_started[-1] or msg["index"] in self.t.cells:
            raise ProtocolError("a cell-end that does not match the last cell-start")
        self.t.cells[msg["index"]] = {"error": _error(msg["error"])}

    def _on_cells_done(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "notes"}, "cells-done")
        if self.t.cells_done or self.t.last_cell is not None:
            raise ProtocolError("cells-done twice, or while a cell was running")
        self.t.notes = _strings(msg["notes"], "notes")[:50]
        self.t.cells_done = True

    def _on_task_start(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "id"}, "task-start")
        if not self.t.cells_done or self.next_task >= len(self.expected):
            raise ProtocolError("a task-start before the cells ended, or one task too many")
        tid = self.expected[self.next_task][0]
        if msg["id"] != tid or self.t.current_task:
            raise ProtocolError(f"a task-start for {str(msg['id'])[:40]!r}, expected {tid!r}")
        self.t.current_task = tid
        self.t.tasks[tid] = TaskReport(tid)

    def _on_case(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "id", "case", "outcome"}, "case")
        tid = self.t.current_task
        rep = self.t.tasks.get(tid)
        if not tid or msg["id"] != tid or rep is None or msg["case"] != len(rep.cases):
            raise ProtocolError("a case result out of order")
        if len(rep.cases) >= self.expected[self.next_task][1]:
            raise ProtocolError("more case results than cases")
        rep.cases.append(_outcome(msg["outcome"]))

    def _on_task_end(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "id", "state", "candidates"}, "task-end")
        tid = self.t.current_task
        if not tid or msg["id"] != tid:
            raise ProtocolError("a task-end that does not match the task-start")
        state = msg["state"]
        if state not in ("evaluated", "missing", "not-callable"):
            raise ProtocolError(f"unknown task state {str(state)[:20]!r}")
        rep = self.t.tasks[tid]
        if state != "evaluated" and rep.cases:
            raise ProtocolError("case results for a task that was not evaluated")
        rep.state = state
        rep.candidates = _strings(msg["candidates"], "candidates", 80)[:30]
        self.t.current_task = ""
        self.next_task += 1

    def _on_done(self, msg: dict[str, Any]) -> None:
        _keys(msg, {"type", "leftover_processes"}, "done")
        n = msg["leftover_processes"]
        if self.t.current_task or self.next_task != len(self.expected) or type(n) is not int or n < 0:
            raise ProtocolError("'done' before every task was reported")
        self.t.leftover_processes = n
        self.t.done = True


def read_messages(data: bytes, expected: list[tuple[str, int]]) -> Transcript:
    """The transcript of a worker's channel bytes.

    Parameters
    ----------
    data : bytes
        Everything read from the channel (already capped by the jail).
    expected : list of (task id, number of cases)
        The tasks in the order the request listed them.

    Returns
    -------
    Transcript
        Valid messages up to the first violation; ``error`` names it.
    """
    reader = _Reader(expected)
    try:
        for msg in read_frames(data):
            reader.apply(msg)
    except TruncatedChannel as exc:
        reader.t.truncated = True
        reader.t.error = str(exc)
    except ProtocolError as exc:
        reader.t.error = str(exc)
    return reader.t
