"""Every line of a people file is the header, a row, a problem or blank: the reader loses none."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.domain.people_csv import PeopleFile, parse_people_csv

AT = datetime(2026, 6, 1, tzinfo=UTC)


def parse(text: str) -> PeopleFile:
    """Parse with a fixed instant."""
    return parse_people_csv(text, path="people.csv", at=AT)


def test_an_unclosed_quote_covers_every_line_it_swallowed() -> None:
    text = 'id,name\nU1,A\nU2,"B\n' + "".join(f"U{n},N\n" for n in range(3, 50))
    result = parse(text)
    assert [r.id for r in result.rows] == ["U1"]
    assert [(p.line, p.last_line) for p in result.problems] == [(3, 50)]
    assert result.unaccounted_lines() == []


def test_a_field_past_the_csv_limit_is_one_problem_and_reading_goes_on() -> None:
    result = parse("id,name\nU1,A\nU2," + "x" * 200_000 + "\nU3,C\n")
    assert [r.id for r in result.rows] == ["U1", "U3"]
    assert [p.line for p in result.problems] == [3]
    assert result.unaccounted_lines() == []


def test_blank_lines_are_accounted_for() -> None:
    result = parse("id,name\n\nU1,A\n,\n")
    assert result.blank_lines == [2, 4]
    assert result.unaccounted_lines() == []


def test_an_empty_file_has_nothing_to_account_for() -> None:
    result = parse("")
    assert result.rows == [] and result.unaccounted_lines() == []


CELL = st.text(alphabet='ab,"\n\r\t;=', max_size=12)


@settings(max_examples=300)
@given(st.lists(CELL, min_size=0, max_size=30))
def test_no_line_of_any_file_goes_unaccounted(lines: list[str]) -> None:
    result = parse("id,name\n" + "\n".join(lines))
    assert result.unaccounted_lines() == []
    # The count is made apart from the reader: lines in the text, as the csv module splits them.
    assert result.lines <= len(("id,name\n" + "\n".join(lines)).splitlines()) + 1
