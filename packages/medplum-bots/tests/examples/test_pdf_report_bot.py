"""pdf_report_bot on Homer's lipid panel (final) and Bart's blood count (preliminary)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pytest
from pypdf import PdfReader

from medplum_bots import BotEvent, InMemoryMedplum, MedplumClient
from medplum_bots.testing.fixtures import Fixtures
from tests.examples.pdf_report_bot import handler

pytestmark = pytest.mark.medplum_fixtures("simpsons")


def run(medplum: MedplumClient, report: Mapping[str, Any]) -> dict[str, Any] | None:
    return handler(medplum, BotEvent(bot={"reference": "Bot/pdf"}, input=report))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_lipid_panel_gets_a_pdf_of_its_results(
    medplum: MedplumClient, medplum_fixtures: Fixtures
) -> None:
    result = run(medplum, medplum_fixtures["DiagnosticReport/homer-lipid-panel"])

    assert result is not None
    report = medplum.read_resource("DiagnosticReport", "homer-lipid-panel")
    [form] = report["presentedForm"]
    assert form["contentType"] == "application/pdf" and form["url"] == result["pdf"]
    data = medplum.download(form["url"])
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in ("Lipid panel", "Homer Jay Simpson", "242 mg/dL", "38 mg/dL", "HDL low"):
        assert expected in text


def test_its_own_update_does_not_make_another(
    medplum: MedplumClient, medplum_fixtures: Fixtures, medplum_inmemory: InMemoryMedplum
) -> None:
    run(medplum, medplum_fixtures["DiagnosticReport/homer-lipid-panel"])
    updated = medplum.read_resource("DiagnosticReport", "homer-lipid-panel")

    assert run(medplum, updated) is None
    assert len(medplum_inmemory.all("Binary")) == 1


def test_new_results_replace_the_pdf(medplum: MedplumClient, medplum_fixtures: Fixtures) -> None:
    run(medplum, medplum_fixtures["DiagnosticReport/homer-lipid-panel"])
    hdl = medplum.read_resource("Observation", "homer-hdl")
    medplum.update_resource({**hdl, "valueQuantity": {**hdl["valueQuantity"], "value": 41}})

    run(medplum, medplum.read_resource("DiagnosticReport", "homer-lipid-panel"))

    [form] = medplum.read_resource("DiagnosticReport", "homer-lipid-panel")["presentedForm"]
    assert "41 mg/dL" in pdf_text(medplum.download(form["url"]))


def test_a_preliminary_report_is_skipped(
    medplum: MedplumClient, medplum_fixtures: Fixtures, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(medplum, medplum_fixtures["DiagnosticReport/bart-blood-count"]) is None
    assert "presentedForm" not in medplum.read_resource("DiagnosticReport", "bart-blood-count")
    assert capsys.readouterr().out == "Skipped: report status preliminary\n"
