"""A PDF report: a final DiagnosticReport gets a printable PDF of its results, attached as its
`presentedForm` (what patient portals and fax bots send on).

Triggered by a Subscription on `DiagnosticReport` (create and update). Reports that are not
final are skipped. A report that already has this bot's PDF for its current results is left
alone, so the update the bot itself makes does not start it again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from medplum_bots import BotEvent, MedplumClient
from medplum_bots.utils import format_codeable_concept, format_date, format_human_name

PDF_TITLE = "report.pdf"


def handler(medplum: MedplumClient, event: BotEvent) -> dict[str, Any] | None:
    report: dict[str, Any] = event.input
    if report.get("resourceType") != "DiagnosticReport" or report.get("status") != "final":
        print(f"Skipped: report status {report.get('status')}")
        return None
    results = [medplum.read_reference(r) for r in report.get("result") or []]
    fingerprint = hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()[:16]
    title = f"{fingerprint}-{PDF_TITLE}"
    if any(f.get("title") == title for f in report.get("presentedForm") or []):
        return None
    patient = medplum.read_reference(report["subject"])
    binary = medplum.create_pdf(_document(report, patient, results), title)
    form = {"contentType": "application/pdf", "url": f"Binary/{binary['id']}", "title": title}
    kept = [
        f for f in report.get("presentedForm") or [] if not f.get("title", "").endswith(PDF_TITLE)
    ]
    updated = medplum.update_resource({**report, "presentedForm": [*kept, form]})
    print(f"PDF for DiagnosticReport/{report['id']}: Binary/{binary['id']}")
    return {"report": f"DiagnosticReport/{updated['id']}", "pdf": form["url"]}


def _document(
    report: dict[str, Any], patient: dict[str, Any], results: list[dict[str, Any]]
) -> dict[str, Any]:
    name = format_human_name((patient.get("name") or [{}])[0])
    rows = [["Test", "Result", "Flag", "Reference range"]]
    for observation in results:
        rows.append(
            [
                format_codeable_concept(observation.get("code")),
                _value(observation),
                ", ".join(
                    c.get("code", "")
                    for i in observation.get("interpretation") or []
                    for c in i.get("coding") or []
                ),
                ", ".join(r.get("text", "") for r in observation.get("referenceRange") or []),
            ]
        )
    content: list[Any] = [
        {"text": format_codeable_concept(report.get("code")), "style": "header"},
        f"Patient: {name}, born {format_date(patient.get('birthDate'))}",
        f"Collected: {format_date(report.get('effectiveDateTime'))}",
        {"table": {"headerRows": 1, "body": rows}},
    ]
    if report.get("conclusion"):
        content.append({"text": f"Conclusion: {report['conclusion']}", "margin": [0, 10, 0, 0]})
    return {"content": content, "styles": {"header": {"fontSize": 16, "bold": True}}}


def _value(observation: dict[str, Any]) -> str:
    quantity = observation.get("valueQuantity")
    if quantity:
        return f"{quantity.get('value')} {quantity.get('unit', '')}".strip()
    return str(observation.get("valueString", ""))
