"""The people CSV reader shared by import-people and simulate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from serendip.domain.people_csv import PeopleFileError, read_people_csv, utc_offset_minutes

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_carry_every_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,name,department,timezone,manager_id,expertise,interests\n"
        "U1,Ada,Eng,Europe/Berlin,U9,Python; k8s,ML;;chess\n",
    )
    parsed = read_people_csv(path, at=WINTER)
    assert parsed.problems == []
    (row,) = parsed.rows
    assert (row.line, row.id, row.name, row.department, row.manager_id) == (2, "U1", "Ada", "Eng", "U9")
    assert row.timezone == "Europe/Berlin" and row.utc_offset_minutes == 60
    assert row.expertise == frozenset({"python", "kubernetes"})
    assert row.interests == frozenset({"machine learning", "chess"})


def test_iana_zones_follow_daylight_saving_at_the_reference_instant() -> None:
    assert utc_offset_minutes("Europe/Berlin", WINTER) == 60
    assert utc_offset_minutes("Europe/Berlin", SUMMER) == 120
    assert utc_offset_minutes("America/New_York", SUMMER) == -240


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [
        ("", 0),
        ("UTC", 0),
        ("+05:30", 330),
        ("-0800", -480),
        ("+5", 300),
        ("UTC+05:45", 345),
        ("-03:30", -210),
    ],
)
def test_offsets_and_blank_are_read_as_minutes(raw: str, minutes: int) -> None:
    assert utc_offset_minutes(raw, WINTER) == minutes


@pytest.mark.parametrize("raw", ["Mars/Olympus", "+15:00", "+05:75", "../etc/passwd", "Europe"])
def test_unknown_zones_and_bad_offsets_are_problems(raw: str) -> None:
    assert isinstance(utc_offset_minutes(raw, WINTER), str)


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "email,id,timezone\n"
        "a@x.org,U1,\n"
        "\n"
        "b@x.org,U1,\n"
        "A@X.org,U3,\n"
        "c@x.org,U4,Nowhere/City\n"
        ",,+01:00\n"
        "d@x.org,U6,+01:00\n",
    )
    parsed = read_people_csv(path, at=WINTER)
    assert [r.id for r in parsed.rows] == ["U1", "U6"]
    assert [p.line for p in parsed.problems] == [4, 5, 6, 7]
    assert str(parsed.problems[0]) == f"{path}:4: duplicate id 'U1' (first on line 2)"
    assert "duplicate email" in parsed.problems[1].message
    assert "unknown time zone 'Nowhere/City'" in parsed.problems[2].message


def test_a_header_without_id_or_email_is_a_problem_on_line_one(tmp_path: Path) -> None:
    parsed = read_people_csv(write(tmp_path, "name,department\nAda,Eng\n"), at=WINTER)
    assert parsed.rows == [] and [p.line for p in parsed.problems] == [1]


def test_a_quoted_value_over_two_lines_is_refused_and_line_numbers_stay_right(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,name\nU1,"Ada\nLovelace"\nU1,Bob\n')
    parsed = read_people_csv(path, at=WINTER)
    assert [(p.line, p.last_line) for p in parsed.problems] == [(2, 3)]
    assert [(r.line, r.name) for r in parsed.rows] == [(4, "Bob")]


def test_a_byte_order_mark_and_header_case_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffID,Department\nU1,Eng\n".encode())
    assert read_people_csv(path, at=WINTER).rows[0].department == "Eng"


def test_unreadable_files_raise_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PeopleFileError, match="cannot read"):
        read_people_csv(tmp_path / "missing.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"id\n\xff\xfe\x00")
    with pytest.raises(PeopleFileError, match="not UTF-8"):
        read_people_csv(binary)
