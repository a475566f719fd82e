"""What each Bot records about its deploy, and what later runs read from it:
drift repaired, orphans reported and retired, status, the commit deployed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from medplum_standin.fleet import Fleet, Site, only_reads, results, standard_entries

from medplum_bots.client import MedplumClient
from medplum_bots.deploy.plan import identifier_value
from medplum_bots.deploy.records import (
    DEPLOYED_AT,
    DEPLOYED_BY,
    DEPLOYED_COMMIT,
    MANAGED_BY,
    repository_identity,
)
from medplum_bots.deploy.report import (
    DEPLOYED,
    DRIFTED,
    FAILED,
    ORPHANED,
    RETIRED,
    UNCHANGED,
)
from medplum_bots.deploy.retire import retire
from medplum_bots.deploy.status import CHANGED, MISSING, status
from medplum_bots.errors import ConfigError

EDITOR_ID, EDITOR_SECRET = "editor-app", "editor-secret-5b1e0c77"


def _editor(site: Site) -> MedplumClient:
    """Someone else in the project (the Medplum app, another tool), over HTTP."""
    site.standin.add_client(EDITOR_ID, EDITOR_SECRET, site.project_id)
    client = MedplumClient(site.standin.base_url, client_id=EDITOR_ID, client_secret=EDITOR_SECRET)
    client.login_client_credentials()
    return client


def _edit(fleet: Fleet, name: str, ops: list[dict[str, Any]]) -> None:
    site = fleet.site_of(name)
    editor = _editor(site)
    try:
        editor.patch_resource("Bot", fleet.ids[name], ops)
    finally:
        editor.close()


def _artifact_sha(forwarder: str) -> str:
    found = re.search(r'"sha256": "([0-9a-f]{64})"', forwarder)
    assert found, "no artifact in the forwarder"
    return found.group(1)


def _without(fleet: Fleet, name: str) -> None:
    fleet.write_config([e for e in standard_entries(fleet) if e["name"] != name])


def test_a_deploy_records_entry_deployer_commit_and_time(fleet: Fleet) -> None:
    fleet.deploy("alpha-staging")

    bot = fleet.bot("alpha-staging")
    repository = repository_identity(fleet.root)
    assert identifier_value(bot, MANAGED_BY) == f"{repository}|alpha-staging"
    assert identifier_value(bot, DEPLOYED_BY) == "ClientApplication/staging-client"
    assert bot["meta"]["author"]["reference"] == identifier_value(bot, DEPLOYED_BY)
    assert identifier_value(bot, DEPLOYED_COMMIT) == "unknown"  # not a git checkout
    assert (identifier_value(bot, DEPLOYED_AT) or "").endswith("Z")


def test_a_bot_edited_on_the_server_is_reported_drifted_and_repaired(fleet: Fleet) -> None:
    fleet.deploy("*-staging")
    deployed_code = fleet.bot("alpha-staging")["executableCode"]
    _edit(
        fleet,
        "alpha-staging",
        [
            {"op": "add", "path": "/executableCode", "value": {"url": "Binary/other"}},
            {"op": "add", "path": "/auditEventTrigger", "value": "never"},
        ],
    )

    report = fleet.deploy("*-staging")

    rows = {o.bot: o for o in report.outcomes}
    assert rows["alpha-staging"].result == DRIFTED and report.ok
    assert "changed on the server by ClientApplication/editor-app" in rows["alpha-staging"].detail
    assert "repaired" in rows["alpha-staging"].detail
    assert rows["beta-staging"].result == UNCHANGED
    bot = fleet.bot("alpha-staging")
    assert bot["executableCode"] != {"url": "Binary/other"}
    # The forwarder carrying the same artifact is back (each $deploy signs it anew).
    staging = fleet.sites["staging"]
    repaired = staging.binary_text(bot["executableCode"]["url"])
    assert _artifact_sha(repaired) == _artifact_sha(staging.binary_text(deployed_code["url"]))
    assert results(fleet.deploy("*-staging"))["alpha-staging"] == UNCHANGED


def test_a_setting_changed_with_the_deployers_own_credentials_is_drift_too(fleet: Fleet) -> None:
    fleet.deploy("beta-staging")
    site = fleet.sites["staging"]
    client = MedplumClient(
        site.standin.base_url, client_id=site.client_id, client_secret=site.client_secret
    )
    client.patch_resource(
        "Bot", fleet.ids["beta-staging"], [{"op": "add", "path": "/timeout", "value": 5}]
    )
    client.close()

    report = fleet.deploy("beta-staging")

    assert report.outcomes[0].result == DRIFTED
    assert "timeout 5 -> 30" in report.outcomes[0].detail
    assert fleet.bot("beta-staging")["timeout"] == 30


def test_dry_run_shows_drift_and_changes_nothing(fleet: Fleet) -> None:
    fleet.deploy("alpha-staging")
    _edit(fleet, "alpha-staging", [{"op": "add", "path": "/description", "value": "by hand"}])
    site = fleet.sites["staging"]
    before = site.request_count()
    version = fleet.bot("alpha-staging")["meta"]["versionId"]

    report = fleet.deploy("alpha-staging", dry_run=True)

    assert report.outcomes[0].result == DRIFTED
    assert "would redeploy to repair it" in report.outcomes[0].detail
    assert only_reads(site.standin.requests[before:])
    assert fleet.bot("alpha-staging")["meta"]["versionId"] == version


def test_an_unchanged_redeploy_stays_at_three_requests_with_the_records(fleet: Fleet) -> None:
    fleet.deploy()
    before = {name: site.request_count() for name, site in fleet.sites.items()}

    report = fleet.deploy()

    assert set(results(report).values()) == {UNCHANGED}
    for name, site in fleet.sites.items():
        assert site.request_count() - before[name] == 3


def test_bots_deployed_before_the_records_get_them_on_the_next_deploy(fleet: Fleet) -> None:
    fleet.deploy("gamma-staging")
    site = fleet.sites["staging"]
    bot = fleet.bot("gamma-staging")
    # As an older deployer left it: only the content hash.
    bot["identifier"] = [i for i in bot["identifier"] if i["system"] != MANAGED_BY]
    site.standin.store.update(bot, site.project_id, author="ClientApplication/staging-client")

    assert results(fleet.deploy("gamma-staging"))["gamma-staging"] == DEPLOYED
    assert identifier_value(fleet.bot("gamma-staging"), MANAGED_BY)


def test_every_deploy_reports_orphans_without_failing(fleet: Fleet) -> None:
    fleet.deploy()
    _without(fleet, "gamma-staging")

    report = fleet.deploy("*-production")
    assert report.orphans == []  # staging was not part of this run

    report = fleet.deploy("*")
    orphans = report.orphans
    assert [(o.bot, o.environment, o.result) for o in orphans] == [
        ("gamma-staging", "staging", ORPHANED)
    ]
    assert "invoke retire --name gamma-staging" in orphans[0].detail
    assert report.ok and report.exit_code() == 0
    assert "gamma-staging" in report.table()


def test_retire_turns_subscriptions_off_and_deletes_the_bot(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[2]["subscriptions"] = [{"criteria": "Patient", "interactions": ["create"]}]
    fleet.write_config(entries)
    fleet.deploy()
    _without(fleet, "gamma-staging")
    site = fleet.sites["staging"]
    shown: list[list[str]] = []

    def agree(bots: Any) -> bool:
        shown.append(list(bots))
        return True

    report = retire(fleet.config(), ["gamma-staging"], agree, fleet.connections())

    gamma = fleet.ids["gamma-staging"]
    assert shown == [[f"Bot/{gamma} (gamma-staging, staging)"]]
    assert [(o.bot, o.environment, o.result) for o in report.outcomes] == [
        ("gamma-staging", "staging", RETIRED)
    ]
    assert not [b for b in site.standin.store.all("Bot", site.project_id) if b["id"] == gamma]
    assert [s["status"] for s in site.subscriptions()] == ["off"]
    assert fleet.deploy().orphans == []


def test_retire_asks_first_and_a_no_touches_nothing(fleet: Fleet) -> None:
    fleet.deploy("*-staging")
    _without(fleet, "beta-staging")

    report = retire(fleet.config(), ["beta-staging"], lambda bots: False, fleet.connections())

    assert report.outcomes == ()
    assert fleet.bot("beta-staging")["id"] == fleet.ids["beta-staging"]


def test_retiring_a_name_still_in_the_config_is_refused_in_one_line(fleet: Fleet) -> None:
    before = fleet.sites["staging"].request_count()
    with pytest.raises(ConfigError, match=r"'alpha-staging' is still in medplum\.config\.json"):
        retire(fleet.config(), ["alpha-staging"], lambda bots: True, fleet.connections())
    assert fleet.sites["staging"].request_count() == before


def test_status_names_each_state_with_commit_and_time(fleet: Fleet) -> None:
    fleet.deploy()
    (fleet.root / "src/bots/beta.py").write_text(
        (fleet.root / "src/bots/beta.py").read_text() + "\n# changed\n"
    )
    _edit(fleet, "alpha-staging", [{"op": "add", "path": "/auditEventTrigger", "value": "never"}])
    entries = [e for e in standard_entries(fleet) if e["name"] != "gamma-staging"]
    entries[-1]["id"] = "no-such-bot"  # gamma-production
    fleet.write_config(entries)
    before = {name: s.request_count() for name, s in fleet.sites.items()}

    rows = {(r.entry, r.environment): r for r in status(fleet.config(), (), fleet.connections())}

    assert rows[("alpha-staging", "staging")].state == DRIFTED
    assert rows[("beta-staging", "staging")].state == CHANGED
    assert rows[("alpha-production", "production")].state == DEPLOYED
    assert rows[("gamma-production", "production")].state == MISSING
    assert rows[("gamma-staging", "staging")].state == ORPHANED
    deployed = rows[("alpha-production", "production")]
    assert deployed.commit == "unknown" and deployed.deployed_at.endswith("Z")
    for name, s in fleet.sites.items():
        sent = s.standin.requests[before[name] :]
        assert only_reads(sent)
        assert len(sent) == 2  # one login, one batch of searches


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_a_dirty_tree_is_recorded_with_its_commit_and_warned_about(fleet: Fleet) -> None:
    (fleet.root / ".gitignore").write_text("dist/\n__pycache__/\n")
    _git(fleet.root, "init", "-q")
    _git(fleet.root, "add", "-A")
    _git(fleet.root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "first")
    head = _git(fleet.root, "rev-parse", "HEAD")

    clean = fleet.deploy("alpha-staging", force=True)
    assert clean.provenance is not None and clean.provenance.warning() is None
    assert identifier_value(fleet.bot("alpha-staging"), DEPLOYED_COMMIT) == head

    (fleet.root / "src/bots/alpha.py").write_text(
        (fleet.root / "src/bots/alpha.py").read_text() + "\n# uncommitted\n"
    )
    dirty = fleet.deploy("alpha-staging")

    assert dirty.outcomes[0].result == DEPLOYED
    assert identifier_value(fleet.bot("alpha-staging"), DEPLOYED_COMMIT) == head + "+dirty"
    assert dirty.provenance is not None
    warning = dirty.provenance.warning() or ""
    assert warning.startswith("warning: uncommitted changes are deployed") and "\n" not in warning


def test_a_final_patch_refused_and_not_applied_fails_that_bot_and_the_rerun_redoes_it(
    fleet: Fleet,
) -> None:
    # Runtime already right: the final patch is alpha's only PATCH. Refused as a failed `test`
    # would be (someone edited the identifiers meanwhile), and not applied.
    fleet.write_config(standard_entries(fleet, runtimeVersion="awslambda"))
    staging = fleet.sites["staging"].standin
    alpha = fleet.ids["alpha-staging"]
    staging.faults.add(method="PATCH", path=rf"/Bot/{alpha}$", status=400)

    first = fleet.deploy("*-staging")

    row = {o.bot: o for o in first.outcomes}["alpha-staging"]
    assert row.result == FAILED
    assert row.detail.startswith("Bot update: refused (HTTP 400")
    assert "run the deploy again" in row.detail
    assert identifier_value(fleet.bot("alpha-staging"), MANAGED_BY) is None
    assert results(fleet.deploy("*-staging"))["alpha-staging"] == DEPLOYED


def test_managed_bots_over_one_page_are_all_read(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.deploy()
    _without(fleet, "gamma-staging")
    # Pages of two: the managed search's answer in the batch links to the next page.
    monkeypatch.setattr("medplum_bots.deploy.session.MANAGED_PER_PAGE", 2)
    site = fleet.sites["staging"]
    before = site.request_count()

    report = fleet.deploy("*-staging")

    assert results(report) == {
        "alpha-staging": UNCHANGED,
        "beta-staging": UNCHANGED,
        "gamma-staging": ORPHANED,
    }
    pages = [r for r in site.standin.requests[before:] if r.path == "/fhir/R4/Bot"]
    assert len(pages) == 1  # three managed Bots: the batch's first page of two, then one
