"""HL7 v2 results in: an ORU^R01 from the lab becomes a DiagnosticReport with its Observations,
written in one transaction; the bot answers with the ACK.

Medplum hands an HL7 bot an `Hl7Message` (content type `x-application/hl7-v2+er7`); a runtime
that passes the text is handled too. The patient is found by the MRN in PID-3; the order by the
placer number in OBR-2. A message whose report (filler number, OBR-3) is already stored is
acknowledged without writing; `ifNoneExist` on the report guards two deliveries at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medplum_bots import AsyncMedplumClient, BotEvent
from medplum_bots.hl7 import AckCode, Hl7Message, Hl7Segment
from medplum_bots.utils import LOINC, UCUM, create_reference, parse_hl7_datetime

MRN = "https://springfield-general.example/fhir/mrn"
ORDER = "https://springfield-general.example/fhir/order"
REPORT = "https://shelbyville-lab.example/fhir/report"
LAB = "Organization/shelbyville-lab"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
STATUS = {"F": "final", "P": "preliminary", "C": "corrected", "X": "cancelled"}


async def handler(medplum: AsyncMedplumClient, event: BotEvent) -> Hl7Message:
    message = event.input if isinstance(event.input, Hl7Message) else Hl7Message.parse(event.input)
    pid, obr = message.get_segment("PID"), message.get_segment("OBR")
    if pid is None or obr is None:
        return _reject(message, "AR", "PID and OBR segments are required")
    mrn = pid.get_component(3, 1)
    patient = await medplum.search_one("Patient", {"identifier": f"{MRN}|{mrn}"})
    if patient is None:
        print(f"No patient with MRN {mrn}")
        return _reject(message, "AE", f"Unknown MRN {mrn}")

    subject = create_reference(patient)
    placer = obr.get_component(2, 1)
    order = await medplum.search_one("ServiceRequest", {"identifier": f"{ORDER}|{placer}"})
    observations = [_observation(obx, subject) for obx in message.get_all_segments("OBX")]
    report_number = obr.get_component(3, 1)
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "identifier": [{"system": REPORT, "value": report_number}],
        "status": STATUS.get(obr.get_component(25, 1), "final"),
        "code": _code(obr, 4),
        "subject": subject,
        "effectiveDateTime": parse_hl7_datetime(obr.get_component(7, 1)),
        "issued": parse_hl7_datetime(obr.get_component(22, 1)),
        "performer": [{"reference": LAB}],
        "result": [{"reference": f"urn:uuid:obs-{i}"} for i in range(len(observations))],
    }
    if order is not None:
        report["basedOn"] = [create_reference(order)]
    entries = [
        {
            "fullUrl": f"urn:uuid:obs-{i}",
            "request": {"method": "POST", "url": "Observation"},
            "resource": observation,
        }
        for i, observation in enumerate(observations)
    ]
    entries.append(
        {
            "request": {
                "method": "POST",
                "url": "DiagnosticReport",
                "ifNoneExist": f"identifier={REPORT}|{report_number}",
            },
            "resource": {k: v for k, v in report.items() if v is not None},
        }
    )
    if await medplum.search_one("DiagnosticReport", {"identifier": f"{REPORT}|{report_number}"}):
        print(f"Report {report_number} already stored")
        return message.build_ack("AA")
    await medplum.execute_batch({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    print(f"Report {report_number} for MRN {mrn}: {len(observations)} result(s)")
    return message.build_ack("AA")


def _reject(message: Hl7Message, code: AckCode, text: str) -> Hl7Message:
    # ERR-4 severity E(rror), ERR-8 the user message.
    err = Hl7Segment(["ERR", "", "", "", "E", "", "", "", text], message.context)
    return message.build_ack(code, err)


def _code(segment: Hl7Segment, field: int) -> dict[str, Any]:
    code, display, system = (segment.get_component(field, i) for i in (1, 2, 3))
    coding = {"system": LOINC if system == "LN" else system, "code": code}
    return {
        "coding": [{**coding, "display": display} if display else coding],
        "text": display or code,
    }


def _observation(obx: Hl7Segment, subject: Mapping[str, Any]) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": STATUS.get(obx.get_component(11, 1), "final"),
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": _code(obx, 3),
        "subject": subject,
        "performer": [{"reference": LAB}],
    }
    value, unit = obx.get_component(5, 1), obx.get_component(6, 1)
    if obx.get_component(2, 1) == "NM":
        observation["valueQuantity"] = {
            "value": float(value),
            "unit": unit,
            "system": UCUM,
            "code": unit,
        }
    else:
        observation["valueString"] = value
    if obx.get_component(7, 1):
        observation["referenceRange"] = [{"text": obx.get_component(7, 1)}]
    if obx.get_component(8, 1):
        flag = obx.get_component(8, 1)
        observation["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": flag}]}]
    return observation
