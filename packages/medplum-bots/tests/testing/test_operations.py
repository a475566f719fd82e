"""The in-memory Medplum answers the client's convenience calls (testing/operations.py),
through the real sync and async clients."""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from medplum_bots import InMemoryMedplum, OperationOutcomeError


class Client:
    """The sync client, or the async one with each call run to completion on one loop."""

    def __init__(self, memory: InMemoryMedplum, kind: str) -> None:
        self.kind = kind
        self._loop = asyncio.new_event_loop()
        self._client: Any = memory.client() if kind == "sync" else memory.async_client()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return self._loop.run_until_complete(result) if inspect.isawaitable(result) else result

        return call

    def close(self) -> None:
        self._loop.close()


@pytest.fixture
def memory() -> InMemoryMedplum:
    return InMemoryMedplum()


@pytest.fixture(params=["sync", "async"])
def medplum(request: pytest.FixtureRequest, memory: InMemoryMedplum) -> Iterator[Client]:
    client = Client(memory, request.param)
    yield client
    client.close()


def refused(call: Callable[[], Any]) -> OperationOutcomeError:
    with pytest.raises(OperationOutcomeError) as caught:
        call()
    return caught.value


def patient(medplum: Client, family: str = "Simpson") -> dict[str, Any]:
    created: dict[str, Any] = medplum.create_resource(
        {"resourceType": "Patient", "name": [{"given": ["Homer"], "family": family}]}
    )
    return created


# -- auth/me -----------------------------------------------------------------------------------


def test_the_session_is_a_bot_in_a_project_by_default(medplum: Client) -> None:
    profile = medplum.get_profile()
    assert profile["resourceType"] == "Bot" and profile["id"]
    assert medplum.get_project()["resourceType"] == "Project"
    membership = medplum.get_project_membership()
    assert membership["profile"] == {"reference": f"Bot/{profile['id']}"}
    assert medplum.is_project_admin() is False
    assert medplum.get_user_configuration()["resourceType"] == "UserConfiguration"


def test_set_session_says_who_calls(memory: InMemoryMedplum, medplum: Client) -> None:
    doctor = medplum.create_resource(
        {"resourceType": "Practitioner", "name": [{"given": ["Alice"], "family": "Smith"}]}
    )
    memory.operations.set_session(profile=doctor, admin=True)
    homer = patient(medplum)

    comment = medplum.create_comment(homer, "Call back tomorrow")

    assert medplum.get_profile()["id"] == doctor["id"]
    assert medplum.is_project_admin() is True
    assert comment["sender"] == {
        "reference": f"Practitioner/{doctor['id']}",
        "display": "Alice Smith",
    }
    assert comment["subject"]["reference"] == f"Patient/{homer['id']}"
    assert comment["payload"] == [{"contentString": "Call back tomorrow"}]
    assert memory.get("Communication", comment["id"]) is not None


# -- email -------------------------------------------------------------------------------------


def test_emails_are_recorded(memory: InMemoryMedplum, medplum: Client) -> None:
    email = {"to": "homer@example.com", "subject": "Reminder", "text": "Tomorrow at 9"}

    answer = medplum.send_email(email)

    assert answer["issue"][0]["details"]["text"] == "All OK"
    assert memory.sent_emails == [email]


def test_an_email_without_recipient_or_subject_is_refused(
    memory: InMemoryMedplum, medplum: Client
) -> None:
    error = refused(lambda: medplum.send_email({"subject": "x"}))
    assert str(error) == "HTTP 400: To is required (to)"
    error = refused(lambda: medplum.send_email({"text": "x"}))
    assert str(error) == "HTTP 400: To is required (to); Subject is required (subject)"
    assert memory.sent_emails == []


def test_email_needs_the_projects_email_feature(memory: InMemoryMedplum, medplum: Client) -> None:
    memory.operations.set_session(project={"resourceType": "Project", "id": "p", "name": "P"})
    error = refused(lambda: medplum.send_email({"to": "a@example.com", "subject": "s"}))
    assert (error.status, str(error)) == (403, "HTTP 403: Forbidden")
    assert memory.sent_emails == []


