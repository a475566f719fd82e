"""Tests of the shared HTTP helpers: respx for exact requests, a loopback server for real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import respx
from medplum_bots.errors import OperationOutcomeError

from shared.http_helpers import (
    HttpVerb,
    identifier_query,
    log_external_request,
    make_conditional_fhir_request,
    make_conditional_fhir_request_async,
    make_external_request,
)
from tests.fhir_endpoint import FhirEndpoint, serve

BASE = "https://ext.example/fhir"
SYSTEM = "https://medplum.com/patient-id"
PATIENT = {"resourceType": "Patient", "name": [{"family": "Doe"}]}


@pytest.fixture
def external() -> Iterator[FhirEndpoint]:
    with serve() as endpoint:
        yield endpoint


def issue(error: OperationOutcomeError) -> dict[str, object]:
    first: dict[str, object] = error.outcome["issue"][0]
    return first


def test_identifier_query_names_the_parameter_and_encodes_the_token() -> None:
    query = identifier_query(SYSTEM, "p 1")
    assert query == "identifier=https%3A%2F%2Fmedplum.com%2Fpatient-id%7Cp+1"
    assert httpx.QueryParams(query)["identifier"] == f"{SYSTEM}|p 1"


@respx.mock(assert_all_called=True)
def test_conditional_put_sends_fhir_json_to_the_identifier_url(
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.put(f"{BASE}/Patient", params={"identifier": f"{SYSTEM}|p1"}).respond(
        201, json={**PATIENT, "id": "ext-9"}
    )
    answer = make_conditional_fhir_request(
        BASE + "/", "Patient", identifier_query(SYSTEM, "p1"), HttpVerb.PUT, PATIENT
    )
    assert answer["id"] == "ext-9"
    request = route.calls.last.request
    assert request.url.path == "/fhir/Patient"  # one slash even though the base ends in '/'
    assert request.headers["Content-Type"] == "application/fhir+json"
    assert request.headers["Accept"] == "application/fhir+json"
    assert json.loads(request.content) == PATIENT


@respx.mock(assert_all_called=True)
def test_conditional_delete_sends_no_body_and_returns_none_on_204(
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.delete(f"{BASE}/Patient").respond(204)
    answer = make_conditional_fhir_request(
        BASE, "Patient", identifier_query(SYSTEM, "p1"), HttpVerb.DELETE, PATIENT
    )
    assert answer is None
    request = route.calls.last.request
    assert request.content == b""
    assert "Content-Type" not in request.headers


@respx.mock
def test_non_2xx_raises_a_processing_outcome(respx_mock: respx.MockRouter) -> None:
    respx_mock.put(f"{BASE}/Patient").respond(404)
    with pytest.raises(OperationOutcomeError) as caught:
        make_conditional_fhir_request(BASE, "Patient", "identifier=x", HttpVerb.PUT, PATIENT)
    assert issue(caught.value)["code"] == "processing"
    assert str(caught.value) == "External request failed: 404 Not Found"


@respx.mock
def test_network_error_raises_an_exception_outcome(respx_mock: respx.MockRouter) -> None:
    respx_mock.put(f"{BASE}/Patient").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(OperationOutcomeError) as caught:
        make_conditional_fhir_request(BASE, "Patient", "identifier=x", HttpVerb.PUT, PATIENT)
    assert issue(caught.value)["code"] == "exception"
    assert str(caught.value) == "Network or processing error: connection refused"


@respx.mock
def test_a_non_json_answer_is_an_error_not_a_crash(respx_mock: respx.MockRouter) -> None:
    respx_mock.put(f"{BASE}/Patient").respond(200, text="<html>proxy</html>")
    with pytest.raises(OperationOutcomeError, match="not JSON"):
        make_external_request(f"{BASE}/Patient?identifier=x", HttpVerb.PUT, PATIENT)


@respx.mock
def test_extra_headers_are_sent_and_never_echoed_in_errors(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.put(f"{BASE}/Patient").respond(401)
    token = "tok-4f9c2d7e1a"
    with pytest.raises(OperationOutcomeError) as caught:
        make_external_request(
            f"{BASE}/Patient?identifier=x",
            HttpVerb.PUT,
            PATIENT,
            {"Authorization": f"Bearer {token}"},
        )
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {token}"
    assert token not in str(caught.value)


@respx.mock
def test_async_variant_behaves_like_the_sync_one(respx_mock: respx.MockRouter) -> None:
    respx_mock.put(f"{BASE}/Patient").respond(200, json={"id": "ext-1"})
    respx_mock.delete(f"{BASE}/Patient").respond(500)
    put = make_conditional_fhir_request_async(BASE, "Patient", "identifier=x", HttpVerb.PUT, {})
    assert asyncio.run(put) == {"id": "ext-1"}
    delete = make_conditional_fhir_request_async(BASE, "Patient", "identifier=x", HttpVerb.DELETE)
    with pytest.raises(OperationOutcomeError, match="500 Internal Server Error"):
        asyncio.run(delete)


def test_an_empty_condition_is_refused_before_any_request() -> None:
    # An unconditional DELETE /Patient would ask the server to delete every Patient.
    with pytest.raises(ValueError, match="conditional_query"):
        make_conditional_fhir_request(BASE, "Patient", "", HttpVerb.DELETE)


def test_log_lines_match_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    log_external_request("External sync PUT", "p1", True)
    log_external_request("External sync DELETE", "p2", False, "boom")
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "External Request: External sync PUT for p1 - SUCCESS",
        "External Request: External sync DELETE for p2 - FAILED",
    ]
    assert err.splitlines() == ["Error: boom"]


def test_conditional_update_then_delete_over_real_http(external: FhirEndpoint) -> None:
    query = identifier_query(SYSTEM, "p1")
    patient = {**PATIENT, "identifier": [{"system": SYSTEM, "value": "p1"}]}
    created = make_conditional_fhir_request(
        external.base_url, "Patient", query, HttpVerb.PUT, patient
    )
    again = make_conditional_fhir_request(
        external.base_url, "Patient", query, HttpVerb.PUT, {**patient, "gender": "female"}
    )
    assert created["id"] == again["id"]  # the condition found the same record
    assert [p["gender"] for p in external.find("Patient", SYSTEM, "p1")] == ["female"]
    make_conditional_fhir_request(external.base_url, "Patient", query, HttpVerb.DELETE)
    assert external.find("Patient", SYSTEM, "p1") == []


def test_server_errors_over_real_http_keep_the_status_text(external: FhirEndpoint) -> None:
    external.fail_next(503)
    with pytest.raises(OperationOutcomeError, match="503 Service Unavailable"):
        make_conditional_fhir_request(
            external.base_url, "Patient", identifier_query(SYSTEM, "p1"), HttpVerb.PUT, PATIENT
        )
