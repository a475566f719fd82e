"""The stand-in itself: auth, strict validation, $deploy, faults, isolation, subscriptions."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from medplum_standin import ExternalResult, MedplumStandIn
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID

EXTERNAL = "https://medplum.com/bot-external-function-id"
INTERACTION = "https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction"


def login(standin: MedplumStandIn, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    answer = httpx.post(
        standin.base_url + "oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture
def api(medplum_standin: MedplumStandIn) -> Iterator[httpx.Client]:
    """An httpx client logged in to project-1."""
    token = login(medplum_standin)
    with httpx.Client(
        base_url=medplum_standin.base_url, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


def issue_text(answer: httpx.Response) -> str:
    """The first issue's text and, as Medplum puts the element's path there, its expression."""
    issue = answer.json()["issue"][0]
    return " ".join([issue["details"]["text"], *issue.get("expression", [])])


def make_bot(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    created = api.post(f"admin/projects/{PROJECT_ID}/bot", json={"name": "bot-a"})
    assert created.status_code == 201, created.text
    bot: dict[str, Any] = {**created.json(), **fields}
    updated = api.put(f"fhir/R4/Bot/{bot['id']}", json=bot)
    assert updated.status_code == 200, updated.text
    result: dict[str, Any] = updated.json()
    return result


def test_token_endpoint_and_bearer_checks(medplum_standin: MedplumStandIn) -> None:
    url = medplum_standin.base_url
    bad = httpx.post(
        url + "oauth2/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "no"},
    )
    # Medplum answers bad client credentials with 400 and an OAuth error body.
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_request", "error_description": "Invalid secret"}
    good = httpx.post(
        url + "oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    body = good.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["project"] == {"reference": f"Project/{PROJECT_ID}"}
    assert medplum_standin.tokens_issued == 1

    missing = httpx.get(url + "fhir/R4/Patient")
    wrong = httpx.get(url + "fhir/R4/Patient", headers={"Authorization": "Bearer nope"})
    ok = httpx.get(
        url + "fhir/R4/Patient", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert (missing.status_code, wrong.status_code, ok.status_code) == (401, 401, 200)
    assert missing.json()["resourceType"] == "OperationOutcome"
    # The log keeps requests but never the credentials.
    assert [r.status for r in medplum_standin.requests][-3:] == [401, 401, 200]
    assert all("authorization" not in r.headers for r in medplum_standin.requests)


def test_tokens_look_like_medplum_and_auth_me_names_the_login(
    medplum_standin: MedplumStandIn,
) -> None:
    """Client tokens are JWT-shaped with Medplum's `login_id` and `client_id` claims, so
    `@medplum/core` (the official CLI) treats the stand-in as Medplum and asks `auth/me` for
    the profile after its login, as it does against a real server."""
    token = login(medplum_standin)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert isinstance(claims["login_id"], str)
    assert claims["client_id"] == CLIENT_ID
    assert claims["exp"] > time.time()
    url = medplum_standin.base_url + "auth/me"
    me = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["profile"] == {"resourceType": "ClientApplication", "id": CLIENT_ID}
    assert me.json()["project"]["id"] == PROJECT_ID
    assert httpx.get(url).status_code == 401


def test_tokens_expire(medplum_standin: MedplumStandIn) -> None:
    medplum_standin.add_client("short", "s", PROJECT_ID, token_ttl=0)
    token = login(medplum_standin, "short", "s")
    answer = httpx.get(
        medplum_standin.base_url + "fhir/R4/Bot", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401


def test_bot_validation_is_strict(api: httpx.Client) -> None:
    bot = make_bot(api)
    unknown = api.put(f"fhir/R4/Bot/{bot['id']}", json={**bot, "sourcecode": {}})
    assert unknown.status_code == 400
    assert "Bot.sourcecode" in issue_text(unknown)
    # Types are checked; a code's value set is not (as @medplum/core's validator: DESIGN.md).
    runtime = api.put(f"fhir/R4/Bot/{bot['id']}", json={**bot, "runtimeVersion": 3})
    assert runtime.status_code == 400
    assert "Bot.runtimeVersion" in issue_text(runtime)
    timeout = api.put(f"fhir/R4/Bot/{bot['id']}", json={**bot, "timeout": "30"})
    assert timeout.status_code == 400
    assert "Bot.timeout" in issue_text(timeout)
    nested = api.put(
        f"fhir/R4/Bot/{bot['id']}",
        json={**bot, "sourceCode": {"contentType": "text/x-python", "uri": "Binary/1"}},
    )
    assert "Bot.sourceCode.uri" in issue_text(nested)
    fine = api.put(
        f"fhir/R4/Bot/{bot['id']}",
        json={
            **bot,
            "code": "legacy",
            "timeout": 30,
            "auditEventTrigger": "on-error",
            "auditEventDestination": ["resource", "log"],
            "identifier": [{"system": "https://example.com/bots", "value": "a"}],
        },
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["meta"]["versionId"] != bot["meta"]["versionId"]
    assert (
        api.get("fhir/R4/Bot", params={"identifier": "https://example.com/bots|a"}).json()["entry"][
            0
        ]["resource"]["id"]
        == bot["id"]
    )


def test_subscription_validation_rejects_garbage(api: httpx.Client) -> None:
    base = {
        "resourceType": "Subscription",
        "status": "active",
        "reason": "test",
        "criteria": "Patient",
        "channel": {"type": "rest-hook", "endpoint": "Bot/1"},
    }
    assert api.post("fhir/R4/Subscription", json=base).status_code == 201
    for broken, where in (
        ({k: v for k, v in base.items() if k != "status"}, "Subscription.status"),
        ({k: v for k, v in base.items() if k != "criteria"}, "Subscription.criteria"),
        ({**base, "channel": {"endpoint": "Bot/1"}}, "Subscription.channel.type"),
        ({**base, "channel": {"type": "rest-hook", "url": "Bot/1"}}, "Subscription.channel.url"),
    ):
        answer = api.post("fhir/R4/Subscription", json=broken)
        assert answer.status_code == 400
        assert where in issue_text(answer)


def test_deploy_stores_code_and_can_fail_like_lambda(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    bot = make_bot(api)
    missing = api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"filename": "x.js"})
    assert missing.status_code == 400
    assert issue_text(missing) == "Missing code"

    deployed = api.post(
        f"fhir/R4/Bot/{bot['id']}/$deploy",
        json={"code": "exports.handler = 1;", "filename": "a.js"},
    )
    assert deployed.status_code == 200
    assert deployed.json()["id"] == "allok"
    after = api.get(f"fhir/R4/Bot/{bot['id']}").json()
    code = after["executableCode"]
    assert code["contentType"] == "text/javascript"
    assert code["title"] == "a.js"
    raw = api.get(f"fhir/R4/{code['url']}")
    assert raw.headers["content-type"] == "text/javascript"
    assert raw.text == "exports.handler = 1;"
    assert medplum_standin.lambda_code[bot["id"]] == code["url"].removeprefix("Binary/")

    medplum_standin.fail_next_deploys(1)
    failed = api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": "exports.handler = 2;"})
    assert failed.status_code == 400
    assert "update is in progress" in issue_text(failed)
    # As on Medplum, the Bot already points at the new code; the Lambda still runs the old.
    newer = api.get(f"fhir/R4/Bot/{bot['id']}").json()["executableCode"]["url"]
    assert newer != code["url"]
    assert medplum_standin.lambda_code[bot["id"]] == code["url"].removeprefix("Binary/")
    again = api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": "exports.handler = 2;"})
    assert again.status_code == 200


def test_faults_status_retry_after_and_count(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    medplum_standin.faults.add(method="GET", path=r"^/fhir/R4/Patient$", status=429, retry_after=2)
    throttled = api.get("fhir/R4/Patient")
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "2"
    assert throttled.json()["issue"][0]["code"] == "throttled"
    assert api.get("fhir/R4/Patient").status_code == 200  # times=1: used up
    medplum_standin.faults.add(path="Observation", status=503, times=2)
    assert api.post("fhir/R4/Patient", json={"resourceType": "Patient"}).status_code == 201
    statuses = [api.get("fhir/R4/Observation").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_fault_drop_and_delay(api: httpx.Client, medplum_standin: MedplumStandIn) -> None:
    medplum_standin.faults.add(method="POST", path="Patient", drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("fhir/R4/Patient", json={"resourceType": "Patient"})
    # The dropped request did no work.
    assert medplum_standin.store.all("Patient") == []
    medplum_standin.faults.add(path="Patient", status=None, delay=0.3)
    started = time.monotonic()
    assert api.get("fhir/R4/Patient").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_projects_are_isolated(api: httpx.Client, medplum_standin: MedplumStandIn) -> None:
    bot = make_bot(api)
    medplum_standin.add_project("project-2")
    medplum_standin.add_client("other", "other-secret", "project-2")
    token = login(medplum_standin, "other", "other-secret")
    headers = {"Authorization": f"Bearer {token}"}
    url = medplum_standin.base_url
    assert httpx.get(url + f"fhir/R4/Bot/{bot['id']}", headers=headers).status_code == 404
    assert httpx.get(url + "fhir/R4/Bot", headers=headers).json()["entry"] == []
    deploy = httpx.post(
        url + f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": "x"}, headers=headers
    )
    assert deploy.status_code == 404
    create = httpx.post(
        url + f"admin/projects/{PROJECT_ID}/bot", json={"name": "x"}, headers=headers
    )
    assert create.status_code == 403


def test_search_paging_sort_and_tags(api: httpx.Client) -> None:
    tag = {"system": "https://example.com/deploy", "code": "staging"}
    ids = []
    for index in range(5):
        meta = {"tag": [tag]} if index % 2 == 0 else {}
        created = api.post(
            "fhir/R4/Patient",
            json={"resourceType": "Patient", "meta": meta, "name": [{"family": f"Fam{index}"}]},
        )
        ids.append(created.json()["id"])
    first = api.get("fhir/R4/Patient", params={"_count": 2, "_sort": "-_lastUpdated"}).json()
    assert [e["resource"]["id"] for e in first["entry"]] == [ids[4], ids[3]]
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = api.get(next_url).json()
    assert [e["resource"]["id"] for e in second["entry"]] == [ids[2], ids[1]]
    tagged = api.get("fhir/R4/Patient", params={"_tag": "https://example.com/deploy|staging"})
    assert sorted(e["resource"]["id"] for e in tagged.json()["entry"]) == sorted(ids[0::2])
    by_ids = api.get("fhir/R4/Patient", params={"_id": f"{ids[0]},{ids[1]}"}).json()
    assert len(by_ids["entry"]) == 2
    assert (
        api.get("fhir/R4/Patient", params={"name": "fam3"}).json()["entry"][0]["resource"]["id"]
        == ids[3]
    )


def test_patch_if_match_and_delete(api: httpx.Client) -> None:
    created = api.post("fhir/R4/Patient", json={"resourceType": "Patient", "active": True}).json()
    patch = [{"op": "replace", "path": "/active", "value": False}]
    stale = api.patch(
        f"fhir/R4/Patient/{created['id']}",
        json=patch,
        headers={"Content-Type": "application/json-patch+json", "If-Match": 'W/"old"'},
    )
    assert stale.status_code == 412
    patched = api.patch(
        f"fhir/R4/Patient/{created['id']}",
        json=patch,
        headers={
            "Content-Type": "application/json-patch+json",
            "If-Match": f'W/"{created["meta"]["versionId"]}"',
        },
    )
    assert patched.status_code == 200
    assert patched.json()["active"] is False
    assert api.delete(f"fhir/R4/Patient/{created['id']}").status_code == 200
    assert api.get(f"fhir/R4/Patient/{created['id']}").status_code == 410


def test_binary_round_trip(api: httpx.Client) -> None:
    created = api.post(
        "fhir/R4/Binary",
        params={"_filename": "bot.py"},
        content=b"print('hi')\n",
        headers={"Content-Type": "text/x-python"},
    )
    assert created.status_code == 201
    binary = created.json()
    assert binary["contentType"] == "text/x-python"
    raw = api.get(f"fhir/R4/Binary/{binary['id']}")
    assert (raw.headers["content-type"], raw.content) == ("text/x-python", b"print('hi')\n")


def external_bot(api: httpx.Client, function_name: str, **fields: Any) -> dict[str, Any]:
    return make_bot(
        api,
        runtimeVersion="awslambda",
        identifier=[{"system": EXTERNAL, "value": function_name}],
        **fields,
    )


def test_execute_external_function(api: httpx.Client, medplum_standin: MedplumStandIn) -> None:
    medplum_standin.set_secret(PROJECT_ID, "API_KEY", "k-123")
    seen: list[dict[str, Any]] = []

    def function(payload: dict[str, Any]) -> Any:
        seen.append(payload)
        if payload["input"].get("fail"):
            raise RuntimeError("boom")
        return ExternalResult({"echo": payload["input"]}, log="handled one")

    medplum_standin.external_functions["fn-1"] = function
    bot = external_bot(api, "fn-1")
    ok = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={"n": 1}, headers={"X-Trace-Id": "t-1"})
    assert ok.status_code == 200
    assert ok.json() == {"echo": {"n": 1}}
    payload = seen[0]
    assert payload["bot"]["reference"] == f"Bot/{bot['id']}"
    assert payload["baseUrl"] == medplum_standin.base_url
    assert payload["contentType"] == "application/json"
    assert payload["secrets"]["API_KEY"] == {"name": "API_KEY", "valueString": "k-123"}
    assert payload["traceId"] == "t-1"
    assert payload["requester"] == {"reference": f"ClientApplication/{CLIENT_ID}"}
    # The payload's token is the bot's own and works against the server.
    own = httpx.get(
        medplum_standin.base_url + "fhir/R4/Patient",
        headers={"Authorization": f"Bearer {payload['accessToken']}"},
    )
    assert own.status_code == 200

    failed = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={"fail": True})
    assert failed.status_code == 400
    assert "boom" in issue_text(failed)
    events = medplum_standin.wait_for_audit_events(bot["id"], 2)
    assert [e["outcome"] for e in events] == ["0", "4"]
    assert events[0]["outcomeDesc"] == "handled one"
    assert events[0]["entity"][0]["what"]["reference"] == f"Bot/{bot['id']}"
    listed = api.get(
        "fhir/R4/AuditEvent", params={"entity": f"Bot/{bot['id']}", "_sort": "-_lastUpdated"}
    ).json()
    assert [e["resource"]["outcome"] for e in listed["entry"]] == ["4", "0"]


def test_execute_answers_like_medplum(api: httpx.Client, medplum_standin: MedplumStandIn) -> None:
    answers: list[Any] = [42, None, "plain"]
    medplum_standin.external_functions["fn"] = lambda _payload: answers.pop(0)
    bot = external_bot(api, "fn", auditEventTrigger="never")
    number = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={})
    assert number.text == "42"
    none = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={})
    assert none.json()["id"] == "allok"
    text = api.post(
        "fhir/R4/Bot/$execute",
        params={"identifier": f"{EXTERNAL}|fn"},
        content="hello",
        headers={"Content-Type": "text/plain"},
    )
    assert (text.text, text.headers["content-type"]) == ("plain", "text/plain")
    assert medplum_standin.audit_events(bot["id"]) == []  # auditEventTrigger = never


def test_subscription_fires_bot_on_create_and_delete(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def function(payload: dict[str, Any]) -> Any:
        with lock:
            calls.append(payload)
        return True

    medplum_standin.external_functions["sub-fn"] = function
    bot = external_bot(api, "sub-fn")
    for interaction in ("create", "delete"):
        subscription = {
            "resourceType": "Subscription",
            "status": "active",
            "reason": "sync",
            "criteria": "Patient?name=smith",
            "channel": {"type": "rest-hook", "endpoint": f"Bot/{bot['id']}"},
            "extension": [{"url": INTERACTION, "valueCode": interaction}],
        }
        assert api.post("fhir/R4/Subscription", json=subscription).status_code == 201
    other = api.post(
        "fhir/R4/Patient", json={"resourceType": "Patient", "name": [{"family": "Jones"}]}
    )
    patient = api.post(
        "fhir/R4/Patient", json={"resourceType": "Patient", "name": [{"family": "Smith"}]}
    ).json()
    medplum_standin.wait_for_audit_events(bot["id"], 1)
    api.put(f"fhir/R4/Patient/{patient['id']}", json={**patient, "active": True})  # no update sub
    api.delete(f"fhir/R4/Patient/{patient['id']}")
    api.delete(f"fhir/R4/Patient/{other.json()['id']}")
    medplum_standin.wait_for_audit_events(bot["id"], 2)
    medplum_standin.wait_idle()
    assert len(calls) == 2
    created, deleted = calls
    assert created["input"]["id"] == patient["id"]
    assert created["contentType"] == "application/fhir+json"
    assert created["headers"]["X-Medplum-Interaction"] == "create"
    assert "X-Medplum-Deleted-Resource" not in created["headers"]
    assert deleted["headers"]["X-Medplum-Deleted-Resource"] == f"Patient/{patient['id']}"
    assert deleted["input"]["deletedResource"]["id"] == patient["id"]


JS_BOT = """
exports.handler = async (medplum, event) => {
  console.log('hello ' + event.input.name);
  const created = await medplum.createResource({resourceType: 'Patient', active: true});
  return {patient: created.id, secret: event.secrets.GREETING.valueString};
};
"""


def test_vmcontext_bot_runs_javascript_that_calls_back(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    medplum_standin.set_secret(PROJECT_ID, "GREETING", "hi")
    bot = make_bot(api, runtimeVersion="vmcontext")
    api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": JS_BOT})
    answer = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={"name": "Ada"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["secret"] == "hi"
    # The bot wrote with its own token: the Patient's author is the Bot.
    patient = medplum_standin.store.get("Patient", body["patient"])
    assert patient is not None
    assert patient["meta"]["author"] == {"reference": f"Bot/{bot['id']}"}
    event = medplum_standin.wait_for_audit_events(bot["id"], 1)[0]
    assert event["outcomeDesc"] == "hello Ada"


def test_awslambda_bot_runs_last_successful_deploy(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    bot = make_bot(api, runtimeVersion="awslambda")
    never = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={})
    assert never.status_code == 400
    assert "Function not found" in issue_text(never)
    api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": "exports.handler = () => 'v1';"})
    medplum_standin.fail_next_deploys(1)
    api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": "exports.handler = () => 'v2';"})
    assert api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={}).text == "v1"
    thrown = "exports.handler = () => { throw new Error('bad input'); };"
    api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": thrown})
    failed = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json={})
    assert failed.status_code == 400
    assert "bad input" in issue_text(failed)


def test_subscription_needs_a_bot_membership(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    calls: list[dict[str, Any]] = []
    medplum_standin.external_functions["fn"] = calls.append
    # A Bot made with a plain FHIR create has no ProjectMembership: Medplum will not run it
    # from a subscription (it does run for $execute, as the caller).
    plain = api.post(
        "fhir/R4/Bot",
        json={
            "resourceType": "Bot",
            "name": "plain",
            "runtimeVersion": "awslambda",
            "identifier": [{"system": EXTERNAL, "value": "fn"}],
        },
    ).json()
    subscription = {
        "resourceType": "Subscription",
        "status": "active",
        "reason": "r",
        "criteria": "Patient",
        "channel": {"type": "rest-hook", "endpoint": f"Bot/{plain['id']}"},
    }
    api.post("fhir/R4/Subscription", json=subscription)
    api.post("fhir/R4/Patient", json={"resourceType": "Patient"})
    medplum_standin.wait_idle()
    assert calls == []
    assert "no project membership" in medplum_standin.subscription_errors[0]

    executed = api.get(f"fhir/R4/Bot/{plain['id']}/$execute", params={"a": "1"})
    assert executed.status_code == 200
    assert calls[0]["input"] == {"a": "1"}
    assert "contentType" not in calls[0]  # undefined in Medplum's payload for a GET


def test_fhir_rest_is_the_in_memory_engine(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    """Search, validation and every write path are InMemoryMedplum's: what it refuses, the
    stand-in refuses, and versions carry Medplum's server meta (project and author)."""
    bogus = api.get("fhir/R4/Patient", params={"bogus": "1"})
    assert bogus.status_code == 400
    assert "Unknown search parameter" in issue_text(bogus)
    invalid = {"resourceType": "Patient", "gender": "robot", "bogusField": 1}
    creating_update = api.put("fhir/R4/Patient", params={"identifier": "urn:x|1"}, json=invalid)
    assert creating_update.status_code == 400
    assert "Patient.bogusField" in issue_text(creating_update)
    transaction = api.post(
        "fhir/R4/",
        json={
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "resource": {"resourceType": "Patient", "name": [{"family": "Ok"}]},
                    "request": {"method": "POST", "url": "Patient"},
                },
                {"resource": invalid, "request": {"method": "POST", "url": "Patient"}},
            ],
        },
    )
    assert transaction.status_code == 400
    assert medplum_standin.store.all("Patient") == []  # all or nothing
    created = api.put(
        "fhir/R4/Patient",
        params={"identifier": "urn:x|1"},
        json={"resourceType": "Patient", "identifier": [{"system": "urn:x", "value": "1"}]},
    )
    assert created.status_code == 201
    meta = created.json()["meta"]
    assert meta["project"] == PROJECT_ID
    assert meta["author"] == {"reference": f"ClientApplication/{CLIENT_ID}"}
    assert created.headers["etag"] == f'W/"{meta["versionId"]}"'


def test_subscription_fires_for_a_transaction_entry(
    api: httpx.Client, medplum_standin: MedplumStandIn
) -> None:
    """Subscriptions fire for every stored change, whichever interaction made it."""
    calls: list[dict[str, Any]] = []
    medplum_standin.external_functions["tx-fn"] = calls.append
    bot = external_bot(api, "tx-fn")
    subscription = {
        "resourceType": "Subscription",
        "status": "active",
        "reason": "sync",
        "criteria": "Patient?family=tx",
        "channel": {"type": "rest-hook", "endpoint": f"Bot/{bot['id']}"},
    }
    assert api.post("fhir/R4/Subscription", json=subscription).status_code == 201
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {"resourceType": "Patient", "name": [{"family": family}]},
                "request": {"method": "POST", "url": "Patient"},
            }
            for family in ("Tx", "Other")
        ],
    }
    assert api.post("fhir/R4/", json=bundle).status_code == 200
    medplum_standin.wait_for_audit_events(bot["id"], 1)
    medplum_standin.wait_idle()
    assert [c["input"]["name"][0]["family"] for c in calls] == ["Tx"]
