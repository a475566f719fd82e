"""`medplum_bots.hl7` reads, edits and writes HL7 v2 as @medplum/core does: every segment,
field, component, subcomponent and repetition index of many messages, plus ACKs and edits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.hl7.messages import MESSAGES
from tests.utils.oracle import Case, medplum, ours, same

NOW = 1_704_164_645_007  # 2024-01-02T03:04:05.007Z: the ACK's time and control id


def _segment_count(text: str) -> int:
    return len(re.split(r"[\r\n]+", text))


def _reads(text: str) -> list[list[list[Any]]]:
    """Step lists reading every index (and a few beyond) of every segment."""
    reads: list[list[list[Any]]] = [
        [["toString"]],
        [[".segments"]],
        [[".header"]],
        [[".context"]],
        [[".context"], ["getMsh2"]],
    ]
    names = {"MSH", "PID", "OBX", "PV1", "ZZZ", ""}
    for name in sorted(names):
        reads += [[["getSegment", name]], [["getAllSegments", name]]]
    count = _segment_count(text)
    for s in range(-1, count + 1):
        reads.append([["getSegment", s]])
        if not 0 <= s < count:
            continue
        seg = [["getSegment", s]]
        reads += [[*seg, [".name"]], [*seg, [".fields"]]]
        for f in range(-1, 26):
            reads.append([*seg, ["getField", f]])
            for c in range(0, 7):
                reads.append([*seg, ["getComponent", f, c]])
            for rep in range(0, 3):
                reads.append([*seg, ["getComponent", f, 1, None, rep]])
            for sub in range(-1, 5):
                reads.append([*seg, ["getComponent", f, 2, sub]])
    return reads


def _edits() -> list[list[list[Any]]]:
    """Edits followed by a read of the whole message."""
    edits: list[list[list[Any]]] = [
        [["getSegment", 1], ["setField", 3, "NEW^VALUE~REP"]],
        [["getSegment", 1], ["setField", 30, "FAR"]],
        [["getSegment", 0], ["setField", 1, "#"]],
        [["getSegment", 0], ["setField", 2, "x"]],
        [["getSegment", 0], ["setField", 9, "ORU^R01"]],
        [["getSegment", 0], ["setField", 40, "far"]],
        [["getSegment", 1], ["setComponent", 3, 2, "comp"]],
        [["getSegment", 1], ["setComponent", 3, 9, "far"]],
        [["getSegment", 1], ["setComponent", 3, 1, "sub", 3]],
        [["getSegment", 1], ["setComponent", 3, 1, "rep", None, 2]],
        [["getSegment", 1], ["setComponent", 3, 0, "zero"]],
        [["getSegment", 1], ["setComponent", 99, 1, "none"]],
        [["getSegment", 1], ["getField", 2], ["setComponent", 1, "v", -1]],
    ]
    return [[*edit, ["@root"], ["toString"]] for edit in edits] + edits


def _segment_edits() -> list[list[list[Any]]]:
    replace = "ZZZ|replaced"
    out: list[list[list[Any]]] = []
    for index in (0, 1, 2, 50, "PID", "MSH", "ZZZ", "OBX"):
        out.append([["setSegment", index, {"$segment": replace}], ["@root"], ["toString"]])
        out.append([["setSegment", index, {"$segment": "MSH|^~\\&|X"}], ["@root"], ["toString"]])
    return out


def _acks() -> list[list[list[Any]]]:
    return [
        [["buildAck"]],
        [["buildAck", {"ackCode": "AE"}]],
        [["buildAck", {"ackCode": "CR"}]],
        [["buildAck", {"ackCode": "AR", "errSegment": "ERR|||207^Application internal error"}]],
        [["buildAck"], [".context"]],
        [["buildAck"], ["getSegment", "MSH"], ["getField", 9]],
    ]


def cases_for(text: str) -> list[Case]:
    steps = _reads(text) + _edits() + _segment_edits() + _acks()
    return [{"op": "hl7", "text": text, "steps": s, "now": NOW} for s in steps]


ALL: dict[str, list[Case]] = {name: cases_for(text) for name, text in MESSAGES.items()}
ALL["not_hl7"] = [{"op": "hl7", "text": t, "steps": [["toString"]]} for t in ("PID|1", "", " MSH|")]
ALL["constructed_segments"] = [
    {"op": "segment", "fields": fields, "context": context, "steps": steps}
    for fields in (["PID", "1", "", "a^b~c"], ["MSH", "^~\\&", "APP"], ["ZZ"])
    for context in ([], ["\n", "#", "$", "*", "@", "!"])
    for steps in ([["toString"]], [["getField", 3]], [["getComponent", 3, 2]], [["getField", 2]])
]


@pytest.fixture(scope="module")
def answers() -> dict[str, list[dict[str, Any]]]:
    flat = [case for cases in ALL.values() for case in cases]
    results = iter(medplum(flat))
    return {name: [next(results) for _ in cases] for name, cases in ALL.items()}


@pytest.mark.parametrize("name", list(ALL))
def test_same_as_medplum_core(name: str, answers: dict[str, list[dict[str, Any]]]) -> None:
    mismatches = []
    for case, theirs in zip(ALL[name], answers[name], strict=True):
        mine = ours(case)
        if not same(theirs, mine):
            mismatches.append(f"{case['steps']}\n  core: {theirs}\n  ours: {mine}")
    assert not mismatches, f"{len(mismatches)} of {len(ALL[name])} differ:\n" + "\n".join(
        mismatches[:10]
    )


def test_every_message_is_exercised() -> None:
    # A guard that the battery is not trivially small (it grows with the messages).
    assert sum(len(c) for c in ALL.values()) > 5000
