"""`invoke build` in a generated project, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.template import render, run_in


def test_invoke_build_in_a_generated_project(tmp_path: Path) -> None:
    project = render(tmp_path, include_sync_examples=True)

    built = run_in(project, "invoke", "build")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((project / "dist/manifest.json").read_text())
    by_name = {r["name"]: r for r in manifest["artifacts"]}
    assert sorted(by_name) == ["hapi_sync_bot", "hapi_sync_simple_bot", "my_first_bot"]
    for name, record in by_name.items():
        assert (project / record["dist"]).stat().st_size == record["size"]
        assert f"{name}: {record['dist']} ({record['size']:,} bytes, sha256 " in built.stdout
    assert by_name["my_first_bot"]["modules"] == ["bots", "bots.my_first_bot"]
    assert by_name["hapi_sync_bot"]["modules"] == [
        "bots",
        "bots.hapi_sync_bot",
        "shared",
        "shared.http_helpers",
    ]
    assert "  bundled with: bots, shared, shared.http_helpers\n" in built.stdout

    unchanged = run_in(project, "invoke", "build", "--changed")
    assert (unchanged.returncode, unchanged.stdout) == (0, ""), unchanged.stderr
    assert "no artifact differs from the last build" in unchanged.stderr

    helpers = project / "src/shared/http_helpers.py"
    helpers.write_text(helpers.read_text() + "\nRETRIES = 3\n")
    changed = run_in(project, "invoke", "build", "--changed")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.split() == [
        "hapi-sync-bot-staging",
        "hapi-sync-bot-production",
        "hapi-sync-simple-bot-staging",
        "hapi-sync-simple-bot-production",
    ]

    helpers.write_text(helpers.read_text() + "\nfrom shared.nowhere import thing\n")
    failed = run_in(project, "invoke", "build", "--name", "hapi-sync-bot-*")
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        f"error: src/shared/http_helpers.py:{len(helpers.read_text().splitlines())}: cannot "
        "import 'shared.nowhere': no such module in src/ "
        "(bots.hapi_sync_bot -> shared.http_helpers -> shared.nowhere)"
    ]
