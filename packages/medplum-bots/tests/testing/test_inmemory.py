"""The in-memory Medplum in depth: patch, history, conditional create, Binary, paging, auth."""

from __future__ import annotations

import asyncio
import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from medplum_bots import InMemoryMedplum, MedplumClient, OperationOutcomeError
from medplum_bots.testing.inmemory import BASE_URL

FHIR = BASE_URL + "fhir/R4/"


def new_patient(medplum: MedplumClient, family: str = "Doe", **extra: Any) -> dict[str, Any]:
    return medplum.create_resource(
        {"resourceType": "Patient", "name": [{"family": family}], **extra}
    )


def status_of(call: Any) -> int | None:
    with pytest.raises(OperationOutcomeError) as caught:
        call()
    return caught.value.status


@pytest.fixture
def server() -> InMemoryMedplum:
    return InMemoryMedplum()


@pytest.fixture
def medplum(server: InMemoryMedplum) -> MedplumClient:
    return server.client()


# -- create, read, update, delete ---------------------------------------------------------------


def test_create_assigns_id_version_and_last_updated(medplum: MedplumClient) -> None:
    created = new_patient(medplum)

    assert len(created["id"]) == 36
    assert created["meta"]["versionId"] == "1"
    stamp = datetime.fromisoformat(created["meta"]["lastUpdated"].replace("Z", "+00:00"))
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=1)
    assert medplum.read_resource("Patient", created["id"]) == created


def test_lastupdated_comes_from_the_injected_clock() -> None:
    moment = datetime(2024, 2, 29, 12, 30, 5, 123456, tzinfo=UTC)
    medplum = InMemoryMedplum(now=lambda: moment).client()

    assert new_patient(medplum)["meta"]["lastUpdated"] == "2024-02-29T12:30:05.123Z"


def test_stored_resources_do_not_share_state_with_callers(medplum: MedplumClient) -> None:
    created = new_patient(medplum)
    created["name"][0]["family"] = "Changed locally"

    assert medplum.read_resource("Patient", created["id"])["name"][0]["family"] == "Doe"


def test_update_can_create_and_unchanged_content_keeps_the_version(medplum: MedplumClient) -> None:
    chosen = {"resourceType": "Patient", "id": "chosen-id", "active": True}
    first = medplum.update_resource(chosen)
    again = medplum.update_resource(first)

    assert (first["id"], first["meta"]["versionId"]) == ("chosen-id", "1")
    assert again["meta"]["versionId"] == "1"  # nothing changed: no new version
    assert medplum.update_resource({**again, "active": False})["meta"]["versionId"] == "2"


def test_update_refuses_a_mismatched_id_or_type(medplum: MedplumClient) -> None:
    created = new_patient(medplum)

    assert (
        status_of(
            lambda: medplum.put(f"fhir/R4/Patient/{created['id']}", {**created, "id": "other"})
        )
        == 400
    )
    assert (
        status_of(
            lambda: medplum.put(
                f"fhir/R4/Patient/{created['id']}", {**created, "resourceType": "Group"}
            )
        )
        == 400
    )


def test_update_honours_if_match(server: InMemoryMedplum) -> None:
    medplum = server.client()
    created = new_patient(medplum)
    url = f"{FHIR}Patient/{created['id']}"
    body = {**created, "active": True}
    with httpx.Client(transport=server) as raw:
        stale = raw.put(
            url, json=body, headers={"If-Match": 'W/"7"', "Content-Type": "application/fhir+json"}
        )
        fresh = raw.put(
            url, json=body, headers={"If-Match": 'W/"1"', "Content-Type": "application/fhir+json"}
        )

    assert stale.status_code == 412
    assert fresh.status_code == 200


