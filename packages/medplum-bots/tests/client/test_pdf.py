"""create_pdf: what it renders, what it refuses, what it sends (loopback HTTP)."""

from __future__ import annotations

import asyncio
import io
import sys

import pytest
from pypdf import PdfReader

from medplum_bots import AsyncMedplumClient, MedplumClient
from medplum_bots.client.pdf import MISSING, PdfError, render_pdf
from tests.client.loopback import Reply, Seen, serving


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_plain_python_document_is_paragraphs() -> None:
    assert "Hello Medplum" in text_of(render_pdf("Hello Medplum"))
    text = text_of(render_pdf(["First paragraph", "Second <one> & more"]))
    assert "First paragraph" in text and "Second <one> & more" in text


def test_docdefinition_layout() -> None:
    data = render_pdf(
        {
            "pageSize": "LETTER",
            "pageOrientation": "landscape",
            "info": {"title": "Superbill"},
            "defaultStyle": {"fontSize": 10},
            "content": [
                {"text": ["Patient: ", {"text": "Homer", "bold": True}], "alignment": "center"},
                {"columns": ["left column", {"stack": ["right", "column"]}]},
                {"ol": ["one", "two"]},
                {"text": "next page", "pageBreak": "before"},
            ],
        }
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (792, 612)  # landscape letter
    assert reader.metadata is not None and reader.metadata.title == "Superbill"
    first = reader.pages[0].extract_text()
    assert "Patient: Homer" in first and "left column" in first and "two" in first
    assert "next page" in reader.pages[1].extract_text()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"content": [{"image": "data:image/png;base64,AAAA"}]}, "unsupported node ('image')"),
        ({"content": [{"qr": "text"}]}, "unsupported node ('qr')"),
        ({"content": {"text": "x", "style": "nope"}}, "unknown style 'nope'"),
        ({"styles": {}}, "has no 'content'"),
        ({"content": "x", "pageSize": "B7"}, "unsupported pageSize 'B7'"),
        ({"content": {"table": {"widths": [1]}}}, "a table needs a 'body'"),
        ({"content": {"text": "x", "margin": [1, 2, 3]}}, "margin must be"),
    ],
)
def test_what_it_cannot_render_is_refused_in_one_line(doc: object, message: str) -> None:
    with pytest.raises(PdfError) as caught:
        render_pdf(doc)  # type: ignore[arg-type]
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_without_reportlab_one_line_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "reportlab" or m.startswith("reportlab.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "reportlab", None)  # import reportlab -> ImportError

    with pytest.raises(PdfError) as caught:
        render_pdf("x")
    assert (
        str(caught.value)
        == MISSING
        == ("create_pdf needs reportlab: pip install 'medplum-bots[pdf]'")
    )


def binary_server(seen: Seen) -> Reply:
    return Reply(201, {"resourceType": "Binary", "id": "b1", "contentType": "application/pdf"})


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_create_pdf_uploads_a_pdf_binary(kind: str) -> None:
    with serving(binary_server) as server:
        if kind == "sync":
            with MedplumClient(server.base_url, access_token="t") as medplum:
                binary = medplum.create_pdf(["Hello"], "hello.pdf", security_context="Patient/1")
        else:

            async def main() -> dict[str, object]:
                async with AsyncMedplumClient(server.base_url, access_token="t") as medplum:
                    return await medplum.create_pdf(
                        ["Hello"], "hello.pdf", security_context="Patient/1"
                    )

            binary = asyncio.run(main())

    assert binary == {"resourceType": "Binary", "id": "b1", "contentType": "application/pdf"}
    [request] = server.seen
    assert (request.method, request.path) == ("POST", "/fhir/R4/Binary?_filename=hello.pdf")
    assert request.headers["content-type"] == "application/pdf"
    assert request.headers["x-security-context"] == "Patient/1"
    assert "Hello" in text_of(request.body)
