"""Hello, Patient: the Python twin of Medplum's `hello-patient.ts`.

Copy it to start a bot: `cp examples/hello_patient.py src/bots/my_bot.py`
(or let `invoke new --name my-bot` do it and add the config entries).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medplum_bots import BotEvent, MedplumClient

if TYPE_CHECKING:
    # FHIR types serve the type checker only: a deployed bot never loads them.
    from medplum_bots.fhir import Patient


def handler(medplum: MedplumClient, event: BotEvent[Patient]) -> bool:
    patient = event.input  # a Patient: mypy --strict reports patient["nmae"]
    name = (patient.get("name") or [{}])[0]
    first_name = (name.get("given") or [""])[0]
    last_name = name.get("family", "")
    print(f"Hello {first_name} {last_name}!")
    return True