def test_delete_then_read_is_gone_and_history_records_it(medplum: MedplumClient) -> None:
    created = new_patient(medplum)
    medplum.update_resource({**created, "active": True})
    answer = medplum.delete_resource("Patient", created["id"])

    assert answer["resourceType"] == "OperationOutcome"
    with pytest.raises(OperationOutcomeError) as caught:
        medplum.read_resource("Patient", created["id"])
    assert caught.value.status == 410
    assert caught.value.outcome["issue"][0]["code"] == "deleted"

    history = medplum.read_history("Patient", created["id"])
    assert history["type"] == "history"
    assert history["entry"][0]["request"] == {"method": "DELETE", "url": f"Patient/{created['id']}"}
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"][1:]] == ["2", "1"]
    assert status_of(lambda: medplum.read_version("Patient", created["id"], "3")) == 410
    assert medplum.read_version("Patient", created["id"], "1")["meta"]["versionId"] == "1"
    assert status_of(lambda: medplum.read_version("Patient", created["id"], "9")) == 404


def test_missing_resources_are_404(medplum: MedplumClient) -> None:
    assert status_of(lambda: medplum.read_resource("Patient", "nope")) == 404
    assert status_of(lambda: medplum.delete_resource("Patient", "nope")) == 404
    assert status_of(lambda: medplum.patch_resource("Patient", "nope", [])) == 404


# -- patch ------------------------------------------------------------------------------------


def test_json_patch_operations(medplum: MedplumClient) -> None:
    created = new_patient(medplum, identifier=[{"value": "a"}])
    patched = medplum.patch_resource(
        "Patient",
        created["id"],
        [
            {"op": "test", "path": "/name/0/family", "value": "Doe"},
            {"op": "replace", "path": "/name/0/family", "value": "Roe"},
            {"op": "add", "path": "/identifier/-", "value": {"value": "b"}},
            {"op": "add", "path": "/telecom", "value": [{"system": "email", "value": "x@y.z"}]},
            {"op": "copy", "from": "/identifier/0", "path": "/identifier/0"},
            {"op": "remove", "path": "/identifier/1"},
            {"op": "move", "from": "/telecom", "path": "/contact_telecom_tmp"},
            {"op": "remove", "path": "/contact_telecom_tmp"},
        ],
    )

    assert patched["name"] == [{"family": "Roe"}]
    assert patched["identifier"] == [{"value": "a"}, {"value": "b"}]
    assert "telecom" not in patched
    assert patched["meta"]["versionId"] == "2"


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ([{"op": "test", "path": "/name/0/family", "value": "Other"}], "Test failed"),
        ([{"op": "replace", "path": "/gender", "value": "x"}], "non-existent object 'gender'"),
        ([{"op": "replace", "path": "/id", "value": "stolen"}], "cannot change resourceType or id"),
        ([{"op": "add", "path": "/name/9", "value": {}}], "outside of list"),
        ([{"op": "jump", "path": "/x"}], "Unknown operation 'jump'"),
        ([{"op": "add", "path": "name", "value": 1}], "Location must start with /"),
        ([{"op": "add", "path": "/active"}], "does not contain a 'value'"),
        (["add"], "expected to be sequence of operations"),
        ([{"op": "add", "path": "/a"}, 7], "Operation must be an object"),
    ],
)
def test_a_failing_patch_changes_nothing(
    medplum: MedplumClient, operations: list[dict[str, Any]], message: str
) -> None:
    created = new_patient(medplum)

    with pytest.raises(OperationOutcomeError, match=message) as caught:
        medplum.patch_resource("Patient", created["id"], operations)

    assert caught.value.status == 400
    assert medplum.read_resource("Patient", created["id"]) == created


# -- conditional create -------------------------------------------------------------------------


def test_conditional_create_with_several_matches_is_refused(medplum: MedplumClient) -> None:
    new_patient(medplum, "Twin")
    new_patient(medplum, "Twin")

    with pytest.raises(OperationOutcomeError) as caught:
        medplum.create_resource_if_none_exist(
            {"resourceType": "Patient", "name": [{"family": "Twin"}]}, {"family": "Twin"}
        )

    assert caught.value.status == 412
    assert len(medplum.search_resources("Patient")) == 2


# -- Binary -----------------------------------------------------------------------------------