# -- Patient/$everything -----------------------------------------------------------------------


def test_everything_is_the_patient_and_its_compartment(medplum: Client) -> None:
    homer, marge = patient(medplum), patient(medplum, "Bouvier")
    mine = medplum.create_resource(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "weight"},
            "subject": {"reference": f"Patient/{homer['id']}"},
        }
    )
    medplum.create_resource(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "weight"},
            "subject": {"reference": f"Patient/{marge['id']}"},
        }
    )

    recorded = medplum.create_resource(
        {
            "resourceType": "AllergyIntolerance",
            "patient": {"reference": f"Patient/{marge['id']}"},
            "recorder": {"reference": f"Patient/{homer['id']}"},
        }
    )
    # `focus` is not a Patient-compartment parameter: not Homer's, as on Medplum.
    medplum.create_resource(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "note"},
            "focus": [{"reference": f"Patient/{homer['id']}"}],
        }
    )

    bundle = medplum.read_patient_everything(homer["id"])

    ids = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]]
    assert bundle["type"] == "searchset"
    assert ids == [
        ("Patient", homer["id"]),
        ("AllergyIntolerance", recorded["id"]),
        ("Observation", mine["id"]),
    ]
    assert refused(lambda: medplum.read_patient_everything("missing")).status == 404


# -- Binary: create_binary, create_attachment, download, create_media, create_pdf --------------


def test_an_attachment_downloads_its_bytes(medplum: Client) -> None:
    homer = patient(medplum)
    attachment = medplum.create_attachment(
        b"x-ray", "image/png", "xray.png", security_context=f"Patient/{homer['id']}"
    )

    assert attachment["contentType"] == "image/png" and attachment["title"] == "xray.png"
    assert medplum.download(attachment["url"]) == b"x-ray"
    binary_id = attachment["url"].rsplit("/", 1)[1]
    assert medplum.download(f"Binary/{binary_id}") == b"x-ray"


def test_create_media_links_content_and_subject(memory: InMemoryMedplum, medplum: Client) -> None:
    homer = patient(medplum)
    media = medplum.create_media(
        b"%PDF-1.4",
        "application/pdf",
        "report.pdf",
        additional_fields={"subject": {"reference": f"Patient/{homer['id']}"}},
    )

    assert media["status"] == "completed"
    assert media["subject"] == {"reference": f"Patient/{homer['id']}"}
    assert medplum.download(media["content"]["url"]) == b"%PDF-1.4"
    stored = memory.get("Media", media["id"])
    assert stored is not None and stored["meta"]["versionId"] == "2"  # created, then completed


def test_create_pdf_stores_a_readable_pdf(medplum: Client) -> None:
    binary = medplum.create_pdf(
        {
            "content": [
                {"text": "Sick note", "style": "header"},
                "Homer Simpson may stay home.",
                {"table": {"headerRows": 1, "body": [["Date", "Reason"], ["Monday", "Flu"]]}},
                {"ul": ["Rest", "Fluids"]},
            ],
            "styles": {"header": {"fontSize": 16, "bold": True, "margin": [0, 0, 0, 10]}},
        },
        "note.pdf",
    )

    assert binary["contentType"] == "application/pdf"
    data = medplum.download(f"Binary/{binary['id']}")
    assert data.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for words in ("Sick note", "Homer Simpson may stay home.", "Monday", "Flu", "Fluids"):
        assert words in text


# -- Agent/$push -------------------------------------------------------------------------------


