"""Appointment reminders by email: run on a schedule (`cronString`), it emails every patient
with a booked appointment in the next 24 hours, once per appointment.

Each reminder sent is recorded as a completed Communication whose identifier is the
appointment's, so the next run does not send it again. Patients without an email address are
named in the log (the AuditEvent), for the front desk to call. `event.input` may carry
`{"now": "<instant>"}` (tests, back-fills); a scheduled run has no input and uses the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from medplum_bots import AsyncMedplumClient, BotEvent
from medplum_bots.utils import create_reference, format_human_name

WINDOW = dt.timedelta(hours=24)
REMINDER = "https://springfield-general.example/fhir/appointment-reminder"


async def handler(medplum: AsyncMedplumClient, event: BotEvent) -> dict[str, list[str]]:
    now = _now(event.input)
    appointments = await medplum.search_resources(
        "Appointment",
        [
            ("status", "booked"),
            ("date", f"ge{_instant(now)}"),
            ("date", f"lt{_instant(now + WINDOW)}"),
            ("_sort", "date"),
        ],
    )
    sent: list[str] = []
    no_email: list[str] = []
    for appointment in appointments:
        key = f"{REMINDER}|{appointment['id']}"
        if await medplum.search_one("Communication", {"identifier": key}):
            continue
        patient = await _participant(medplum, appointment, "Patient")
        if patient is None:
            continue
        email = next(
            (t["value"] for t in patient.get("telecom") or [] if t.get("system") == "email"), None
        )
        if not email:
            print(f"No email for Patient/{patient['id']} (Appointment/{appointment['id']})")
            no_email.append(f"Appointment/{appointment['id']}")
            continue
        doctor = await _participant(medplum, appointment, "Practitioner")
        text = _text(patient, doctor, appointment)
        await medplum.send_email(
            {"to": email, "subject": "Your appointment tomorrow", "text": text}
        )
        await medplum.create_resource(
            {
                "resourceType": "Communication",
                "identifier": [{"system": REMINDER, "value": appointment["id"]}],
                "status": "completed",
                "subject": create_reference(patient),
                "recipient": [create_reference(patient)],
                "about": [create_reference(appointment)],
                "sent": _instant(now),
                "medium": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode",
                                "code": "EMAILWRIT",
                            }
                        ]
                    }
                ],
                "payload": [{"contentString": text}],
            }
        )
        sent.append(f"Appointment/{appointment['id']}")
    print(f"Reminders: {len(sent)} sent, {len(no_email)} without email")
    return {"sent": sent, "no_email": no_email}


def _now(value: Any) -> dt.datetime:
    if isinstance(value, dict) and isinstance(value.get("now"), str):
        return dt.datetime.fromisoformat(value["now"].replace("Z", "+00:00"))
    return dt.datetime.now(dt.UTC)


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _participant(
    medplum: AsyncMedplumClient, appointment: Mapping[str, Any], kind: str
) -> dict[str, Any] | None:
    for participant in appointment.get("participant") or []:
        reference = (participant.get("actor") or {}).get("reference", "")
        if reference.startswith(f"{kind}/"):
            found: dict[str, Any] = await medplum.read_reference(reference)
            return found
    return None


def _text(
    patient: Mapping[str, Any], doctor: Mapping[str, Any] | None, appointment: Mapping[str, Any]
) -> str:
    start = dt.datetime.fromisoformat(appointment["start"].replace("Z", "+00:00"))
    given = ((patient.get("name") or [{}])[0].get("given") or [""])[0]
    with_whom = (
        f" with {format_human_name(doctor['name'][0])}" if doctor and doctor.get("name") else ""
    )
    when = start.strftime("%A %d %B %Y at %H:%M UTC")
    return f"Dear {given}, this is a reminder of your appointment{with_whom} on {when}."
