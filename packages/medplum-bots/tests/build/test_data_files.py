"""Data files of a bundled package: embedded in the artifact, read with importlib.resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medplum_bots.build.bundle import DATA_LIMIT
from medplum_bots.build.loader import load_artifact, load_isolated
from medplum_bots.errors import BuildError
from medplum_bots.runtime.adapter import execute_sync, make_payload
from tests.build.projects import build, make_project, run_python, tooling_only_path

CSV = "code,display\n1234-5,Glucose\n6789-0,Sodium ü\n"
FILES = {
    "src/bots/__init__.py": "",
    "src/bots/codes.py": '''
        """Looks a code up in a CSV shipped with the shared package."""
        import csv
        import importlib.resources

        import shared


        def handler(medplum, event):
            event = getattr(event, "input", event)
            # By name (source, Lambda, load_artifact) or by module (also private tables).
            folder = importlib.resources.files(shared if event.get("by") else "shared")
            data = [p.name for p in folder.iterdir() if p.name.endswith((".csv", ".bin"))]
            table = folder.joinpath("codes.csv")
            rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
            with (folder / "logo.bin").open("rb") as handle:
                logo = handle.read()
            with table.open("r", encoding="utf-8") as handle:
                first = handle.readline()
            return {
                "display": {r["code"]: r["display"] for r in rows}[event["code"]],
                "logo": list(logo),
                "first": first,
                "size": len(table.read_bytes()),
                "data": sorted(data),
                "missing": folder.joinpath("nope.csv").is_file(),
            }
    ''',
    "src/shared/__init__.py": "",
    "src/shared/codes.csv": CSV,
    "src/shared/.hidden": "secret-ish\n",
    "src/shared/helpers.py": "X = 1\n",
    "src/shared/sub/deep.txt": "not embedded\n",
}
LOGO = bytes([0, 1, 2, 255, 10, 13])
EXPECTED = {
    "display": "Sodium ü",
    "logo": list(LOGO),
    "first": "code,display\n",
    "size": len(CSV.encode()),
    "data": ["codes.csv", "logo.bin"],
    "missing": False,
}
CALL = "print(json.dumps({}.handler(None, {{'code': '6789-0'}})))"


def _project(root: Path) -> Path:
    make_project(root, FILES, ["codes"])
    (root / "src/shared/__pycache__").mkdir()
    (root / "src/shared/__pycache__/helpers.cpython-311.pyc").write_bytes(b"\0")
    (root / "src/shared/logo.bin").write_bytes(LOGO)
    return root


def _payload(value: dict[str, str]) -> dict[str, object]:
    return make_payload(value, base_url="https://example.test/", access_token="t" * 12)


def _run(code: str, cwd: Path, path: list[Path]) -> object:
    done = run_python("import json\n" + code, cwd=cwd, pythonpath=path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.usefixtures("isolated_imports")
def test_same_answer_from_source_and_from_the_artifact(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    artifact = build(root)["codes"]
    text = artifact.path.read_text()

    from_source = _run(f"import bots.codes\n{CALL.format('bots.codes')}", root, [root / "src"])
    # The Lambda's view: only medplum_bots and the artifact, no src/ and no data files.
    runtime = tooling_only_path(tmp_path)
    dist = root / "dist/bots"
    from_lambda = _run(f"import codes\n{CALL.format('codes')}", tmp_path, [runtime, dist])
    # In process, through the runtime's execution path, shared and private tables.
    by_name, by_module = ({"code": "6789-0", "by": by} for by in ("", "module"))
    private = execute_sync(load_isolated(text, "codes_v1").handler, _payload(by_module))
    handler = load_artifact(artifact.path).handler
    shared = [execute_sync(handler, _payload(p)) for p in (by_name, by_module)]

    assert from_source == from_lambda == EXPECTED
    assert [r.result for r in (private, *shared)] == [EXPECTED] * 3, private.outcome
    # Only the package's own non-Python, non-hidden files, listed in the header.
    assert "secret-ish" not in text and "deep.txt" not in text and ".pyc" not in text
    assert "# data files:   shared: codes.csv  src/shared/codes.csv (" in text


def test_data_is_deterministic_and_part_of_the_hash(tmp_path: Path) -> None:
    first = _project(tmp_path / "one")
    second = _project(tmp_path / "elsewhere" / "two")
    a, b = build(first)["codes"], build(second)["codes"]
    assert a.path.read_bytes() == b.path.read_bytes() and a.sha256 == b.sha256

    (second / "src/shared/codes.csv").write_text(CSV + "1111-1,Potassium\n", encoding="utf-8")
    changed = build(second)["codes"]
    assert changed.written and changed.sha256 != a.sha256

    (second / "src/shared/codes.csv").write_text(CSV, encoding="utf-8")
    (second / "src/shared/extra.json").write_text("{}", encoding="utf-8")
    assert build(second)["codes"].sha256 != a.sha256


def test_over_the_cap_fails_in_one_line_naming_the_biggest_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "src/shared/small.dat").write_bytes(b"x" * 1000)
    (root / "src/shared/big.dat").write_bytes(b"x" * DATA_LIMIT)
    with pytest.raises(BuildError) as raised:
        build(root)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("src/shared/big.dat: the bot's package data files total ")
    assert f"{DATA_LIMIT:,}-byte limit" in message
    assert not (root / "dist/bots/codes.py").exists()  # nothing written