def test_binary_round_trip_raw_and_as_json(server: InMemoryMedplum) -> None:
    medplum = server.client()
    content = bytes(range(256))
    binary = medplum.create_binary(content, "application/pdf", "report.pdf")

    assert binary["contentType"] == "application/pdf"
    assert "data" not in binary
    as_json = medplum.read_resource("Binary", binary["id"])
    assert base64.b64decode(as_json["data"]) == content
    with httpx.Client(transport=server) as raw:
        answer = raw.get(f"{FHIR}Binary/{binary['id']}", headers={"Accept": "*/*"})
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content == content


def test_attachment_points_at_a_readable_binary(medplum: MedplumClient) -> None:
    attachment = medplum.create_attachment("print('hi')\n", "text/x-python", "bot.py")

    binary = medplum.read_reference({"reference": attachment["url"]})
    assert base64.b64decode(binary["data"]) == b"print('hi')\n"
    assert attachment["title"] == "bot.py"


# -- search extras ------------------------------------------------------------------------------


def test_paging_links_cover_every_match_once(medplum: MedplumClient) -> None:
    created = {new_patient(medplum, f"P{n:02d}")["id"] for n in range(23)}
    first = medplum.search("Patient", {"_count": 10, "_total": "accurate"})
    relations = {link["relation"] for link in first["link"]}

    seen = [
        p["id"] for page in medplum.search_resource_pages("Patient", {"_count": 10}) for p in page
    ]

    assert first["total"] == 23
    assert relations == {"self", "first", "next"}
    assert len(seen) == 23
    assert set(seen) == created
    assert [
        len(medplum.search_resources("Patient", {"_count": 10, "_offset": o})) for o in (0, 20, 30)
    ] == [10, 3, 0]
    zero = medplum.search("Patient", {"_count": 0, "_total": "accurate"})
    assert (zero["total"], "entry" in zero) == (23, False)  # Medplum: no entries, no `entry`
    assert "next" not in {link["relation"] for link in zero["link"]}  # no endless paging


def test_summary_count_and_elements(medplum: MedplumClient) -> None:
    new_patient(medplum, gender="female", birthDate="2000-01-01")

    counted = medplum.search("Patient", {"_summary": "count"})
    shaped = medplum.search_resources("Patient", {"_elements": "gender"})

    assert (counted["total"], "entry" in counted) == (1, False)
    assert set(shaped[0]) == {"resourceType", "id", "meta", "gender"}


def test_search_by_post_form(medplum: MedplumClient) -> None:
    new_patient(medplum, "Formed")
    new_patient(medplum, "Other")

    bundle = medplum.post(
        "fhir/R4/Patient/_search", "family=form", "application/x-www-form-urlencoded"
    )

    assert [e["resource"]["name"][0]["family"] for e in bundle["entry"]] == ["Formed"]


