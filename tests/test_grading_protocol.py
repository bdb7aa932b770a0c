"""The channel from the sandbox is read strictly: size, depth, dtype, shape, keys and order are checked."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from bpcourse.grading import protocol as P

EXPECTED = [("t1", 2)]


def frames(*msgs) -> bytes:
    return b"".join(P.encode(m) for m in msgs)


def good_outcome(arr):
    return {"bind_error": "", "error": None, "note": "", "structure_error": "", "inputs": {}, "own": [],
            "items": [{"kind": "array", "type_name": "numpy.ndarray", "text": "", "array": P.encode_array(arr)}]}


def session(*middle):
    return frames({"type": "hello", "version": P.VERSION}, {"type": "cells-done", "notes": []},
                  {"type": "task-start", "id": "t1"}, *middle)


def test_a_clean_transcript_round_trips_arrays_exactly():
    a = np.random.default_rng(0).normal(size=(3, 2))
    data = session({"type": "case", "id": "t1", "case": 0, "outcome": good_outcome(a)},
                   {"type": "case", "id": "t1", "case": 1, "outcome": good_outcome(a.astype(np.float32))},
                   {"type": "task-end", "id": "t1", "state": "evaluated", "candidates": []},
                   {"type": "done", "leftover_processes": 0})
    tr = P.read_messages(data, EXPECTED)
    assert tr.error == "" and tr.done
    got = tr.tasks["t1"].cases[0]["items"][0]["array"]
    assert got.dtype == np.float64 and np.array_equal(got, a)
    assert tr.tasks["t1"].cases[1]["items"][0]["array"].dtype == np.float32


@pytest.mark.parametrize("value", [np.float64(2.5), np.array(3), np.zeros((0, 3)), np.arange(6).reshape(2, 3).T,
                                   np.array([1 + 2j])])
def test_arrays_keep_shape_dtype_and_values(value):
    back = P.decode_array(json.loads(json.dumps(P.encode_array(np.asarray(value)))))
    assert back.shape == np.shape(value) and back.dtype == np.asarray(value).dtype
    assert np.array_equal(back, value)


@pytest.mark.parametrize("bad, why", [
    ({"type": "result", "id": "t1", "passed": True}, "unexpected message type"),
    ({"type": "case", "id": "t1", "case": 1, "outcome": {}}, "out of order"),
    ({"type": "task-end", "id": "t2", "state": "evaluated", "candidates": []}, "does not match"),
    ({"type": "done", "leftover_processes": 0}, "before every task"),
    ({"type": "hello", "version": P.VERSION}, "second hello"),
    ({"type": "case", "id": "t1", "case": 0, "outcome": dict(good_outcome(np.zeros(1)), modified=[])},
     "exactly the keys"),  # the old verdict field: the worker no longer says what was modified
    ({"type": "case", "id": "t1", "case": 0, "outcome": dict(good_outcome(np.zeros(1)), inputs=[1])},
     "inputs must be an object"),
])
def test_messages_out_of_protocol_end_the_reading(bad, why):
    tr = P.read_messages(session(bad), EXPECTED)
    assert why in tr.error and not tr.done


@pytest.mark.parametrize("array, why", [
    ({"dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="}, "not a plain numeric type"),
    ({"dtype": "<f8", "shape": [5000, 5000], "data": ""}, "larger than"),
    ({"dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}, "does not match"),
    ({"dtype": "<f8", "shape": [-1], "data": ""}, "non-negative"),
    ({"dtype": "<f8", "shape": [1], "data": "AAAAAAAAAAA=", "pickle": True}, "exactly the keys"),
])
def test_arrays_are_checked_before_decoding(array, why):
    with pytest.raises(P.ProtocolError, match=why):
        P.decode_array(array)


def test_deep_nesting_and_huge_frames_are_refused_before_parsing():
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(P.ProtocolError, match="nests deeper"):
        P.decode(deep)
    huge = struct.pack("<Q", 2**40)
    tr = P.read_messages(frames({"type": "hello", "version": P.VERSION}) + huge, EXPECTED)
    assert "announces" in tr.error
    zipped = b"PK\x03\x04" + bytes(100)  # a zip header: the channel never decompresses anything
    bomb = struct.pack("<Q", len(zipped)) + zipped
    assert "not valid UTF-8 JSON" in P.read_messages(frames({"type": "hello", "version": P.VERSION}) + bomb, EXPECTED).error


def test_a_channel_cut_mid_frame_is_truncation_not_tampering():
    data = session()
    tr = P.read_messages(data + P.encode({"type": "done", "leftover_processes": 0})[:5], EXPECTED)
    assert tr.truncated and tr.current_task == "t1"
    assert json.loads(P.encode({"a": 1})[8:]) == {"a": 1}


def test_control_characters_never_reach_a_feedback_file():
    err = {"type": "ValueError", "message": "\x1b[2J\x1b]0;pwned\x07 boom", "filename": "", "lineno": 0, "line": ""}
    outcome = dict(good_outcome(np.zeros(1)), error=err, items=[])
    tr = P.read_messages(session({"type": "case", "id": "t1", "case": 0, "outcome": outcome}), EXPECTED)
    assert tr.tasks["t1"].cases[0]["error"]["message"] == "?[2J?]0;pwned? boom"


def test_inputs_after_the_call_cross_as_arrays_and_the_parent_decides_what_changed():
    from bpcourse.grading.returned import modified_inputs

    case = {"x": np.arange(3.0), "W": np.ones((2, 2)), "eta": 0.5}
    after = {"x": case["x"] * 2, "W": case["W"].copy()}
    outcome = dict(good_outcome(np.zeros(1)), inputs={k: P.encode_array(v) for k, v in after.items()})
    tr = P.read_messages(session({"type": "case", "id": "t1", "case": 0, "outcome": outcome}), EXPECTED)
    got = tr.tasks["t1"].cases[0]["inputs"]
    assert modified_inputs(case, got) == ["x"]
    # an input the worker leaves out, or sends back with another dtype, counts as changed: no evidence, no trust
    assert modified_inputs(case, {"x": case["x"]}) == ["W"]
    assert modified_inputs(case, {"x": case["x"].astype(np.float32), "W": case["W"]}) == ["x"]
