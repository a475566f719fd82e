"""oru_bot: lab results for Homer (MRN SGH-0001) against his lipid-panel order in the fixtures."""

from __future__ import annotations

import pytest

from medplum_bots import AsyncMedplumClient, BotEvent, InMemoryMedplum
from medplum_bots.hl7 import HL7_V2, Hl7Message
from medplum_bots.testing import execute_sync, make_payload
from medplum_bots.testing.fixtures import Fixtures
from tests.examples.oru_bot import REPORT, handler

pytestmark = pytest.mark.medplum_fixtures("simpsons")

ORU = "\r".join(
    [
        "MSH|^~\\&|SRL-LIS|SHELBYVILLE-LAB|MEDPLUM|SPRINGFIELD-GENERAL|20261203143000||"
        "ORU^R01^ORU_R01|MSG00042|P|2.5.1",
        "PID|1||SGH-0001^^^SGH^MR||SIMPSON^HOMER^JAY||19560512|M",
        "OBR|1|ORD-2026-0042|SRL-88413|24323-8^Comprehensive metabolic panel^LN|||20261203080000"
        "|||||||||||||||20261203140000|||F",
        "OBX|1|NM|2345-7^Glucose [Mass/volume] in Serum or Plasma^LN||182|mg/dL|70-99|H|||F",
        "OBX|2|NM|4548-4^Hemoglobin A1c/Hemoglobin.total in Blood^LN||8.1|%|4.0-5.6|H|||F",
        "OBX|3|ST|8251-1^Service comment^LN||Fasting sample||||||F",
    ]
)


async def run(medplum: AsyncMedplumClient, text: str) -> Hl7Message:
    event = BotEvent(
        bot={"reference": "Bot/oru"}, input=Hl7Message.parse(text), content_type=HL7_V2
    )
    return await handler(medplum, event)


async def test_results_become_a_report_on_homers_order(
    async_medplum: AsyncMedplumClient, medplum_fixtures: Fixtures
) -> None:
    ack = await run(async_medplum, ORU)

    msa = ack.get_segment("MSA")
    assert msa is not None and (msa.get_component(1, 1), msa.get_component(2, 1)) == (
        "AA",
        "MSG00042",
    )
    [report] = await async_medplum.search_resources(
        "DiagnosticReport", {"identifier": f"{REPORT}|SRL-88413"}
    )
    homer = medplum_fixtures.reference("Patient/homer-simpson")["reference"]
    assert report["subject"]["reference"] == homer
    assert report["basedOn"][0]["reference"] == "ServiceRequest/homer-lipid-panel-order"
    assert (report["status"], report["effectiveDateTime"]) == ("final", "2026-12-03T08:00:00.000Z")
    results = [await async_medplum.read_reference(r) for r in report["result"]]
    assert [
        (o["code"]["coding"][0]["code"], o.get("valueQuantity", {}).get("value")) for o in results
    ] == [
        ("2345-7", 182.0),
        ("4548-4", 8.1),
        ("8251-1", None),
    ]
    assert results[2]["valueString"] == "Fasting sample"
    assert results[0]["interpretation"][0]["coding"][0]["code"] == "H"
    assert all(o["subject"]["reference"] == homer for o in results)


async def test_the_same_message_twice_is_stored_once(async_medplum: AsyncMedplumClient) -> None:
    await run(async_medplum, ORU)
    ack = await run(async_medplum, ORU)

    assert "\rMSA|AA|MSG00042|" in str(ack)
    reports = await async_medplum.search_resources(
        "DiagnosticReport", {"identifier": f"{REPORT}|SRL-88413"}
    )
    assert len(reports) == 1
    glucose = await async_medplum.search_resources("Observation", {"code": "2345-7"})
    assert len(glucose) == 1


async def test_an_unknown_mrn_is_refused_with_an_error_ack(
    async_medplum: AsyncMedplumClient, medplum_inmemory: InMemoryMedplum
) -> None:
    ack = await run(async_medplum, ORU.replace("SGH-0001", "SGH-9999"))

    assert str(ack).split("\r")[1:] == [
        "MSA|AE|MSG00042|Application Error",
        "ERR||||E||||Unknown MRN SGH-9999",
    ]
    stored = sorted(r["id"] for r in medplum_inmemory.all("DiagnosticReport"))
    assert stored == ["bart-blood-count", "homer-lipid-panel"]  # the fixtures' only
    assert len(medplum_inmemory.all("Observation")) == 13


def test_as_deployed_the_answer_is_the_ack_text(medplum_inmemory: InMemoryMedplum) -> None:
    """Through the runtime's adapter with HL7 v2 text in: the answer is the ACK's text."""
    result = execute_sync(
        handler, make_payload(ORU, content_type=HL7_V2), transport=medplum_inmemory
    )

    assert result.ok, result.outcome
    assert isinstance(result.result, str) and "\rMSA|AA|MSG00042" in result.result
    assert result.logs == ["Report SRL-88413 for MRN SGH-0001: 3 result(s)"]