def test_more_parameter_types(medplum: MedplumClient) -> None:
    patient = new_patient(medplum, telecom=[{"system": "email", "value": "ada@example.com"}])
    for value, when in ((72, "2024-01-01T10:00:00Z"), (120, "2024-01-02T10:00:00+02:00")):
        medplum.create_resource(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {
                    "coding": [
                        {"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}
                    ]
                },
                "subject": {"reference": f"Patient/{patient['id']}"},
                "effectiveDateTime": when,
                "valueQuantity": {
                    "value": value,
                    "unit": "/min",
                    "system": "http://unitsofmeasure.org",
                    "code": "/min",
                },
            }
        )

    def count(query: dict[str, str]) -> int:
        return len(medplum.search_resources("Observation", query))

    assert count({"code": "http://loinc.org|8867-4"}) == 2
    assert count({"code:text": "heart"}) == 2
    assert count({"code:not": "http://loinc.org|8867-4"}) == 0
    assert count({"value-quantity": "gt100"}) == 1
    assert count({"value-quantity": "72||/min"}) == 1
    assert count({"value-quantity": "72.0"}) == 1  # eq uses the value's precision
    assert count({"value-quantity": "ap80"}) == 1  # within 10 %
    # Medplum's server compares the number only: a quantity's system and code are ignored.
    assert count({"value-quantity": "72|http://other.system|/min"}) == 1
    with pytest.raises(OperationOutcomeError, match="Invalid number"):
        count({"value-quantity": "many"})
    assert count({"date": "2024-01-02"}) == 1  # 08:00Z on the 2nd
    assert count({"date": "sa2024-01-01"}) == 1
    assert count({"subject:Patient": patient["id"]}) == 2
    assert count({"encounter:missing": "true"}) == 2
    assert count({"_sort": "-value-quantity", "_count": "1"}) == 1
    assert (
        medplum.search_resources("Observation", {"_sort": "-value-quantity"})[0]["valueQuantity"][
            "value"
        ]
        == 120
    )
    assert len(medplum.search_resources("Patient", {"email": "ada@example.com"})) == 1
    assert len(medplum.search_resources("Patient", {"phone": "ada@example.com"})) == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"_include": "Observation"}, "Invalid include value 'Observation'"),
        (
            {"general-practitioner.name": "x"},
            "Unable to identify next resource type for search parameter: "
            "Patient[?]general-practitioner",
        ),
        ({"family:sounds": "x"}, "Unknown modifier :sounds for search parameter family"),
        ({"birthdate": "yesterday"}, "Invalid format for date search parameter: yesterday"),
        ({"_count": "-1"}, "Invalid _count"),
        ({"identifier": ""}, "Missing value for search parameter identifier"),
        ({"_sort": "shoe-size"}, "Unknown search parameter: shoe-size"),
        ({"_filter": "name eq x"}, "_filter is not supported in memory"),
        ({"_summary": "text"}, "not supported in memory"),
    ],
)
def test_searches_it_cannot_answer_are_400(
    medplum: MedplumClient, query: dict[str, str], message: str
) -> None:
    with pytest.raises(OperationOutcomeError, match=message) as caught:
        medplum.search("Patient", query)
    assert caught.value.status == 400


def test_unknown_operations_are_400(medplum: MedplumClient) -> None:
    with pytest.raises(OperationOutcomeError, match=r"Operation not supported in memory: \$lastn"):
        medplum.get("fhir/R4/Observation/$lastn")
    assert status_of(lambda: medplum.get("admin/projects/1")) == 404
    assert status_of(lambda: medplum.get("fhir/R4/Patient/_history")) == 400


# -- auth, faults, concurrency ------------------------------------------------------------------


def test_with_clients_added_only_issued_tokens_are_accepted(server: InMemoryMedplum) -> None:
    server.add_client("bot-client", "bot-secret-123")
    medplum = MedplumClient(
        BASE_URL, client_id="bot-client", client_secret="bot-secret-123", transport=server
    )

    new_patient(medplum)
    server.revoke_tokens()
    new_patient(medplum)  # a 401, a fresh login, a retry

    assert server.logins == 2
    stranger = MedplumClient(BASE_URL, access_token="made-up-token", transport=server)
    assert status_of(lambda: stranger.search("Patient")) == 401
    wrong = MedplumClient(BASE_URL, client_id="bot-client", client_secret="guess", transport=server)
    assert status_of(lambda: wrong.search("Patient")) == 400


def test_injected_failures_exercise_retries(server: InMemoryMedplum) -> None:
    medplum = server.client()
    server.fail_next(429, times=2, retry_after="1")
    new_patient(medplum)  # retried twice without waiting

    server.fail_next(500)
    assert status_of(lambda: new_patient(medplum)) == 500  # a create is not retried after a 500
    assert [m for m, _ in server.requests].count("POST") == 4


def test_async_client_and_threads_share_one_consistent_store(server: InMemoryMedplum) -> None:
    sync = server.client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda n: new_patient(sync, f"T{n}")["id"], range(40)))

    async def main() -> int:
        async with server.async_client() as medplum:
            await asyncio.gather(
                *(medplum.create_resource({"resourceType": "Patient"}) for _ in range(10))
            )
            bundle = await medplum.search("Patient", {"_summary": "count"})
            return int(bundle["total"])

    assert len(set(ids)) == 40
    assert asyncio.run(main()) == 50
    assert len(server.all("Patient")) == 50
