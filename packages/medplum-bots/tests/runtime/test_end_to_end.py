"""Route 1 end to end: Medplum stand-in -> vmcontext -> JS forwarder -> HTTP runtime -> bot.

The Python bot reads and writes on the stand-in with the token Medplum handed its execution,
its printed lines land in the AuditEvent, and it runs from `$execute`, from a Subscription on
Patient create and on delete (with `X-Medplum-Deleted-Resource`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from medplum_standin import MedplumStandIn
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID

from medplum_bots import AsyncMedplumClient, BotEvent
from medplum_bots.runtime.adapter import BotRegistry
from medplum_bots.runtime.forwarder import forwarder_code
from medplum_bots.runtime.http_app import BotRuntime
from tests.runtime.bots import KEY
from tests.runtime.serving import serve_asgi

SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"
INTERACTION = "https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction"


async def welcome(medplum: AsyncMedplumClient, event: BotEvent) -> Any:
    """Reads the Patient back, writes a Communication about it; reports deletions."""
    deleted = event.headers.get("X-Medplum-Deleted-Resource")
    if deleted:
        print(f"deleted {deleted}")
        return None
    patient = await medplum.read_resource("Patient", event.input["id"])
    family = patient["name"][0]["family"]
    print(f"welcoming {family}")
    note = await medplum.create_resource(
        {
            "resourceType": "Communication",
            "status": "completed",
            "subject": {"reference": f"Patient/{patient['id']}"},
            "payload": [{"contentString": f"Welcome {family}"}],
        }
    )
    return {"communication": note["id"], "secret": event.secret("GREETING")}


class World:
    def __init__(self, standin: MedplumStandIn, api: httpx.Client, bot: dict[str, Any]) -> None:
        self.standin = standin
        self.api = api
        self.bot = bot


@pytest.fixture
def world() -> Iterator[World]:
    with MedplumStandIn() as standin:
        standin.add_project(PROJECT_ID, secrets={SECRET: KEY.decode(), "GREETING": "hi"})
        standin.add_client(CLIENT_ID, CLIENT_SECRET, PROJECT_ID)
        app = BotRuntime(
            BotRegistry({"welcome": welcome}), key=KEY, allowed_base_urls=[standin.base_url]
        )
        with serve_asgi(app) as runtime_url:
            token = httpx.post(
                standin.base_url + "oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                },
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=standin.base_url, headers=headers, timeout=30) as api:
                created = api.post(f"admin/projects/{PROJECT_ID}/bot", json={"name": "welcome"})
                bot = {**created.json(), "runtimeVersion": "vmcontext"}
                assert api.put(f"fhir/R4/Bot/{bot['id']}", json=bot).status_code == 200
                code = forwarder_code(runtime_url, "welcome", SECRET)
                deployed = api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": code})
                assert deployed.status_code == 200, deployed.text
                yield World(standin, api, bot)


def test_execute_runs_the_python_bot_with_the_bots_token(world: World) -> None:
    patient = world.api.post(
        "fhir/R4/Patient", json={"resourceType": "Patient", "name": [{"family": "Curie"}]}
    ).json()
    answer = world.api.post(f"fhir/R4/Bot/{world.bot['id']}/$execute", json=patient)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["secret"] == "hi"
    note = world.standin.store.get("Communication", result["communication"])
    assert note is not None
    # Written with the execution's token: the author is the Bot, not the caller.
    assert note["meta"]["author"] == {"reference": f"Bot/{world.bot['id']}"}
    assert note["subject"] == {"reference": f"Patient/{patient['id']}"}
    event = world.standin.wait_for_audit_events(world.bot["id"], 1)[0]
    assert event["outcomeDesc"] == "welcoming Curie"


def test_a_failing_python_bot_fails_the_execution_with_its_logs(world: World) -> None:
    answer = world.api.post(
        f"fhir/R4/Bot/{world.bot['id']}/$execute", json={"resourceType": "Patient", "id": "none"}
    )
    assert answer.status_code == 400
    assert "not found" in answer.text.lower()
    event = world.standin.wait_for_audit_events(world.bot["id"], 1)[0]
    assert "Unhandled error: " in event["outcomeDesc"]
    assert "Traceback (most recent call last):" in event["outcomeDesc"]


def test_subscriptions_on_create_and_delete_reach_the_python_bot(world: World) -> None:
    for interaction in ("create", "delete"):
        subscription = {
            "resourceType": "Subscription",
            "status": "active",
            "reason": "welcome new patients",
            "criteria": "Patient",
            "channel": {"type": "rest-hook", "endpoint": f"Bot/{world.bot['id']}"},
            "extension": [{"url": INTERACTION, "valueCode": interaction}],
        }
        assert world.api.post("fhir/R4/Subscription", json=subscription).status_code == 201
    patient = world.api.post(
        "fhir/R4/Patient", json={"resourceType": "Patient", "name": [{"family": "Noether"}]}
    ).json()
    world.standin.wait_for_audit_events(world.bot["id"], 1)
    world.api.delete(f"fhir/R4/Patient/{patient['id']}")
    events = world.standin.wait_for_audit_events(world.bot["id"], 2)
    world.standin.wait_idle()
    assert [e["outcomeDesc"] for e in events] == [
        "welcoming Noether",
        f"deleted Patient/{patient['id']}",
    ]
    notes = world.standin.store.all("Communication")
    assert [n["payload"][0]["contentString"] for n in notes] == ["Welcome Noether"]
