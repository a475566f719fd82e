"""Composite calls go through the public methods, as @medplum/core's do: a subclass (or a test
double) that changes `create_binary` or `create_resource` changes them too."""

from __future__ import annotations

import asyncio
from typing import Any

from medplum_bots import AsyncMedplumClient, InMemoryMedplum, MedplumClient
from medplum_bots.client.core import SecurityContext
from medplum_bots.testing.inmemory import BASE_URL, NO_WAIT


class Recording(MedplumClient):
    def __init__(self, memory: InMemoryMedplum) -> None:
        super().__init__(
            BASE_URL, access_token=memory.issue_token(), transport=memory, retry=NO_WAIT
        )
        self.calls: list[tuple[str, Any]] = []

    def create_binary(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
    ) -> dict[str, Any]:
        self.calls.append(("create_binary", (content_type, filename, security_context)))
        return super().create_binary(
            data, content_type, filename, security_context=security_context
        )

    def create_resource(self, resource: Any) -> Any:
        self.calls.append(("create_resource", resource["resourceType"]))
        return super().create_resource(resource)


class AsyncRecording(AsyncMedplumClient):
    def __init__(self, memory: InMemoryMedplum) -> None:
        super().__init__(
            BASE_URL, access_token=memory.issue_token(), transport=memory, retry=NO_WAIT
        )
        self.calls: list[str] = []

    async def create_binary(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
    ) -> dict[str, Any]:
        self.calls.append(content_type)
        return await super().create_binary(
            data, content_type, filename, security_context=security_context
        )


def test_attachments_media_and_pdfs_go_through_create_binary() -> None:
    medplum = Recording(InMemoryMedplum())
    medplum.create_attachment(b"a", "text/plain", "a.txt")
    medplum.create_pdf("report")
    media = medplum.create_media(b"m", "image/png")

    assert medplum.calls == [
        ("create_binary", ("text/plain", "a.txt", None)),
        ("create_binary", ("application/pdf", None, None)),
        ("create_resource", "Media"),
        ("create_binary", ("image/png", None, {"reference": f"Media/{media['id']}"})),
    ]


def test_async_attachments_go_through_create_binary() -> None:
    async def main() -> list[str]:
        async with AsyncRecording(InMemoryMedplum()) as medplum:
            await medplum.create_attachment(b"a", "text/plain")
            await medplum.create_document_reference(b"%PDF", "application/pdf")
            await medplum.create_pdf(["x"])
            return medplum.calls

    assert asyncio.run(main()) == ["text/plain", "application/pdf", "application/pdf"]
