"""The generated documentation and Dependabot config: a short start page, links that resolve."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template import render

README_MAX_LINES = 150
DOCS = ("configuration", "deploying", "running-python-bots", "ci-cd", "testing", "writing-bots")

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@pytest.fixture(scope="module", params=[False, True], ids=["defaults", "with-examples"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("docs"), include_sync_examples=request.param)


def prose(text: str) -> str:
    """Markdown without code blocks and inline code: where links and headings really are."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def anchors(markdown: Path) -> set[str]:
    """GitHub's heading anchors: lowercased, punctuation dropped, spaces to '-', -1 on repeats."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", markdown.read_text())):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def pages(project: Path) -> list[Path]:
    return [project / "README.md", *sorted((project / "docs").glob("*.md"))]


def test_the_readme_is_a_start_page(project: Path) -> None:
    lines = (project / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, len(lines)


def test_every_reference_page_exists_and_the_readme_links_it(project: Path) -> None:
    assert sorted(p.stem for p in (project / "docs").glob("*.md")) == sorted(DOCS)
    links = set(LINK.findall(prose((project / "README.md").read_text())))
    for name in DOCS:
        assert f"docs/{name}.md" in links, name


def test_every_relative_link_points_to_an_existing_file_and_anchor(project: Path) -> None:
    broken = []
    for page in pages(project):
        for target in LINK.findall(prose(page.read_text())):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto: ...
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(project)} -> {target}"
            if not linked.exists():
                broken.append(f"{where}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where}: no such heading")
    assert not broken, "\n".join(broken)


def test_the_docs_are_rendered(project: Path) -> None:
    for page in pages(project):
        text = page.read_text()
        assert "{%" not in text, page
        assert not re.search(r"cookiecutter\.\w", text), page


def test_the_docs_describe_the_pinned_tooling_not_source(project: Path) -> None:
    everything = "\n".join(page.read_text() for page in pages(project))
    assert "src/medplum_bots" not in everything
    for maintainer_note in ("CVE-", "h11", "sniffio", "http1_transport"):
        assert maintainer_note not in everything, maintainer_note
    updating = (project / "docs/ci-cd.md").read_text()
    assert "cruft update" in updating
    assert "medplum-bots[http]==X.Y.Z" in updating
    assert "invoke lock\nsh scripts/install-locked.sh\ninvoke lint test" in updating


def test_dependabot_watches_pip_and_github_actions(project: Path) -> None:
    config: dict[str, Any] = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
