"""Cells that spreadsheet software shows as text, never runs as a formula (CSV injection)."""

from __future__ import annotations

import re

# What a spreadsheet treats as the start of a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@")
# Whitespace and control characters a spreadsheet skips before it looks for a formula sign.
_SKIPPED = re.compile(r"^[\s\x00-\x1f\x7f-\x9f]*")


def safe_cell(value: str) -> str:
    """The value with a leading apostrophe when a spreadsheet would read it as a formula."""
    rest = _SKIPPED.sub("", value, count=1)
    if rest.startswith(_FORMULA_START) or value.startswith(("\t", "\r")):
        return "'" + value
    return value
