"""What the client puts on the wire (respx): URLs, queries, bodies, headers, bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
import respx

from medplum_bots import AsyncMedplumClient, MedplumClient, OperationOutcomeError
from medplum_bots.client import query_pairs
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.errors import CredentialsError
from tests.client.conftest import Waits

BASE = "https://medplum.test/"
FHIR = BASE + "fhir/R4/"
TOKEN = "access-token-123456"


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def medplum(policy: RetryPolicy) -> Iterator[MedplumClient]:
    with MedplumClient(BASE, access_token=TOKEN, retry=policy) as client:
        yield client


def bundle(*resources: dict[str, object], next_url: str | None = None) -> dict[str, object]:
    links = [{"relation": "next", "url": next_url}] if next_url else []
    entries = [{"resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries, "link": links}


def test_query_forms_all_mean_the_same() -> None:
    assert query_pairs({"name": "Smith", "code": ["a", "b"], "active": True, "x": None}) == [
        ("name", "Smith"),
        ("code", "a"),
        ("code", "b"),
        ("active", "true"),
    ]
    assert query_pairs([("name", "Smith"), ("_count", 5)]) == [("name", "Smith"), ("_count", "5")]
    assert query_pairs("?name=Smith&identifier=s%7Cv") == [("name", "Smith"), ("identifier", "s|v")]
    assert query_pairs(None) == []


def test_search_sends_repeated_and_comma_parameters(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    route = router.get(FHIR + "Observation").respond(200, json=bundle())
    medplum.search("Observation", {"code": "a,b", "date": ["ge2020", "lt2021"]})

    params = route.calls.last.request.url.params
    assert params.get_list("date") == ["ge2020", "lt2021"]
    assert params["code"] == "a,b"
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


def test_search_one_asks_for_a_single_result(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    route = router.get(FHIR + "Patient").respond(
        200, json=bundle({"resourceType": "Patient", "id": "7"})
    )

    found = medplum.search_one("Patient", {"name": "x", "_count": 50})

    assert found == {"resourceType": "Patient", "id": "7"}
    assert route.calls.last.request.url.params.get_list("_count") == ["1"]
    router.get(FHIR + "Practitioner").respond(200, json=bundle())
    assert medplum.search_one("Practitioner") is None


def test_search_resource_pages_follows_next_links(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    second = FHIR + "Patient?_count=1&_offset=1"
    router.get(second).respond(200, json=bundle({"resourceType": "Patient", "id": "2"}))
    router.get(FHIR + "Patient", params={"_count": "1"}).respond(
        200, json=bundle({"resourceType": "Patient", "id": "1"}, next_url=second)
    )

    pages = list(medplum.search_resource_pages("Patient", {"_count": 1}))

    assert [[p["id"] for p in page] for page in pages] == [["1"], ["2"]]


def test_execute_bot_by_id_and_by_identifier(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    by_id = router.post(FHIR + "Bot/b1/$execute").respond(200, json={"ok": True})
    by_identifier = router.post(FHIR + "Bot/$execute").respond(200, text="done")

    assert medplum.execute_bot("b1", {"n": 1}) == {"ok": True}
    assert (
        medplum.execute_bot(
            {"system": "https://x", "value": "v"}, "MSH|^~\\&", "x-application/hl7-v2+er7"
        )
        == "done"
    )

    request = by_id.calls.last.request
    assert json.loads(request.content) == {"n": 1}
    assert request.headers["content-type"] == "application/json"
    request = by_identifier.calls.last.request
    assert request.url.params["identifier"] == "https://x|v"
    assert request.content == b"MSH|^~\\&"
    assert request.headers["content-type"] == "x-application/hl7-v2+er7"


def test_create_binary_posts_raw_bytes_and_attachment_points_at_it(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    route = router.post(FHIR + "Binary").respond(
        201, json={"resourceType": "Binary", "id": "bin1", "contentType": "text/x-python"}
    )

    attachment = medplum.create_attachment(b"print(1)\n", "text/x-python", "bot.py")

    assert attachment == {"contentType": "text/x-python", "url": "Binary/bin1", "title": "bot.py"}
    request = route.calls.last.request
    assert request.content == b"print(1)\n"
    assert request.headers["content-type"] == "text/x-python"
    assert request.url.params["_filename"] == "bot.py"
    assert medplum.create_attachment("x", "text/plain") == {
        "contentType": "text/plain",
        "url": "Binary/bin1",
    }


def test_paths_resolve_against_the_base_url(router: respx.MockRouter, policy: RetryPolicy) -> None:
    route = router.post(BASE + "admin/projects/p1/bot").respond(
        201, json={"resourceType": "Bot", "id": "b"}
    )
    with MedplumClient("https://medplum.test", access_token=TOKEN, retry=policy) as medplum:
        assert medplum.get_base_url() == BASE
        assert medplum.fhir_url("Bot", "b", "$deploy") == FHIR + "Bot/b/$deploy"
        medplum.post("admin/projects/p1/bot", {"name": "n"})
        medplum.post(BASE + "admin/projects/p1/bot", {"name": "n"})

    assert route.call_count == 2
    assert route.calls.last.request.headers["content-type"] == "application/fhir+json"


def test_the_token_only_goes_to_the_medplum_origin(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    own = router.get(BASE + "storage/file").respond(200, text="mine")
    foreign = router.get("https://files.example.com/report.pdf").respond(200, content=b"%PDF")

    assert medplum.get(BASE + "storage/file") == "mine"
    assert medplum.get("https://files.example.com/report.pdf") == "%PDF"

    assert own.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in foreign.calls.last.request.headers


def test_answers_decode_by_content_type(router: respx.MockRouter, medplum: MedplumClient) -> None:
    router.get(BASE + "a").respond(200, json={"a": 1})
    router.get(BASE + "b").respond(200, text="plain")
    router.delete(BASE + "c").respond(204)

    assert medplum.get("a") == {"a": 1}
    assert medplum.get("b") == "plain"
    assert medplum.delete("c") is None


def test_body_types_pick_their_content_type(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    route = router.put(BASE + "x").respond(200, json={})
    medplum.put("x", "text body")
    assert route.calls.last.request.headers["content-type"] == "text/plain"
    medplum.put("x", b"\x00\x01")
    assert route.calls.last.request.headers["content-type"] == "application/octet-stream"
    medplum.put("x", {"k": "v"}, "application/json")
    assert route.calls.last.request.headers["content-type"] == "application/json"
    assert json.loads(route.calls.last.request.content) == {"k": "v"}


def test_read_reference_reads_current_or_a_version(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    current = router.get(FHIR + "Patient/1").respond(200, json={"id": "1"})
    version = router.get(FHIR + "Patient/1/_history/3").respond(200, json={"id": "1", "v": 3})

    medplum.read_reference({"reference": "Patient/1"})
    medplum.read_reference("Patient/1/_history/3")

    assert (current.call_count, version.call_count) == (1, 1)


def test_set_access_token_replaces_the_token(
    router: respx.MockRouter, medplum: MedplumClient
) -> None:
    route = router.get(FHIR + "Patient/1").respond(200, json={})
    medplum.set_access_token("other-token-000000")
    medplum.read_resource("Patient", "1")

    assert medplum.get_access_token() == "other-token-000000"
    assert route.calls.last.request.headers["authorization"] == "Bearer other-token-000000"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.read_resource("Patient", "../admin"), "Invalid resource id: '../admin'"),
        (lambda m: m.read_resource("patient", "1"), "Invalid resource type: 'patient'"),
        (lambda m: m.create_resource({"name": []}), "Missing resourceType"),
        (lambda m: m.update_resource({"resourceType": "Patient"}), "Missing id"),
        (lambda m: m.read_reference({"display": "x"}), "Missing reference"),
        (lambda m: m.read_reference("Patient"), "Invalid reference: 'Patient'"),
        (lambda m: m.execute_bot({}, {}), "execute_bot needs a Bot id or an Identifier"),
        (
            lambda m: m.create_resource_if_none_exist({"resourceType": "Patient"}, {}),
            "needs a search query",
        ),
    ],
)
def test_bad_input_fails_before_any_request(
    router: respx.MockRouter,
    medplum: MedplumClient,
    call: Callable[[MedplumClient], object],
    message: str,
) -> None:
    with pytest.raises(
        OperationOutcomeError, match=message.replace("(", r"\(").replace(".", r"\.")
    ):
        call(medplum)
    assert router.calls.call_count == 0


def test_a_bad_base_url_is_refused() -> None:
    with pytest.raises(CredentialsError, match="absolute http"):
        MedplumClient("api.medplum.com")


def test_login_without_credentials_is_a_clear_error(medplum: MedplumClient) -> None:
    with pytest.raises(CredentialsError, match="client_id and a client_secret"):
        medplum.login_client_credentials()


def test_a_read_timeout_is_retried_for_get_but_not_for_post(
    router: respx.MockRouter, medplum: MedplumClient, waits: Waits
) -> None:
    read = router.get(FHIR + "Patient/1").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"id": "1"})]
    )
    create = router.post(FHIR + "Patient").mock(side_effect=httpx.ReadTimeout("slow"))

    assert medplum.read_resource("Patient", "1") == {"id": "1"}
    with pytest.raises(OperationOutcomeError, match="sent no answer"):
        medplum.create_resource({"resourceType": "Patient"})

    assert (read.call_count, create.call_count) == (2, 1)
    assert len(waits) == 1


def test_async_client_sends_the_same_requests(
    router: respx.MockRouter, policy: RetryPolicy
) -> None:
    search = router.get(FHIR + "Patient").respond(
        200, json=bundle({"resourceType": "Patient", "id": "1"})
    )
    created = router.post(FHIR + "Binary").respond(201, json={"resourceType": "Binary", "id": "b2"})

    async def main() -> tuple[list[str], dict[str, str]]:
        async with AsyncMedplumClient(BASE, access_token=TOKEN, retry=policy) as medplum:
            pages = [page async for page in medplum.search_resource_pages("Patient", {"name": "a"})]
            attachment = await medplum.create_attachment(b"x", "text/plain", "a.txt")
            return [p["id"] for page in pages for p in page], attachment

    ids, attachment = asyncio.run(main())

    assert ids == ["1"]
    assert attachment == {"contentType": "text/plain", "url": "Binary/b2", "title": "a.txt"}
    assert search.calls.last.request.url.params["name"] == "a"
    assert created.calls.last.request.content == b"x"
