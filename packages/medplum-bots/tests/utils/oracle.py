"""Runs the same cases through @medplum/core (under Node) and through medplum_bots.

A case is a JSON object (see `core_oracle.cjs`); `medplum(cases)` answers them all in one
Node process, `ours(case)` answers one in Python with the snake_case names, and both encode
results alike (`{"value": ...}` or `{"error": ...}`), so a test compares them with `==`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medplum_bots import hl7, utils
from medplum_bots.errors import OperationOutcomeError
from tests.fhir.oracle import REPO_ROOT, require_node_modules

ORACLE = Path(__file__).resolve().parent / "core_oracle.cjs"
Case = dict[str, Any]


def medplum(cases: list[Case]) -> list[dict[str, Any]]:
    """@medplum/core's answers, in order (one Node process for the batch)."""
    require_node_modules()
    done = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps(cases).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
        env={"PATH": _path(), "TZ": "UTC", "LANG": "en_US.UTF-8"},
    )
    if done.returncode != 0:
        raise AssertionError(f"@medplum/core oracle failed: {done.stderr.decode()}")
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(cases)
    return results


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")


def snake(name: str) -> str:
    """`getAllSegments` -> `get_all_segments`, `getMsh1` -> `get_msh1`; HL7's DateTime is
    one word in Python (`parse_hl7_datetime`, as the issue names it)."""
    return (
        re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
        .lower()
        .replace("hl7_date_time", "hl7_datetime")
        .replace("fhir_path", "fhirpath")
    )


def plain(value: Any) -> Any:
    """Our value encoded as core_oracle.cjs encodes JavaScript's."""
    if isinstance(value, hl7.Hl7Message):
        return {"$hl7": "message", "text": str(value)}
    if isinstance(value, hl7.Hl7Segment):
        return {"$hl7": "segment", "text": str(value)}
    if isinstance(value, hl7.Hl7Field):
        return {"$hl7": "field", "text": str(value)}
    if isinstance(value, hl7.Hl7Context):
        return {"$hl7": "context", "text": value.get_msh1() + value.get_msh2()}
    if isinstance(value, utils.Age):
        return value._asdict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float):
        if not math.isfinite(value):
            return {"$number": "NaN" if math.isnan(value) else str(value)}
        if value.is_integer():
            return int(value)  # JSON from JavaScript has no 1.0
    return value


def _run_steps(root: Any, steps: list[list[Any]]) -> Any:
    target = root
    for name, *args in steps:
        if name == "@root":
            target = root
        elif name.startswith("."):
            target = getattr(target, snake(name[1:]))
        elif name == "buildAck":
            options = args[0] if args else {}
            err = options.get("errSegment")
            target = target.build_ack(
                options.get("ackCode", "AA"),
                hl7.Hl7Segment.parse(err) if err else None,
                now=root_now,
            )
        else:
            args = [hl7.Hl7Segment.parse(a["$segment"]) if isinstance(a, dict) else a for a in args]
            target = getattr(target, snake(name))(*args)
    return target


root_now: dt.datetime | None = None


def _function(name: str) -> Callable[..., Any]:
    for module in (utils, hl7):
        if hasattr(module, snake(name)):
            found: Callable[..., Any] = getattr(module, snake(name))
            return found
    raise AssertionError(f"no Python equivalent of {name}")


def _run(case: Case) -> Any:
    op = case["op"]
    if op == "call":
        args = json.loads(json.dumps(case["args"]))
        options = {snake(k): v for k, v in (case.get("options") or {}).items()}
        value = _function(case["fn"])(*args, **options)
        if case.get("returnArgs"):
            return {"result": plain(value), "args": plain(args)}
        return plain(value)
    if op == "hl7":
        return plain(_run_steps(hl7.Hl7Message.parse(case["text"]), case["steps"]))
    if op == "segment":
        context = hl7.Hl7Context(*case.get("context", []))
        return plain(_run_steps(hl7.Hl7Segment(case["fields"], context), case["steps"]))
    raise AssertionError(f"unknown op {op}")


def ours(case: Case) -> dict[str, Any]:
    """Our answer to one case, encoded as the oracle encodes core's."""
    global root_now
    now = case.get("now")
    root_now = dt.datetime.fromtimestamp(now / 1000, dt.UTC) if now else None
    try:
        return {"value": _run(case)}
    except (
        ValueError,
        IndexError,
        TypeError,
        KeyError,
        AttributeError,
        OperationOutcomeError,
    ) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        root_now = None


def same(theirs: dict[str, Any], mine: dict[str, Any]) -> bool:
    """Equal values, or both an error (the exception types differ between the languages)."""
    if "error" in theirs or "error" in mine:
        return "error" in theirs and "error" in mine
    return bool(theirs == mine)
