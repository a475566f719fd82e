"""Resources for the differential test: each is validated by Medplum's validator and by ours.

Valid and invalid resources covering every rule the validator checks, and every resource type
the project's examples use. Cases are (name, resource); a name says what the case is about.
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, Any]

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "p1",
    "meta": {"versionId": "1", "lastUpdated": "2024-05-01T10:00:00.000Z", "source": "urn:x"},
    "identifier": [{"system": "https://example.org/mrn", "value": "12345"}],
    "active": True,
    "name": [{"use": "official", "family": "Smith", "given": ["Alice", "B."]}],
    "telecom": [{"system": "phone", "value": "+1 555 0100", "rank": 1}],
    "gender": "female",
    "birthDate": "1990-04-01",
    "address": [{"line": ["1 Main St"], "city": "Springfield", "postalCode": "12345"}],
    "multipleBirthInteger": 2,
    "contact": [{"name": {"family": "Smith"}, "relationship": [{"text": "mother"}]}],
    "managingOrganization": {"reference": "Organization/o1", "display": "Acme"},
    "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">A</div>'},
}

OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "status": "final",
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs",
                }
            ]
        }
    ],
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}], "text": "Heart rate"},
    "subject": {"reference": "Patient/p1"},
    "effectiveDateTime": "2024-05-01T10:00:00Z",
    "issued": "2024-05-01T10:00:00.123Z",
    "valueQuantity": {
        "value": 72,
        "unit": "beats/minute",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    },
    "component": [{"code": {"text": "x"}, "valueInteger": 3}],
}

BOT: dict[str, Any] = {
    "resourceType": "Bot",
    "id": "b1",
    "name": "hello-patient",
    "description": "Says hello",
    "identifier": [{"system": "https://medplum.com/bot-external-function-id", "value": "fn"}],
    "runtimeVersion": "awslambda",
    "timeout": 30,
    "sourceCode": {"contentType": "text/x-python", "url": "Binary/s1", "title": "bot.py"},
    "executableCode": {"contentType": "text/javascript", "url": "Binary/e1", "title": "index.js"},
    "auditEventTrigger": "on-error",
    "auditEventDestination": ["resource", "log"],
    "system": False,
    "cronString": "*/5 * * * *",
}

SUBSCRIPTION: dict[str, Any] = {
    "resourceType": "Subscription",
    "status": "active",
    "reason": "Run the bot",
    "criteria": "Patient",
    "channel": {"type": "rest-hook", "endpoint": "Bot/b1", "payload": "application/fhir+json"},
    "extension": [
        {
            "url": "https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction",
            "valueCode": "create",
        }
    ],
}

AUDIT_EVENT: dict[str, Any] = {
    "resourceType": "AuditEvent",
    "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110100"},
    "recorded": "2024-05-01T10:00:00.000Z",
    "outcome": "0",
    "outcomeDesc": "hello\nworld",
    "agent": [{"who": {"reference": "Bot/b1"}, "requestor": False}],
    "source": {"observer": {"reference": "Bot/b1"}},
    "entity": [{"what": {"reference": "Bot/b1"}}],
}

MEMBERSHIP: dict[str, Any] = {
    "resourceType": "ProjectMembership",
    "project": {"reference": "Project/pr1"},
    "user": {"reference": "Bot/b1"},
    "profile": {"reference": "Bot/b1"},
    "admin": False,
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if value is _DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


_DROP = object()


def drop() -> Any:
    return _DROP


def pat(**changes: Any) -> dict[str, Any]:
    return with_({"resourceType": "Patient"}, **changes)


def obs(**changes: Any) -> dict[str, Any]:
    return with_(
        {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}, **changes
    )


CASES: list[Case] = [
    # -- valid resources of the types the project uses -----------------------------------------
    ("valid Patient", PATIENT),
    ("valid Observation", OBSERVATION),
    ("valid Bot", BOT),
    ("valid Subscription", SUBSCRIPTION),
    ("valid AuditEvent", AUDIT_EVENT),
    ("valid ProjectMembership", MEMBERSHIP),
    ("valid Binary", {"resourceType": "Binary", "contentType": "text/plain", "data": "aGVsbG8="}),
    (
        "valid Practitioner",
        {
            "resourceType": "Practitioner",
            "name": [{"prefix": ["Dr."], "family": "Who"}],
            "qualification": [{"code": {"text": "MD"}}],
        },
    ),
    (
        "valid Encounter (keyword key class)",
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2024-05-01", "end": "2024-05-02T10:00:00Z"},
        },
    ),
    (
        "valid Bundle transaction",
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": "urn:uuid:0b0e8d3a-4d2b-4b6e-9d0e-3f0a4d4b2c11",
                    "resource": {"resourceType": "Patient", "name": [{"family": "A"}]},
                    "request": {"method": "POST", "url": "Patient"},
                }
            ],
        },
    ),
    (
        "valid Bundle searchset",
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": 1,
            "link": [{"relation": "self", "url": "https://example.org/fhir/R4/Patient"}],
            "entry": [{"resource": OBSERVATION, "search": {"mode": "match", "score": 1}}],
        },
    ),
    (
        "valid Project with secrets",
        {
            "resourceType": "Project",
            "name": "p",
            "secret": [
                {"name": "API_KEY", "valueString": "s3cr3t"},
                {"name": "RETRIES", "valueInteger": 3},
                {"name": "ON", "valueBoolean": True},
            ],
        },
    ),
    (
        "valid Parameters with nested resource",
        {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "input", "resource": {"resourceType": "Patient", "gender": "male"}},
                {"name": "n", "valueDecimal": 1.5},
            ],
        },
    ),
    (
        "valid Questionnaire nested items (contentReference)",
        {
            "resourceType": "Questionnaire",
            "status": "active",
            "description": "Some *markdown*\n\twith a tab",
            "item": [
                {
                    "linkId": "1",
                    "type": "group",
                    "item": [{"linkId": "1.1", "type": "string", "maxLength": 10}],
                }
            ],
        },
    ),
    (
        "valid Patient with contained and local reference",
        pat(
            contained=[{"resourceType": "Organization", "id": "org", "name": "Acme"}],
            managingOrganization={"reference": "#org"},
        ),
    ),
    (
        "valid primitive extension _birthDate",
        pat(
            birthDate="1990-01-01",
            _birthDate={"extension": [{"url": "https://example.org/x", "valueString": "y"}]},
        ),
    ),
    (
        "valid primitive extension alone (no value)",
        pat(_birthDate={"extension": [{"url": "https://example.org/x", "valueBoolean": True}]}),
    ),
    (
        "valid null in array with extension partner",
        pat(
            name=[
                {
                    "given": ["A", None],
                    "_given": [None, {"extension": [{"url": "u", "valueString": "x"}]}],
                }
            ]
        ),
    ),
    ("valid dateTime with hour only (Medplum accepts)", obs(effectiveDateTime="2024-05-01T10")),
    ("valid dateTime year only", obs(effectiveDateTime="2024")),
    ("valid instant with 9 fraction digits", obs(issued="2024-05-01T10:00:00.123456789+01:00")),
    ("valid integer written 3.0", obs(valueInteger=3.0)),
    ("valid decimal integer-valued", obs(valueQuantity={"value": 5})),
    ("valid string with emoji", pat(name=[{"family": "Smith \U0001f600"}])),
    ("valid unsignedInt 0", {"resourceType": "Bundle", "type": "searchset", "total": 0}),
    ("valid time", obs(valueTime="23:59:60")),
    (
        "valid Extension nested extension",
        pat(extension=[{"url": "a", "extension": [{"url": "b", "valueCode": "x"}]}]),
    ),
    # -- unknown properties ----------------------------------------------------------------------
    ("unknown top-level property", pat(nmae=[{"family": "x"}])),
    ("unknown nested property", pat(name=[{"family": "x", "fmaily": "y"}])),
    ("unknown deep property", pat(contact=[{"name": {"family": "x", "foo": 1}}])),
    ("unknown property in backbone", obs(component=[{"code": {"text": "c"}, "bogus": True}])),
    ("unknown choice type suffix", obs(valueFoo="x")),
    ("unknown property in Bot", with_(BOT, sourcecode={"url": "Binary/1"})),
    (
        "unknown property in Subscription channel",
        with_(SUBSCRIPTION, channel={"type": "rest-hook", "url": "x"}),
    ),
    ("unknown primitive extension target", pat(_nmae={"extension": []})),
    # -- required elements -----------------------------------------------------------------------
    ("missing Observation.status", {"resourceType": "Observation", "code": {"text": "x"}}),
    ("missing Observation.code and status", {"resourceType": "Observation"}),
    ("missing ProjectMembership.user/profile", with_(MEMBERSHIP, user=drop(), profile=drop())),
    ("missing Subscription.channel.type", with_(SUBSCRIPTION, channel={"endpoint": "Bot/b1"})),
    ("missing AuditEvent.agent", with_(AUDIT_EVENT, agent=drop())),
    ("missing required as empty array", with_(AUDIT_EVENT, agent=[])),
    (
        "missing required in Bundle entry request",
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [{"resource": {"resourceType": "Patient"}, "request": {"url": "Patient"}}],
        },
    ),
    ("missing Binary.contentType", {"resourceType": "Binary", "data": "aGVsbG8="}),
    # -- cardinality -----------------------------------------------------------------------------
    ("single value where array belongs", pat(name={"family": "x"})),
    ("array where single value belongs", pat(gender=["female"])),
    ("array of strings where single belongs", pat(birthDate=["1990-01-01"])),
    ("string where array of strings belongs", pat(name=[{"given": "Alice"}])),
    ("string where object belongs", pat(maritalStatus="married")),
    ("object where string belongs", pat(gender={"code": "female"})),
    ("array in Bot auditEventDestination as string", with_(BOT, auditEventDestination="log")),
    # -- primitives ------------------------------------------------------------------------------
    ("bad date", pat(birthDate="1990-13-01")),
    ("bad date format (slashes)", pat(birthDate="01/02/1990")),
    ("date as number", pat(birthDate=19900101)),
    ("bad dateTime (minutes without seconds)", obs(effectiveDateTime="2024-05-01T10:00")),
    ("bad dateTime (month 00)", obs(effectiveDateTime="2024-00")),
    ("bad instant (no time zone)", obs(issued="2024-05-01T10:00:00")),
    ("bad instant (date only)", with_(AUDIT_EVENT, recorded="2024-05-01")),
    ("bad time", obs(valueTime="25:00:00")),
    ("bad decimal (string)", obs(valueQuantity={"value": "72"})),
    ("bad integer (fraction)", obs(valueInteger=1.5)),
    ("bad integer (string)", obs(valueInteger="3")),
    ("bad integer (boolean)", obs(valueInteger=True)),
    ("bad positiveInt 0", pat(telecom=[{"system": "phone", "value": "1", "rank": 0}])),
    ("bad unsignedInt -1", {"resourceType": "Bundle", "type": "searchset", "total": -1}),
    ("bad Bot.timeout string", with_(BOT, timeout="30")),
    ("bad boolean (string)", pat(active="true")),
    ("bad boolean (number)", pat(active=1)),
    ("bad code (double space)", pat(gender="fe  male")),
    ("bad code (leading space)", pat(gender=" female")),
    ("bad uri (space)", pat(identifier=[{"system": "https://example.org/a b", "value": "1"}])),
    ("bad url (space)", {"resourceType": "Binary", "contentType": "text/plain", "url": "a b"}),
    ("bad canonical (space)", pat(meta={"profile": ["http://x/ y"]})),
    ("bad id (Meta.versionId)", pat(meta={"versionId": "a_b"})),
    ("bad id too long", pat(meta={"versionId": "a" * 65})),
    ("bad base64Binary", {"resourceType": "Binary", "contentType": "text/plain", "data": "abc"}),
    (
        "bad base64Binary with whitespace",
        {"resourceType": "Binary", "contentType": "text/plain", "data": "aGVs bG8="},
    ),
    ("bad string (control character)", pat(name=[{"family": "a\u0001b"}])),
    ("bad string (whitespace only)", pat(name=[{"family": "   "}])),
    (
        "bad markdown (whitespace only)",
        {"resourceType": "Questionnaire", "status": "active", "description": " \n "},
    ),
    ("bad string in Bot.name (number)", with_(BOT, name=5)),
    ("bad resource id (string type)", pat(id="   ")),
    # -- choice elements -------------------------------------------------------------------------
    ("two values of one choice element", obs(valueString="a", valueBoolean=True)),
    ("two values of Patient.deceased", pat(deceasedBoolean=False, deceasedDateTime="2020")),
    (
        "choice value plus extension of another type",
        obs(valueString="a", _valueBoolean={"extension": [{"url": "u", "valueString": "x"}]}),
    ),
    ("bad value inside a choice", obs(valueQuantity={"value": 1, "unit": 2})),
    ("unknown property inside a choice value", obs(valueQuantity={"value": 1, "foo": 2})),
    # -- empties and nulls -----------------------------------------------------------------------
    ("empty string in array", pat(name=[{"given": ["Alice", ""]}])),
    ("empty object in array", pat(name=[{}])),
    ("empty object as single value", pat(maritalStatus={})),
    ("empty string single value (Medplum: absent)", pat(gender="")),
    ("empty array (Medplum: absent)", pat(name=[])),
    ("empty string choice value", obs(component=[{"code": {"text": "c"}, "valueString": ""}])),
    ("null property", pat(gender=None)),
    ("null nested property", pat(name=[{"family": None}])),
    ("null in array", pat(name=[{"given": ["A", None]}])),
    ("null array item object", pat(name=[None])),
    ("null required property", obs(status=None)),
    # -- extensions ------------------------------------------------------------------------------
    ("extension without url", pat(extension=[{"valueString": "x"}])),
    ("extension with neither value nor extensions (ext-1)", pat(extension=[{"url": "x"}])),
    (
        "extension with value and extensions (ext-1)",
        pat(
            extension=[
                {"url": "x", "valueString": "a", "extension": [{"url": "y", "valueString": "b"}]}
            ]
        ),
    ),
    (
        "extension with two values",
        pat(extension=[{"url": "x", "valueString": "a", "valueCode": "b"}]),
    ),
    ("extension with bad value", pat(extension=[{"url": "x", "valueDate": "May 1st"}])),
    ("modifierExtension without url", pat(modifierExtension=[{"valueBoolean": True}])),
    (
        "extension on a nested element without url",
        pat(name=[{"family": "x", "extension": [{"valueString": "y"}]}]),
    ),
    (
        "bad primitive extension content",
        pat(birthDate="1990-01-01", _birthDate={"extension": [{"valueString": "y"}], "foo": 1}),
    ),
    (
        "bad Subscription interaction extension (no url)",
        with_(SUBSCRIPTION, extension=[{"valueCode": "create"}]),
    ),
    # -- contained and nested resources ----------------------------------------------------------
    (
        "invalid contained resource",
        pat(contained=[{"resourceType": "Organization", "id": "o", "nmae": "x"}]),
    ),
    (
        "contained resource missing required",
        pat(contained=[{"resourceType": "Observation", "id": "o"}]),
    ),
    ("contained unknown resource type", pat(contained=[{"resourceType": "Foo", "id": "x"}])),
    ("contained without resourceType", pat(contained=[{"id": "x", "name": "y"}])),
    (
        "contained nested in contained (dom-2)",
        pat(
            contained=[
                {
                    "resourceType": "Patient",
                    "id": "a",
                    "contained": [{"resourceType": "Patient", "id": "b"}],
                }
            ]
        ),
    ),
    (
        "contained with versionId (dom-4)",
        pat(contained=[{"resourceType": "Patient", "id": "a", "meta": {"versionId": "1"}}]),
    ),
    (
        "contained with security label (dom-5)",
        pat(
            contained=[
                {"resourceType": "Patient", "id": "a", "meta": {"security": [{"code": "R"}]}}
            ]
        ),
    ),
    (
        "invalid resource in Bundle entry",
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "gender": ["x"]}}],
        },
    ),
    (
        "unknown resource type in Bundle entry",
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Nope"}}],
        },
    ),
    (
        "invalid resource in Parameters",
        {
            "resourceType": "Parameters",
            "parameter": [{"name": "x", "resource": {"resourceType": "Observation"}}],
        },
    ),
    (
        "invalid Bundle entry property",
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resourse": {}}]},
    ),
    # -- invariants we do not evaluate (see test_differential.UNCHECKED_INVARIANTS) -------------
    (
        "invariant obs-6: dataAbsentReason with a value",
        obs(valueString="a", dataAbsentReason={"text": "n/a"}),
    ),
    (
        "invariant bdl-3: transaction entry without request",
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{"resource": {"resourceType": "Patient"}}],
        },
    ),
    # -- resource types --------------------------------------------------------------------------
    ("unknown resource type", {"resourceType": "Patinet"}),
    ("missing resourceType", {"name": [{"family": "x"}]}),
    ("empty resourceType", {"resourceType": ""}),
    ("datatype name as resourceType", {"resourceType": "HumanName", "family": "x"}),
    ("datatype name as contained resourceType", pat(contained=[{"resourceType": "HumanName"}])),
    # -- references ------------------------------------------------------------------------------
    ("reference to a type not allowed (warning)", obs(subject={"reference": "Medication/m1"})),
    (
        "reference allowed to any type",
        with_(AUDIT_EVENT, entity=[{"what": {"reference": "Bot/b1"}}]),
    ),
    ("conditional reference", obs(subject={"reference": "Patient?identifier=x|1"})),
    ("reference not a string", obs(subject={"reference": 5})),
    # -- several problems at once ----------------------------------------------------------------
    (
        "many problems",
        {
            "resourceType": "Patient",
            "gender": "",
            "name": [{"given": ["a", ""]}, {}],
            "birthDate": "2020-13",
            "foo": 1,
            "contact": [{"name": {"family": "x", "bar": 2}}],
            "extension": [{"valueString": "x"}],
            "telecom": [{"system": "phone", "value": None}],
        },
    ),
]