def test_agent_pushes_are_recorded_and_answered(memory: InMemoryMedplum, medplum: Client) -> None:
    agent = medplum.create_resource({"resourceType": "Agent", "name": "lab", "status": "active"})
    analyzer = medplum.create_resource(
        {
            "resourceType": "Device",
            "url": "mllp://analyzer.local:2575",
            "identifier": [{"system": "urn:lab", "value": "a1"}],
        }
    )
    to = f"Device/{analyzer['id']}"
    message = "MSH|^~\\&|EHR|HOSP|LAB|LAB|202401011200||ORM^O01|1|P|2.5"
    hl7 = "x-application/hl7-v2+er7"

    sent = medplum.push_to_agent(agent, to, message, hl7)
    assert sent["issue"][0]["details"]["text"] == "All OK"

    timeout = refused(lambda: medplum.push_to_agent(agent, to, message, hl7, True))
    assert str(timeout).startswith("HTTP 400: Timeout (no Agent answers in memory")

    memory.operations.agent_responder = lambda push: ("MSA|AA|1", hl7)
    ack = medplum.push_to_agent(
        {"reference": f"Agent/{agent['id']}"}, "Device?identifier=urn:lab|a1", message, hl7, True
    )
    assert ack == "MSA|AA|1"
    assert [p["remote"] for p in memory.agent_pushes] == ["mllp://analyzer.local:2575"] * 3
    assert memory.agent_pushes[0] == {
        "agent": f"Agent/{agent['id']}",
        "remote": "mllp://analyzer.local:2575",
        "destination": to,
        "body": message,
        "contentType": hl7,
    }


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        (("", "text/plain"), {}, "Missing body parameter"),
        (("m", None), {}, "Missing contentType parameter"),
        (("m", "text/plain"), {"wait_timeout": 90000}, "Invalid wait timeout"),
    ],
)
def test_agent_push_refusals(
    medplum: Client, args: tuple[Any, ...], kwargs: dict[str, Any], text: str
) -> None:
    agent = medplum.create_resource({"resourceType": "Agent", "name": "lab", "status": "active"})
    device = medplum.create_resource({"resourceType": "Device", "url": "mllp://x:1"})
    error = refused(lambda: medplum.push_to_agent(agent, f"Device/{device['id']}", *args, **kwargs))
    assert str(error) == f"HTTP 400: {text}"


def test_agent_push_needs_a_device_with_a_url(medplum: Client) -> None:
    agent = medplum.create_resource({"resourceType": "Agent", "name": "lab", "status": "active"})
    bare = medplum.create_resource({"resourceType": "Device"})
    no_url = refused(
        lambda: medplum.push_to_agent(agent, f"Device/{bare['id']}", "m", "text/plain")
    )
    assert str(no_url) == "HTTP 400: Destination device missing url"
    missing = refused(lambda: medplum.push_to_agent(agent, "Device/none", "m", "text/plain"))
    assert str(missing) == "HTTP 400: Destination device not found"
    assert (
        refused(lambda: medplum.push_to_agent("nope", "Device/x", "m", "text/plain")).status == 404
    )


# -- ValueSet/$expand --------------------------------------------------------------------------

FRUIT = "http://example.org/fhir/CodeSystem/fruit"


def test_expand_lists_a_value_sets_codes(medplum: Client) -> None:
    medplum.create_resource(
        {
            "resourceType": "CodeSystem",
            "status": "active",
            "content": "complete",
            "url": FRUIT,
            "concept": [
                {"code": "apple", "display": "Apple"},
                {"code": "citrus", "display": "Citrus", "concept": [{"code": "lime"}]},
            ],
        }
    )
    medplum.create_resource(
        {
            "resourceType": "ValueSet",
            "status": "active",
            "url": "http://example.org/vs/fruit",
            "compose": {
                "include": [{"system": FRUIT}],
                "exclude": [{"system": FRUIT, "concept": [{"code": "apple"}]}],
            },
        }
    )
    listed = medplum.create_resource(
        {
            "resourceType": "ValueSet",
            "status": "active",
            "url": "http://example.org/vs/picked",
            "compose": {
                "include": [
                    {
                        "system": FRUIT,
                        "concept": [
                            {"code": "apple", "display": "Apple"},
                            {"code": "pear", "display": "Pear"},
                        ],
                    }
                ]
            },
        }
    )

    whole = medplum.value_set_expand({"url": "http://example.org/vs/fruit"})
    assert [c["code"] for c in whole["expansion"]["contains"]] == ["citrus", "lime"]

    filtered = medplum.value_set_expand({"url": "http://example.org/vs/picked", "filter": "PE"})
    assert filtered["expansion"]["contains"] == [
        {"system": FRUIT, "code": "pear", "display": "Pear"}
    ]
    paged = medplum.value_set_expand({"url": "http://example.org/vs/picked", "count": 1})
    assert paged["expansion"]["total"] == 2 and len(paged["expansion"]["contains"]) == 1

    assert medplum.read_canonical("ValueSet", "http://example.org/vs/picked")["id"] == listed["id"]
    assert medplum.read_canonical(["Questionnaire", "ValueSet"], "http://example.org/vs/picked")
    assert medplum.read_canonical("ValueSet", "http://example.org/vs/none") is None

    unknown = refused(lambda: medplum.value_set_expand({"url": "http://example.org/vs/none"}))
    assert str(unknown) == "HTTP 400: ValueSet not found"  # Medplum's words
    assert str(refused(lambda: medplum.value_set_expand({}))) == "HTTP 400: Missing url"


