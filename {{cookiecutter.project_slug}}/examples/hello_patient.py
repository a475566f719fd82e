"""Hello, Patient: the Python twin of Medplum's `hello-patient.ts`.

Copy it to start a bot: `cp examples/hello_patient.py src/bots/my_bot.py`
(or let `invoke new --name my-bot` do it and add the config entries).
"""

from typing import Any

from medplum_bots import BotEvent, MedplumClient


def handler(medplum: MedplumClient, event: BotEvent) -> Any:
    patient = event.input
    name = (patient.get("name") or [{}])[0]
    first_name = (name.get("given") or [""])[0]
    last_name = name.get("family", "")
    print(f"Hello {first_name} {last_name}!")
    return True
