"""{{ cookiecutter.first_bot_name }}: says hello to the Patient it receives.

Generated from examples/hello_patient.py; make it yours.
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
