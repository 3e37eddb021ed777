"""Export cells are text to a spreadsheet: no formula runs, whatever a Slack name starts with."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.spreadsheet import safe_cell

FORMULA_SIGNS = "=+-@"


def test_a_plain_name_is_left_alone() -> None:
    assert safe_cell("Ada Lovelace") == "Ada Lovelace"
    assert safe_cell("") == ""


def test_a_formula_is_prefixed_even_after_whitespace_and_control_characters() -> None:
    for hostile in ("=1+1", "+1", "-1", "@SUM(A1)", " =1+1", "\r=1+1", "\n=cmd", "\x00=1", "\u00a0=1"):
        assert safe_cell(hostile) == "'" + hostile, hostile


def test_a_leading_tab_or_carriage_return_is_prefixed() -> None:
    assert safe_cell("\tname") == "'\tname"
    assert safe_cell("\rname") == "'\rname"


@given(st.text())
def test_no_cell_a_spreadsheet_reads_starts_with_a_formula_sign(value: str) -> None:
    cell = safe_cell(value)
    # Written with every field quoted and read back, the cell is one cell, and what a spreadsheet
    # sees after skipping whitespace and control characters is not a formula sign.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow([cell, "next"])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows == [[cell, "next"]]
    visible = cell.lstrip("".join(chr(c) for c in range(0x20)) + " \x7f\u00a0\u2028\u2029")
    assert not visible.startswith(tuple(FORMULA_SIGNS)) or cell.startswith("'")
