"""A bot run with content type `x-application/hl7-v2+er7` receives an `Hl7Message`, in tests,
in `invoke run` (local_run) and on the runtime (the adapter); returning one answers its text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medplum_bots import BotEvent, MedplumClient
from medplum_bots.config import load_config
from medplum_bots.hl7 import Hl7Message, input_for
from medplum_bots.runtime.local_run import run_local
from medplum_bots.testing import InMemoryMedplum, execute_sync, make_payload
from medplum_bots.utils import ContentType
from tests.hl7.messages import ADT_A08_V23, ORU_R01


def acknowledge(medplum: MedplumClient, event: BotEvent[Hl7Message]) -> Hl7Message:
    message = event.input
    assert isinstance(message, Hl7Message), type(message)
    print("from", message.header.get_field(3), "about", message.get_segment("PID"))
    return message.build_ack()


def test_the_runtime_hands_an_hl7_message_and_answers_the_acks_text() -> None:
    result = execute_sync(acknowledge, make_payload(ORU_R01, content_type=ContentType.HL7_V2))
    assert result.ok, result.outcome
    ack = Hl7Message.parse(result.result)
    assert ack.get_segment("MSA") is not None
    assert ack.get_segment("MSA").get_component(2, 1) == "CTRL-42"  # type: ignore[union-attr]
    assert ack.header.get_field(9).to_string() == "ACK^R01^ACK"  # type: ignore[union-attr]
    assert result.logs == [f"from LAB about {ORU_R01.split(chr(13))[1]}"]


def test_hl7_messages_inside_a_json_result_are_text() -> None:
    def several(medplum: MedplumClient, event: BotEvent) -> dict[str, Any]:
        return {"acks": [event.input.build_ack(), event.input.build_ack("AE")]}

    result = execute_sync(several, make_payload(ADT_A08_V23, content_type=ContentType.HL7_V2))
    assert result.ok, result.outcome
    acks = [Hl7Message.parse(text).get_segment(1) for text in result.result["acks"]]
    assert [ack.get_component(1, 1) for ack in acks if ack] == ["AA", "AE"]


def test_a_test_builds_the_event_as_the_runtime_does() -> None:
    medplum = InMemoryMedplum().client()
    event = BotEvent(bot={"reference": "Bot/1"}, input=input_for(ContentType.HL7_V2, ORU_R01))
    assert str(acknowledge(medplum, event)).startswith("MSH|^~\\&|EHR|CLINIC|LAB|ACME LAB|")


def test_only_hl7_content_with_an_msh_becomes_a_message() -> None:
    assert input_for("x-application/hl7-v2+er7; charset=utf-8", ORU_R01).segments
    assert input_for(ContentType.HL7_V2, "PID|1") == "PID|1"
    assert input_for(ContentType.TEXT, ORU_R01) == ORU_R01
    assert input_for(ContentType.JSON, {"a": 1}) == {"a": 1}


def test_invoke_run_hands_an_hl7_file_to_the_bot_as_a_message(tmp_path: Path) -> None:
    (tmp_path / "src" / "bots").mkdir(parents=True)
    (tmp_path / "src" / "bots" / "ack_bot.py").write_text(
        "from medplum_bots import BotEvent, MedplumClient\n"
        "from medplum_bots.hl7 import Hl7Message\n\n\n"
        "def handler(medplum: MedplumClient, event: BotEvent[Hl7Message]) -> Hl7Message:\n"
        "    print(type(event.input).__name__, len(event.input.segments))\n"
        "    return event.input.build_ack('AE')\n"
    )
    entry = {"name": "ack-bot", "environment": "local", "source": "src/bots/ack_bot.py"}
    config = {
        "environments": {"local": {"baseUrl": "http://medplum.local/"}},
        "bots": [{**entry, "id": "", "dist": "dist/ack_bot.py"}],
    }
    (tmp_path / "medplum.config.json").write_text(json.dumps(config))
    # A file with newlines, as editors save messages.
    run = run_local(
        load_config(tmp_path / "medplum.config.json"), "ack-bot", ADT_A08_V23, input_name="adt.hl7"
    )
    assert run.result.ok, run.result.outcome
    assert run.result.logs == ["Hl7Message 3"]
    assert run.result.result.split("\r")[1] == "MSA|AE|ABC0000000003|Application Error"
