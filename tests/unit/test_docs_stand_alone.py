"""The README and docs/ stand alone: every link points inside the repository, at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and <scheme://...> autolinks, outside fenced code blocks and code spans.
LINK = re.compile(r"\]\(([^)\s]+)\)|<([a-z][a-z0-9+.-]*:[^>\s]+)>", re.I)


def links(page: Path) -> list[str]:
    """Every link target of a Markdown page."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [a or b for a, b in LINK.findall(text)]


def test_the_pages_exist() -> None:
    for name in (
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "docs/commands.md",
        "docs/operating.md",
        "docs/privacy.md",
    ):
        assert (ROOT / name).is_file(), name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_stays_inside_the_repository(page: Path) -> None:
    for target in links(page):
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I), f"{target} leaves the repository"
        path = target.split("#", 1)[0]
        if not path:
            continue  # an anchor on the same page
        resolved = (page.parent / path).resolve()
        assert resolved.is_relative_to(ROOT), f"{target} points outside the repository"
        assert resolved.exists(), f"{target} does not exist"


def test_the_link_reader_sees_links_but_not_code() -> None:
    page = ROOT / "README.md"
    assert "docs/privacy.md" in links(page)
    assert not any("example.com" in target for target in links(page))


def test_the_license_is_the_apache_license_2() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_privacy_page_states_the_retention_period_and_the_mpim_history_limit() -> None:
    privacy = (ROOT / "docs" / "privacy.md").read_text()
    assert "SERENDIP_RETENTION_DAYS" in privacy and "730 days" in privacy
    assert "**Only** to find the bot's own intro posts" in privacy
