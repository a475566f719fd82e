"""The deployer against two loopback Medplum stand-ins over real HTTP (in-process runs)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from medplum_standin.fleet import (
    BOT_READ,
    ENVIRONMENTS,
    MODULES,
    RUNTIME_URL,
    Fleet,
    only_reads,
    results,
    standard_entries,
)

from medplum_bots.build.bundle import Artifact
from medplum_bots.config import BotEntry, Environment
from medplum_bots.deploy.plan import DEPLOYED_HASH, EXTERNAL_FUNCTION_ID, identifier_value
from medplum_bots.deploy.report import DEPLOYED, FAILED, UNCHANGED, WOULD_DEPLOY
from medplum_bots.errors import BuildError, CredentialsError, DeployError, UnknownBotError

ALL = [f"{m}-{env}" for env in ENVIRONMENTS for m in MODULES]


def test_staging_and_production_deploy_in_one_run_with_their_own_credentials(
    fleet: Fleet,
) -> None:
    report = fleet.deploy()

    assert report.ok, report.table()
    assert results(report) == dict.fromkeys(ALL, DEPLOYED)
    for name in ALL:
        bot = fleet.bot(name)
        site = fleet.site_of(name)
        module = name.split("-")[0]
        forwarder = site.binary_text(bot["executableCode"]["url"])
        assert f"{RUNTIME_URL}bots/{module}" in forwarder
        assert site.binary_text(bot["sourceCode"]["url"]).startswith("from typing import Any")
        assert bot["sourceCode"]["title"] == f"{module}.py"
        assert bot["timeout"] == 30
        assert bot["description"] == f"{module} ({site.name})"
        assert identifier_value(bot, DEPLOYED_HASH)
    for site in fleet.sites.values():
        # One token per environment per run, each from that environment's own client.
        assert site.standin.tokens_issued == 1
        bots = site.standin.store.all("Bot", site.project_id)
        assert {b["name"] for b in bots} == {f"{m}-{site.name}" for m in MODULES}


def test_table_names_bot_environment_result_version_and_seconds(fleet: Fleet) -> None:
    report = fleet.deploy("alpha-staging")
    lines = report.table().splitlines()

    assert lines[0].split() == ["bot", "environment", "result", "version", "seconds"]
    row = lines[2].split()
    assert row[:3] == ["alpha-staging", "staging", "deployed"]
    assert row[3] == identifier_value(fleet.bot("alpha-staging"), DEPLOYED_HASH)[:12]  # type: ignore[index]
    assert float(row[4]) >= 0


def test_wildcard_patterns_select_entries_and_leave_others_alone(fleet: Fleet) -> None:
    report = fleet.deploy("alpha-*", "*-production")

    assert list(results(report)) == [
        "alpha-staging",
        "alpha-production",
        "beta-production",
        "gamma-production",
    ]
    assert "executableCode" not in fleet.bot("beta-staging")
    assert "executableCode" not in fleet.bot("gamma-staging")


def test_unknown_pattern_lists_the_configured_names_and_sends_nothing(fleet: Fleet) -> None:
    with pytest.raises(UnknownBotError) as caught:
        fleet.deploy("delta-*")

    assert "delta-*" in str(caught.value)
    assert all(name in str(caught.value) for name in ALL)
    assert all(site.request_count() == 0 for site in fleet.sites.values())


def test_429_503_drops_and_500_are_retried_until_success(fleet: Fleet) -> None:
    staging = fleet.sites["staging"].standin
    staging.faults.add(method="POST", path=BOT_READ, status=429, retry_after="0.05")
    staging.faults.add(method="POST", path=r"\$deploy$", status=503, times=2)
    staging.faults.add(method="POST", path=r"/Binary$", drop=True, status=None)

    report = fleet.deploy("*-staging")

    assert results(report) == dict.fromkeys(
        ["alpha-staging", "beta-staging", "gamma-staging"], DEPLOYED
    )
    statuses = [r.status for r in staging.requests]
    assert statuses.count(429) == 1 and statuses.count(503) == 2
    assert statuses.count(0) == 1  # the dropped connection
    assert not staging.faults.pending()


@pytest.mark.parametrize("lost", ["502", "drop"])
def test_bot_updates_whose_answers_are_lost_after_the_work_converge_in_one_run(
    fleet: Fleet, lost: str
) -> None:
    # The server applies each of alpha's patches (runtimeVersion, then the final one) and the
    # answer is lost on the way back: the retry of the final patch finds its guard failing
    # and the Bot already carrying what it wanted.
    staging = fleet.sites["staging"].standin
    alpha = fleet.ids["alpha-staging"]
    fault: dict[str, Any] = {"status": 502} if lost == "502" else {"drop": True, "status": None}
    staging.faults.add(method="PATCH", path=rf"/Bot/{alpha}$", times=2, after=True, **fault)
    staging.faults.add(method="POST", path=r"\$deploy$", status=503)
    staging.faults.add(method="POST", path=BOT_READ, status=429, retry_after="0.05")

    report = fleet.deploy("*-staging")

    assert results(report) == dict.fromkeys(
        ["alpha-staging", "beta-staging", "gamma-staging"], DEPLOYED
    )
    assert not staging.faults.pending()
    identifiers = fleet.bot("alpha-staging")["identifier"]
    systems = [i["system"] for i in identifiers]
    assert len(systems) == len(set(systems))  # nothing appended twice
    deployed = identifier_value(fleet.bot("alpha-staging"), DEPLOYED_HASH) or ""
    assert deployed.startswith(report.outcomes[0].version)
    assert results(fleet.deploy("*-staging")) == dict.fromkeys(
        ["alpha-staging", "beta-staging", "gamma-staging"], UNCHANGED
    )


def test_a_permanent_failure_is_reported_while_the_others_deploy(fleet: Fleet) -> None:
    staging = fleet.sites["staging"].standin
    alpha = fleet.ids["alpha-staging"]
    staging.faults.add(
        method="POST",
        path=rf"/Bot/{alpha}/\$deploy$",
        status=400,
        times=None,
        body=json.dumps(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "invalid", "details": {"text": "Boom"}}],
            }
        ),
    )

    report = fleet.deploy()

    assert not report.ok
    assert [o.bot for o in report.failures] == ["alpha-staging"]
    failure = report.failures[0]
    assert failure.result == FAILED and failure.environment == "staging"
    assert failure.detail == "$deploy: HTTP 400: Boom"
    assert "alpha-staging (staging)" in report.failure_summary()
    assert all(o.result == DEPLOYED for o in report.outcomes if o.bot != "alpha-staging")
    # The 400 was not retried, and no hash was written, so the next run tries again.
    deploys = [r for r in staging.requests if r.path.endswith(f"{alpha}/$deploy")]
    assert len(deploys) == 1
    assert identifier_value(fleet.bot("alpha-staging"), DEPLOYED_HASH) is None

    staging.faults.clear()
    rerun = fleet.deploy()

    assert results(rerun) == {
        name: (DEPLOYED if name == "alpha-staging" else UNCHANGED) for name in ALL
    }


def test_unchanged_redeploy_takes_at_most_three_round_trips_per_environment(fleet: Fleet) -> None:
    fleet.deploy()
    before = {name: site.request_count() for name, site in fleet.sites.items()}
    versions = {name: fleet.bot(name)["meta"]["versionId"] for name in ALL}

    report = fleet.deploy()

    assert results(report) == dict.fromkeys(ALL, UNCHANGED)
    for name, site in fleet.sites.items():
        sent = site.standin.requests[before[name] :]
        assert len(sent) <= 3, [(r.method, r.path) for r in sent]
        assert only_reads(sent)
    assert {name: fleet.bot(name)["meta"]["versionId"] for name in ALL} == versions


def test_force_redeploys_unchanged_bots(fleet: Fleet) -> None:
    fleet.deploy("beta-*")
    report = fleet.deploy("beta-*", force=True)

    assert results(report) == {"beta-staging": DEPLOYED, "beta-production": DEPLOYED}


def test_a_changed_source_or_setting_redeploys_only_that_bot(fleet: Fleet) -> None:
    fleet.deploy()
    (fleet.root / "src/bots/beta.py").write_text(
        (fleet.root / "src/bots/beta.py").read_text() + "\n# changed\n"
    )
    entries = standard_entries(fleet)
    entries[2]["timeout"] = 60  # gamma-staging

    fleet.write_config(entries)
    report = fleet.deploy()

    changed = {"beta-staging", "beta-production", "gamma-staging"}
    assert results(report) == {n: DEPLOYED if n in changed else UNCHANGED for n in ALL}
    assert fleet.bot("gamma-staging")["timeout"] == 60


def test_dry_run_prints_changes_and_touches_nothing(fleet: Fleet) -> None:
    fleet.deploy("alpha-staging")
    entries = standard_entries(fleet)
    entries[0]["timeout"] = 45
    entries[0]["subscriptions"] = [{"criteria": "Patient", "interactions": ["create"]}]
    fleet.write_config(entries)
    site = fleet.sites["staging"]
    before = site.request_count()
    version = fleet.bot("alpha-staging")["meta"]["versionId"]
    deployed = identifier_value(fleet.bot("alpha-staging"), DEPLOYED_HASH) or ""

    report = fleet.deploy("alpha-staging", dry_run=True)

    outcome = report.outcomes[0]
    assert outcome.result == WOULD_DEPLOY
    assert "timeout 30 -> 45" in outcome.detail
    assert "subscriptions +1 ~0 -0" in outcome.detail
    assert f"version {deployed[:12]} -> {outcome.version}" in outcome.detail
    sent = site.standin.requests[before:]
    assert only_reads(sent)
    assert fleet.bot("alpha-staging")["meta"]["versionId"] == version
    assert site.subscriptions() == []


def test_subscriptions_exist_exactly_once_after_ten_deploys_and_follow_the_config(
    fleet: Fleet,
) -> None:
    declared = [
        {"criteria": "Patient", "interactions": ["create"]},
        {"criteria": "Observation?code=1234-5"},
        {"criteria": "Encounter", "interactions": ["create", "update"]},
    ]
    entries = standard_entries(fleet)
    entries[0]["subscriptions"] = declared
    fleet.write_config(entries)
    site = fleet.sites["staging"]
    alpha = fleet.ids["alpha-staging"]
    hand_made = site.standin.seed(
        {
            "resourceType": "Subscription",
            "status": "active",
            "reason": "made by a person",
            "criteria": "Patient",
            "channel": {"type": "rest-hook", "endpoint": f"Bot/{alpha}"},
        },
        site.project_id,
    )

    for run in range(10):
        assert fleet.deploy("alpha-staging", force=run % 2 == 0).ok

    managed = [s for s in site.subscriptions() if s["id"] != hand_made["id"]]
    keys = sorted(
        (s["criteria"], *(e["valueCode"] for e in s.get("extension", []))) for s in managed
    )
    assert keys == [
        ("Encounter", "create"),
        ("Encounter", "update"),
        ("Observation?code=1234-5",),
        ("Patient", "create"),
    ]
    assert all(s["channel"] == {"type": "rest-hook", "endpoint": f"Bot/{alpha}"} for s in managed)
    assert all("alpha-staging" in s["reason"] for s in managed)
    patient_id = next(s["id"] for s in managed if s["criteria"] == "Patient")

    # Drop one, change another's interaction: removed and updated in place.
    entries[0]["subscriptions"] = [
        {"criteria": "Patient", "interactions": ["create"], "status": "off"},
        {"criteria": "Encounter", "interactions": ["update"]},
    ]
    fleet.write_config(entries)
    assert fleet.deploy("alpha-staging").ok

    remaining = {s["id"]: s for s in site.subscriptions()}
    assert hand_made["id"] in remaining  # not ours: never touched
    del remaining[hand_made["id"]]
    assert sorted(s["criteria"] for s in remaining.values()) == ["Encounter", "Patient"]
    assert remaining[patient_id]["status"] == "off"


def test_duplicate_owned_subscriptions_are_reduced_to_one(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[0]["subscriptions"] = ["Patient"]
    fleet.write_config(entries)
    fleet.deploy("alpha-staging")
    site = fleet.sites["staging"]
    copy = {k: v for k, v in site.subscriptions()[0].items() if k not in ("id", "meta")}
    copy["meta"] = {"tag": site.subscriptions()[0]["meta"]["tag"]}
    site.standin.seed(copy, site.project_id)

    assert fleet.deploy("alpha-staging", force=True).ok
    assert len(site.subscriptions()) == 1


def test_entries_without_an_id_point_to_create(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[1]["id"] = ""
    fleet.write_config(entries)

    with pytest.raises(DeployError, match=r"beta-staging.*invoke deploy --create.*invoke create"):
        fleet.deploy()


def test_deploy_create_makes_bots_records_their_ids_and_deploys_them(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[1]["id"] = ""
    entries[4]["id"] = ""
    fleet.write_config(entries)
    before = fleet.config_path.read_text()

    report = fleet.deploy(create=True)

    assert results(report)["beta-staging"] == "created"
    assert results(report)["beta-production"] == "created"
    saved = json.loads(fleet.config_path.read_text())
    new_ids = {b["name"]: b["id"] for b in saved["bots"] if b["name"].startswith("beta-")}
    assert all(new_ids.values())
    for name, bot_id in new_ids.items():
        site = fleet.site_of(name)
        assert site.standin.has_membership(site.project_id, f"Bot/{bot_id}")
        assert identifier_value(site.bot(bot_id), DEPLOYED_HASH)
    # Only the ids changed: every other field and the order are as before.
    assert [b["name"] for b in saved["bots"]] == [b["name"] for b in json.loads(before)["bots"]]
    fleet.ids.update(new_ids)
    assert results(fleet.deploy()) == dict.fromkeys(ALL, UNCHANGED)


def test_a_runtime_without_url_is_refused_before_any_request(fleet: Fleet) -> None:
    fleet.write_config(
        standard_entries(fleet),
        fleet.environments(production={"type": "http", "url": ""}),
    )

    with pytest.raises(DeployError, match=r"environments\.production\.runtime: field 'url'"):
        fleet.deploy()
    assert all(site.request_count() == 0 for site in fleet.sites.values())


def test_a_missing_credential_names_the_variable_and_the_environment(fleet: Fleet) -> None:
    environ = fleet.environ()
    del environ["PRODUCTION_MEDPLUM_CLIENT_SECRET"]

    with pytest.raises(CredentialsError) as caught:
        fleet.deploy(connections=fleet.connections(environ=environ))

    message = str(caught.value)
    assert "'production'" in message and "MEDPLUM_CLIENT_SECRET" in message
    assert "PRODUCTION_MEDPLUM_CLIENT_SECRET" in message
    assert fleet.sites["staging"].client_secret not in message


def test_credentials_of_another_project_fail_that_environment_only(fleet: Fleet) -> None:
    environments = fleet.environments()
    environments["production"]["projectId"] = "someone-elses-project"
    fleet.write_config(standard_entries(fleet), environments)

    report = fleet.deploy()

    for outcome in report.outcomes:
        if outcome.environment == "production":
            assert outcome.result == FAILED
            assert "belong to Project/production-project" in outcome.detail
            assert "someone-elses-project" in outcome.detail
        else:
            assert outcome.result == DEPLOYED


def test_rejected_credentials_fail_that_environment_without_leaking_the_secret(
    fleet: Fleet,
) -> None:
    environ = fleet.environ()
    environ["STAGING_MEDPLUM_CLIENT_SECRET"] = "wrong-secret-value-123"

    report = fleet.deploy(connections=fleet.connections(environ=environ))

    staging = [o for o in report.outcomes if o.environment == "staging"]
    assert all(o.result == FAILED and "login to" in o.detail for o in staging)
    assert all("STAGING_MEDPLUM_CLIENT_SECRET in the environment" in o.detail for o in staging)
    assert "wrong-secret-value-123" not in report.table()
    assert all(o.result == DEPLOYED for o in report.outcomes if o.environment == "production")


def test_a_missing_runtime_secret_fails_the_bots_it_would_leave_unable_to_run(
    fleet: Fleet,
) -> None:
    store = fleet.sites["staging"].standin.store
    project = store.read("Project", "staging-project")
    # As Medplum serializes a Project without secrets: no `secret` field at all.
    store.update({k: v for k, v in project.items() if k != "secret"}, "staging-project")

    report = fleet.deploy()

    for outcome in report.outcomes:
        if outcome.environment == "staging":
            assert outcome.result == FAILED
            assert "Project secret 'MEDPLUM_BOTS_RUNTIME_KEY' is missing" in outcome.detail
        else:
            assert outcome.result == DEPLOYED
    assert "executableCode" not in fleet.bot("alpha-staging")


def test_a_server_echoing_a_secret_or_token_has_it_redacted(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    # The staging client knows its own secret; only the run knows production's too.
    other = fleet.sites["production"].client_secret
    echo = f"bad request from {site.client_secret} and {other}"
    site.standin.faults.add(
        method="PATCH",
        path=r"/Bot/",
        status=400,
        times=None,
        body=json.dumps(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "invalid", "details": {"text": echo}}],
            }
        ),
    )

    report = fleet.deploy()

    assert [o.result for o in report.outcomes] == [FAILED] * 3 + [DEPLOYED] * 3
    text = report.table()
    assert "bad request from *** and ***" in text
    assert not any(secret in text for secret in fleet.secrets())


def test_runtime_version_is_switched_before_deploying_code(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[0]["runtimeVersion"] = "vmcontext"
    fleet.write_config(entries)
    site = fleet.sites["staging"]
    alpha = fleet.ids["alpha-staging"]

    assert fleet.deploy("alpha-staging").ok

    calls = [(r.method, r.path) for r in site.standin.requests if alpha in r.path]
    assert calls.index(("PATCH", f"/fhir/R4/Bot/{alpha}")) < calls.index(
        ("POST", f"/fhir/R4/Bot/{alpha}/$deploy")
    )
    assert fleet.bot("alpha-staging")["runtimeVersion"] == "vmcontext"


def test_lambda_update_in_progress_answers_are_retried(fleet: Fleet) -> None:
    fleet.sites["production"].standin.fail_next_deploys(2)

    report = fleet.deploy("*-production")

    assert report.ok, report.table()


def test_missing_artifact_without_build_says_to_build(fleet: Fleet) -> None:
    with pytest.raises(BuildError, match=r"dist/bots/alpha\.py: no artifact.*invoke build"):
        fleet.deploy("alpha-staging", build=False)


def test_lambda_route_sets_the_external_function_identifier_instead_of_deploy(
    fleet: Fleet,
) -> None:
    calls: list[tuple[str, str, str]] = []

    def fake_lambda(entry: BotEntry, env: Environment, artifact: Artifact) -> str:
        calls.append((entry.name, env.name, artifact.name))
        return f"medplum-bot-py-{entry.name}"

    lambda_runtime = {
        "type": "lambda",
        "region": "us-east-1",
        "roleArn": "arn:aws:iam::123456789012:role/medplum-bots",
    }
    fleet.write_config(standard_entries(fleet), fleet.environments(staging=lambda_runtime))

    report = fleet.deploy("*-staging", connections=fleet.connections(lambda_deployer=fake_lambda))

    assert report.ok, report.table()
    assert sorted(calls) == [(f"{m}-staging", "staging", m) for m in sorted(MODULES)]
    site = fleet.sites["staging"]
    assert not [r for r in site.standin.requests if r.path.endswith("$deploy")]
    bot = fleet.bot("alpha-staging")
    assert identifier_value(bot, EXTERNAL_FUNCTION_ID) == "medplum-bot-py-alpha-staging"

    # Back to route http: $deploy the forwarder and stop pointing Medplum at the Lambda.
    fleet.write_config(standard_entries(fleet))
    assert fleet.deploy("alpha-staging").ok
    assert identifier_value(fleet.bot("alpha-staging"), EXTERNAL_FUNCTION_ID) is None
    assert identifier_value(fleet.bot("alpha-staging"), DEPLOYED_HASH)


def test_an_expiring_token_is_refreshed_once_mid_run(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    site.standin.clients[site.client_id].token_ttl = 1  # refreshed after 0.9 s
    alpha = fleet.ids["alpha-staging"]
    site.standin.faults.add(method="POST", path=rf"/Bot/{alpha}/\$deploy$", status=None, delay=1.0)

    report = fleet.deploy("*-staging")

    # The delayed $deploy outlives its token: answered 401, the client logs in once more.
    assert report.ok, report.table()
    assert site.standin.tokens_issued == 2


def test_jobs_bounds_how_many_bots_deploy_at_once(fleet: Fleet) -> None:
    fleet.sites["staging"].standin.faults.add(
        method="POST", path=r"\$deploy$", status=None, delay=0.15, times=None
    )

    started = time.perf_counter()
    report = fleet.deploy("*-staging", jobs=1)
    elapsed = time.perf_counter() - started

    assert report.ok, report.table()
    # One bot at a time: the three slow $deploys cannot overlap.
    assert elapsed >= 3 * 0.15


def test_an_unreadable_project_skips_the_runtime_secret_check(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    store = site.standin.store
    project = store.read("Project", site.project_id)
    store.update({k: v for k, v in project.items() if k != "secret"}, site.project_id)
    site.standin.faults.add(method="GET", path=r"/Project/", status=403, times=None)

    report = fleet.deploy("*-staging")

    assert report.ok, report.table()
