"""`render_pdf`: a pdfmake-like document definition rendered to PDF bytes with reportlab.

Medplum's `createPdf` renders a pdfmake `docDefinition` in the client and uploads the bytes
as a Binary. reportlab's platypus (paragraphs, tables, lists flowing over pages) covers what
bots put in those definitions; the subset it understands, and why reportlab, are in
docs/client.md ("create_pdf"). A node it does not understand (image, qr, canvas, svg, ...)
is refused with one line naming it, never silently dropped.

reportlab is an optional extra (`pip install 'medplum-bots[pdf]'`): it is imported on the
first PDF only, so bots that make none pay nothing for it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from medplum_bots.errors import MedplumBotsError

MISSING = "create_pdf needs reportlab: pip install 'medplum-bots[pdf]'"
# Keys of a node that only carry style (or are ignored by pdfmake's layout, like `id`).
_STYLE_KEYS = frozenset(
    {
        "style",
        "fontSize",
        "bold",
        "italics",
        "alignment",
        "margin",
        "color",
        "lineHeight",
        "pageBreak",
        "id",
        "width",
        "decoration",
        "font",
        "layout",
        "widths",
        "headerRows",
    }
)
_ALIGN = {"left": 0, "center": 1, "right": 2, "justify": 4}
_PAGE_SIZES = {"A3", "A4", "A5", "LETTER", "LEGAL"}


class PdfError(MedplumBotsError):
    """A document definition create_pdf cannot render (the message names the part)."""


def render_pdf(doc: Mapping[str, Any] | str | Sequence[Any]) -> bytes:
    """PDF bytes for `doc`: a pdfmake docDefinition (`{"content": [...], "styles": {...}}`),
    or simply its content (a string, or a list of strings and nodes)."""
    try:
        from reportlab.lib import pagesizes
    except ImportError:
        raise PdfError(MISSING) from None
    definition = doc if isinstance(doc, Mapping) else {"content": doc}
    if "content" not in definition:
        raise PdfError("create_pdf: the document definition has no 'content'")
    size_name = str(definition.get("pageSize") or "A4").upper()
    if size_name not in _PAGE_SIZES:
        raise PdfError(f"create_pdf: unsupported pageSize {definition.get('pageSize')!r}")
    size = getattr(pagesizes, size_name)
    if definition.get("pageOrientation") == "landscape":
        size = pagesizes.landscape(size)
    renderer = _Renderer(definition)
    flowables = renderer.flow(definition["content"], {})
    return renderer.build(flowables, size)


def _margins(value: Any) -> tuple[float, float, float, float]:
    """pdfmake's margin: n, [horizontal, vertical] or [left, top, right, bottom]."""
    if isinstance(value, int | float):
        return (float(value),) * 4
    if isinstance(value, Sequence) and len(value) == 2:
        h, v = (float(x) for x in value)
        return h, v, h, v
    if isinstance(value, Sequence) and len(value) == 4:
        left, top, right, bottom = (float(x) for x in value)
        return left, top, right, bottom
    raise PdfError(f"create_pdf: margin must be a number or a list of 2 or 4: {value!r}")


