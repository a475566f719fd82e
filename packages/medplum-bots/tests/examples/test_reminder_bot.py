"""reminder_bot over the fixtures' appointments: Homer on 2026-12-10 15:00 UTC (has an email),
Lisa on 2026-12-11 08:30 UTC (has none)."""

from __future__ import annotations

import pytest

from medplum_bots import AsyncMedplumClient, BotEvent, InMemoryMedplum
from tests.examples.reminder_bot import REMINDER, handler

pytestmark = pytest.mark.medplum_fixtures("simpsons")


async def run(medplum: AsyncMedplumClient, now: str) -> dict[str, list[str]]:
    return await handler(medplum, BotEvent(bot={"reference": "Bot/reminders"}, input={"now": now}))


async def test_homer_is_reminded_by_email(
    async_medplum: AsyncMedplumClient, medplum_inmemory: InMemoryMedplum
) -> None:
    result = await run(async_medplum, "2026-12-10T08:00:00Z")  # Lisa's is 24.5 hours away

    assert result == {"sent": ["Appointment/homer-follow-up"], "no_email": []}
    [email] = medplum_inmemory.sent_emails
    assert email["to"] == "homer@simpsons.example"
    assert email["text"] == (
        "Dear Homer, this is a reminder of your appointment with Dr. Alice Smith on "
        "Thursday 10 December 2026 at 15:00 UTC."
    )
    [record] = await async_medplum.search_resources(
        "Communication", {"identifier": f"{REMINDER}|homer-follow-up"}
    )
    assert record["recipient"][0]["reference"] == "Patient/homer-simpson"
    assert record["payload"][0]["contentString"] == email["text"]


async def test_each_appointment_is_reminded_once(
    async_medplum: AsyncMedplumClient, medplum_inmemory: InMemoryMedplum
) -> None:
    await run(async_medplum, "2026-12-10T08:00:00Z")
    again = await run(async_medplum, "2026-12-10T09:00:00Z")  # now Lisa's is inside the window

    assert again == {"sent": [], "no_email": ["Appointment/lisa-check-up"]}
    assert len(medplum_inmemory.sent_emails) == 1


async def test_nothing_due_nothing_sent(
    async_medplum: AsyncMedplumClient,
    medplum_inmemory: InMemoryMedplum,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run(async_medplum, "2026-12-12T00:00:00Z") == {"sent": [], "no_email": []}
    assert medplum_inmemory.sent_emails == []
    assert capsys.readouterr().out == "Reminders: 0 sent, 0 without email\n"
