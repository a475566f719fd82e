"""docs/utils.md's table stays true: each Python name exists, each TypeScript name is an
export of @medplum/core (or is marked as core 5.x, newer than the oracle)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from tests.utils.oracle import medplum

DOC = Path(__file__).resolve().parents[2] / "docs" / "utils.md"
ROW = re.compile(
    r"^\| `(?P<ts>\w+)` \| (?P<py>`[\w.]+`|none) \| (?P<uses>[^|]*)\| (?P<notes>[^|]*)\|$"
)


def rows() -> list[re.Match[str]]:
    found = [m for line in DOC.read_text().splitlines() if (m := ROW.match(line))]
    assert len(found) > 40, "the table was not found in docs/utils.md"
    return found


def test_every_python_name_exists() -> None:
    for row in rows():
        if row["py"] == "none":
            assert row["notes"].strip(), f"{row['ts']}: a missing equivalent needs a reason"
            continue
        module_name, _, name = row["py"].strip("`").rpartition(".")
        assert hasattr(importlib.import_module(module_name), name), row["py"]


def test_every_typescript_name_is_cores() -> None:
    [answer] = medplum([{"op": "exports"}])
    exports = set(answer["value"])
    for row in rows():
        if "core 5.x" in row["notes"]:
            assert row["ts"] not in exports, f"{row['ts']} is in 4.5.2 now: drop the mark"
        else:
            assert row["ts"] in exports, row["ts"]


def test_every_demo_bot_import_is_listed() -> None:
    # The runtime values medplum-demo-bots imports (its release 5.1.23), by the count of
    # non-test files that import them, or "tests" for test files only.
    listed = {row["ts"]: row["uses"].strip() for row in rows()}
    demo = {
        "createReference": "20", "getReferenceString": "11", "EMPTY": "7", "getIdentifier": "5",
        "getQuestionnaireAnswers": "4", "resolveId": "4", "Hl7Message": "4", "LOINC": "3",
        "SNOMED": "3", "UCUM": "3", "normalizeErrorString": "3", "MedplumClient": "2",
        "OperationOutcomeError": "2", "isResource": "2", "streamToBuffer": "2",
        "Hl7Context": "2", "Hl7Field": "2", "Hl7Segment": "2", "parseHl7DateTime": "2",
        "buildCdsRequest": "1", "getDisplayString": "1", "RXNORM": "1", "unauthorized": "1",
        "CPT": "1", "getCodeBySystem": "1", "ICD10": "1", "formatAddress": "1",
        "formatDate": "1", "formatHumanName": "1", "getExtensionValue": "1",
        "getAllQuestionnaireAnswers": "1", "isObject": "1", "deepClone": "1",
        "ContentType": "1", "formatHl7DateTime": "1", "findResourceByCode": "1",
        "setIdentifier": "1", "allOk": "tests", "getStatus": "tests",
        "isOperationOutcome": "tests", "indexStructureDefinitionBundle": "tests",
        "indexSearchParameterBundle": "tests",
    }  # fmt: skip
    assert {name: listed.get(name) for name in demo} == demo