class _Renderer:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.definition = definition
        styles = definition.get("styles") or {}
        if not isinstance(styles, Mapping):
            raise PdfError("create_pdf: 'styles' must map names to styles")
        self.styles: Mapping[str, Any] = styles
        self.default: dict[str, Any] = dict(definition.get("defaultStyle") or {})

    # -- styles ------------------------------------------------------------------------------

    def merged(self, node: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
        """Inherited style, then named styles in order, then the node's own properties."""
        result = dict(inherited)
        names = node.get("style")
        for name in [names] if isinstance(names, str) else list(names or []):
            named = self.styles.get(name)
            if named is None:
                raise PdfError(f"create_pdf: unknown style {name!r}")
            result.update(named)
        result.update({k: v for k, v in node.items() if k in _STYLE_KEYS and k != "style"})
        return result

    def paragraph_style(self, style: Mapping[str, Any]) -> Any:
        from reportlab.lib.styles import ParagraphStyle

        full = {**self.default, **style}
        size = float(full.get("fontSize", 12))
        left, top, right, bottom = _margins(full.get("margin", 0))
        bold, italic = bool(full.get("bold")), bool(full.get("italics"))
        font = {
            (False, False): "Helvetica",
            (True, False): "Helvetica-Bold",
            (False, True): "Helvetica-Oblique",
            (True, True): "Helvetica-BoldOblique",
        }[bold, italic]
        alignment = full.get("alignment", "left")
        if alignment not in _ALIGN:
            raise PdfError(f"create_pdf: unknown alignment {alignment!r}")
        return ParagraphStyle(
            "node",
            fontName=font,
            fontSize=size,
            leading=size * float(full.get("lineHeight", 1)) * 1.17,
            alignment=_ALIGN[alignment],
            leftIndent=left,
            rightIndent=right,
            spaceBefore=top,
            spaceAfter=bottom,
            textColor=full.get("color", "black"),
        )

    # -- content -----------------------------------------------------------------------------

    def inline(self, value: Any) -> str:
        """Paragraph markup for a `text` value: a string, or inline pieces with styles."""
        if isinstance(value, str):
            return escape(value).replace("\n", "<br/>")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return escape(str(value))
        if isinstance(value, Sequence):
            return "".join(self.inline(piece) for piece in value)
        if isinstance(value, Mapping) and "text" in value:
            style = self.merged(value, {})
            text = self.inline(value["text"])
            if style.get("bold"):
                text = f"<b>{text}</b>"
            if style.get("italics"):
                text = f"<i>{text}</i>"
            if "color" in style:
                text = f'<font color="{escape(str(style["color"]))}">{text}</font>'
            if "fontSize" in style:
                text = f'<font size="{float(style["fontSize"])}">{text}</font>'
            return text
        raise PdfError(f"create_pdf: cannot render inline text {value!r:.60}")

    def flow(self, node: Any, inherited: Mapping[str, Any]) -> list[Any]:
        """The reportlab flowables of one content node (a list is a vertical stack)."""
        from reportlab.platypus import PageBreak, Paragraph

        if node is None:
            return []
        if isinstance(node, str | int | float) and not isinstance(node, bool):
            return [Paragraph(self.inline(node), self.paragraph_style(inherited))]
        if isinstance(node, Sequence) and not isinstance(node, str):
            return [f for child in node for f in self.flow(child, inherited)]
        if not isinstance(node, Mapping):
            raise PdfError(f"create_pdf: cannot render content {node!r:.60}")
        style = self.merged(node, inherited)
        kinds = [k for k in node if k not in _STYLE_KEYS]
        out: list[Any] = []
        if node.get("pageBreak") == "before":
            out.append(PageBreak())
        if "text" in node:
            out.append(Paragraph(self.inline(node["text"]), self.paragraph_style(style)))
        elif "stack" in node:
            out.extend(self.flow(node["stack"], style))
        elif "table" in node:
            out.append(self.table(node["table"], style, node.get("layout")))
        elif "columns" in node:
            out.append(self.columns(node["columns"], style))
        elif "ul" in node or "ol" in node:
            out.append(self.listing(node, style))
        else:
            what = ", ".join(repr(k) for k in kinds) or "no content key"
            raise PdfError(f"create_pdf: unsupported node ({what}); see docs/client.md")
        if node.get("pageBreak") == "after":
            out.append(PageBreak())
        return out

    def cell(self, value: Any, style: Mapping[str, Any]) -> list[Any]:
        return self.flow(value, style) if value not in ("", None) else []

    def table(self, table: Any, style: Mapping[str, Any], layout: Any) -> Any:
        from reportlab.platypus import Table, TableStyle

        if not isinstance(table, Mapping) or not isinstance(table.get("body"), Sequence):
            raise PdfError("create_pdf: a table needs a 'body' (a list of rows)")
        body = [[self.cell(c, style) for c in row] for row in table["body"]]
        widths = table.get("widths")
        col_widths = None
        if isinstance(widths, Sequence):
            col_widths = [w if isinstance(w, int | float) else None for w in widths]
        header_rows = int(table.get("headerRows", 0))
        commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
        if layout != "noBorders":
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
        return Table(body, colWidths=col_widths, repeatRows=header_rows, style=TableStyle(commands))

    def columns(self, columns: Any, style: Mapping[str, Any]) -> Any:
        from reportlab.platypus import Table

        if not isinstance(columns, Sequence):
            raise PdfError("create_pdf: 'columns' must be a list")
        return Table([[self.cell(c, style) for c in columns]])

    def listing(self, node: Mapping[str, Any], style: Mapping[str, Any]) -> Any:
        from reportlab.platypus import ListFlowable, ListItem

        ordered = "ol" in node
        items = node["ol" if ordered else "ul"]
        if not isinstance(items, Sequence) or isinstance(items, str):
            raise PdfError("create_pdf: 'ul' and 'ol' take a list of items")
        return ListFlowable(
            [ListItem(self.flow(item, style)) for item in items],
            bulletType="1" if ordered else "bullet",
        )

    def build(self, flowables: list[Any], size: Any) -> bytes:
        from reportlab.platypus import SimpleDocTemplate

        left, top, right, bottom = _margins(self.definition.get("pageMargins", 40))
        info = self.definition.get("info") or {}
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=size,
            leftMargin=left,
            topMargin=top,
            rightMargin=right,
            bottomMargin=bottom,
            title=str(info.get("title", "")),
            author=str(info.get("author", "")),
            subject=str(info.get("subject", "")),
        )
        document.build(flowables)
        return buffer.getvalue()
