"""Fixtures for the client tests: a loopback Medplum and a retry policy that records its waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from medplum_standin.fixtures import medplum_standin  # noqa: F401

from medplum_bots.client.retry import RetryPolicy
from tests.client.loopback import Loopback, MiniMedplum, serving


class Waits(list[float]):
    """Records the waits a RetryPolicy asks for instead of sleeping."""

    def sleep(self, seconds: float) -> None:
        self.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def policy(waits: Waits) -> RetryPolicy:
    """Up to 4 attempts, jitter fixed at half the ceiling, no real sleeping."""
    return RetryPolicy(
        max_attempts=4, sleep=waits.sleep, async_sleep=waits.async_sleep, random=lambda: 0.5
    )


@pytest.fixture
def mini() -> MiniMedplum:
    return MiniMedplum()


@pytest.fixture
def server(mini: MiniMedplum) -> Iterator[Loopback]:
    with serving(mini) as running:
        yield running