def test_expand_pages_ten_at_a_time_and_names_a_missing_code_system(medplum: Client) -> None:
    concepts = [{"code": f"c{n:02d}", "display": f"Code {n}"} for n in range(12)]
    medplum.create_resource(
        {
            "resourceType": "ValueSet",
            "status": "active",
            "url": "http://example.org/vs/twelve",
            "compose": {"include": [{"system": FRUIT, "concept": concepts}]},
        }
    )
    medplum.create_resource(
        {
            "resourceType": "ValueSet",
            "status": "active",
            "url": "http://example.org/vs/orphan",
            "compose": {"include": [{"system": "http://example.org/none"}]},
        }
    )

    first = medplum.value_set_expand({"url": "http://example.org/vs/twelve"})["expansion"]
    rest = medplum.value_set_expand({"url": "http://example.org/vs/twelve", "offset": 10})

    assert first["total"] == 12 and len(first["contains"]) == 10
    assert [c["code"] for c in rest["expansion"]["contains"]] == ["c10", "c11"]
    error = refused(lambda: medplum.value_set_expand({"url": "http://example.org/vs/orphan"}))
    assert str(error) == "HTTP 400: Code system http://example.org/none not found"


# -- $validate, $graphql, batch, upsert --------------------------------------------------------


def test_validate_answers_as_medplum(memory: InMemoryMedplum, medplum: Client) -> None:
    ok = medplum.validate_resource({"resourceType": "Patient", "name": [{"family": "Doe"}]})
    assert ok["issue"][0]["details"]["text"] == "All OK"

    error = refused(
        lambda: medplum.validate_resource({"resourceType": "DiagnosticReport", "status": "final"})
    )
    assert str(error) == "HTTP 400: Missing required property (DiagnosticReport.code)"
    assert memory.all("DiagnosticReport") == []  # validating stores nothing


def test_graphql_is_refused_clearly(medplum: Client) -> None:
    error = refused(lambda: medplum.graphql("{ PatientList { id } }"))
    assert error.status == 400 and "GraphQL is not supported in memory" in str(error)


def test_batch_and_upsert(memory: InMemoryMedplum, medplum: Client) -> None:
    homer = {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:mrn", "value": "742"}],
        "name": [{"family": "Simpson"}],
    }
    first = medplum.upsert_resource(homer, {"identifier": "urn:mrn|742"})
    again = medplum.upsert_resource({**homer, "active": True}, "identifier=urn:mrn|742")
    assert again["id"] == first["id"] and again["active"] is True
    assert len(memory.all("Patient")) == 1

    answer = medplum.execute_batch(
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": "urn:uuid:6b0a1c2e-0000-4000-8000-000000000001",
                    "resource": {"resourceType": "Patient", "name": [{"family": "Flanders"}]},
                    "request": {"method": "POST", "url": "Patient"},
                },
                {"request": {"method": "GET", "url": f"Patient/{first['id']}"}},
            ],
        }
    )
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201", "200"]
    assert len(memory.all("Patient")) == 2
