"""Questionnaire intake: a completed response to the new-patient intake becomes a Patient, with
the measurements and smoking status it reports as Observations.

Triggered by a Subscription on `QuestionnaireResponse` (create). Running it twice for one
response changes nothing: the Patient is found again by name and birth date, and each
Observation carries an identifier made from the response and the question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medplum_bots import BotEvent, MedplumClient
from medplum_bots.utils import LOINC, SNOMED, UCUM, create_reference, get_questionnaire_answers

INTAKE = "https://springfield-general.example/fhir/Questionnaire/patient-intake"
ANSWER_SYSTEM = "https://springfield-general.example/fhir/intake-answer"
# linkId -> (LOINC code, display, UCUM unit)
MEASUREMENTS = {
    "body-weight": ("29463-7", "Body weight", "kg"),
    "body-height": ("8302-2", "Body height", "cm"),
}
SMOKING = ("72166-2", "Tobacco smoking status")
REQUIRED = ("first-name", "last-name", "birth-date")


class IntakeError(ValueError):
    """The response cannot make a Patient (the AuditEvent shows this message)."""


def handler(medplum: MedplumClient, event: BotEvent) -> dict[str, Any]:
    response: dict[str, Any] = event.input
    if response.get("resourceType") != "QuestionnaireResponse":
        raise IntakeError(f"expected a QuestionnaireResponse, got {response.get('resourceType')}")
    if response.get("questionnaire") != INTAKE:
        raise IntakeError(f"not an intake response: {response.get('questionnaire')}")
    if response.get("status") != "completed":
        raise IntakeError(f"the response is {response.get('status')}, not completed")
    answers = get_questionnaire_answers(response)
    missing = [link for link in REQUIRED if not _value(answers, link)]
    if missing:
        raise IntakeError(f"missing answer(s): {', '.join(missing)}")

    patient = _patient(answers)
    query = {
        "given": patient["name"][0]["given"][0],
        "family": patient["name"][0]["family"],
        "birthdate": patient["birthDate"],
    }
    patient = medplum.create_resource_if_none_exist(patient, query)
    subject = create_reference(patient)
    if response.get("id") and response.get("subject") != subject:
        medplum.update_resource({**response, "subject": subject})

    observations = [
        medplum.create_resource_if_none_exist(
            observation, {"identifier": f"{ANSWER_SYSTEM}|{observation['identifier'][0]['value']}"}
        )
        for observation in _observations(answers, response, subject)
    ]
    print(f"Intake of {subject.get('display')}: {len(observations)} observation(s)")
    return {
        "patient": subject["reference"],
        "observations": [f"Observation/{o['id']}" for o in observations],
    }


def _value(answers: dict[str, Any], link: str) -> Any:
    answer = answers.get(link) or {}
    for key, value in answer.items():
        if key.startswith("value"):
            return value.strip() if isinstance(value, str) else value
    return None


def _patient(answers: dict[str, Any]) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "active": True,
        "name": [
            {"given": [_value(answers, "first-name")], "family": _value(answers, "last-name")}
        ],
        "birthDate": _value(answers, "birth-date"),
    }
    gender = _value(answers, "gender")
    if isinstance(gender, dict) and gender.get("code"):
        patient["gender"] = gender["code"]
    telecom = []
    if _value(answers, "phone"):
        telecom.append({"system": "phone", "value": _value(answers, "phone")})
    # Email only with consent to be contacted by it.
    if _value(answers, "email") and _value(answers, "consent") is True:
        telecom.append({"system": "email", "value": _value(answers, "email")})
    if telecom:
        patient["telecom"] = telecom
    return patient


def _observations(
    answers: dict[str, Any], response: dict[str, Any], subject: Mapping[str, Any]
) -> list[dict[str, Any]]:
    common: dict[str, Any] = {"resourceType": "Observation", "status": "final", "subject": subject}
    if response.get("authored"):
        common["effectiveDateTime"] = response["authored"]
    if response.get("id"):
        common["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    key = response.get("id") or f"{subject['reference']}@{response.get('authored', '')}"
    found = []
    for link, (code, display, unit) in MEASUREMENTS.items():
        value = _value(answers, link)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append(
                {
                    **common,
                    "identifier": [{"system": ANSWER_SYSTEM, "value": f"{key}/{link}"}],
                    "category": [_category("vital-signs")],
                    "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                    "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
                }
            )
    smoking = _value(answers, "smoking-status")
    if isinstance(smoking, dict) and smoking.get("system") == SNOMED:
        found.append(
            {
                **common,
                "identifier": [{"system": ANSWER_SYSTEM, "value": f"{key}/smoking-status"}],
                "category": [_category("social-history")],
                "code": {"coding": [{"system": LOINC, "code": SMOKING[0], "display": SMOKING[1]}]},
                "valueCodeableConcept": {"coding": [smoking]},
            }
        )
    return found


def _category(code: str) -> dict[str, Any]:
    system = "http://terminology.hl7.org/CodeSystem/observation-category"
    return {"coding": [{"system": system, "code": code}]}
