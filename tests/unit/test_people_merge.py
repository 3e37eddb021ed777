"""The in-memory rules of the set-based import (`domain.people_merge`)."""

from __future__ import annotations

from dataclasses import replace

from serendip.domain.people_csv import PersonRow
from serendip.domain.people_merge import MemberFacts, apply_row, hr_zone, tag_count_problem

BASE = PersonRow(
    line=2, id="U1", email=None, name=None, department=None, timezone=None, utc_offset_minutes=0,
    manager_id=None, expertise=frozenset(), interests=frozenset(),
)  # fmt: skip


def _row(**values: object) -> PersonRow:
    return replace(BASE, **values)


def test_an_hr_department_replaces_the_directorys_and_keeps_the_first_seen_spelling() -> None:
    member = MemberFacts("U1", department="Ops", department_key="ops", department_source="directory")
    departments = {"sales": "Sales"}
    assert apply_row(member, _row(department="SALES "), forgotten=set(), departments=departments) is None
    assert (member.department, member.department_key, member.department_source) == ("Sales", "sales", "hr")


def test_a_new_department_key_takes_this_rows_spelling_for_everyone_after() -> None:
    departments: dict[str, str] = {}
    first, second = MemberFacts("U1"), MemberFacts("U2")
    apply_row(first, _row(department="Research Lab"), forgotten=set(), departments=departments)
    apply_row(second, _row(id="U2", department="research LAB"), forgotten=set(), departments=departments)
    assert first.department == second.department == "Research Lab"


def test_a_row_whose_tags_would_overflow_changes_nothing() -> None:
    member = MemberFacts("U1", expertise=frozenset(f"t{n}" for n in range(14)))
    row = _row(expertise=frozenset({"a", "b"}), department="Sales", manager_id="U9")
    assert apply_row(member, row, forgotten=set(), departments={}) is not None
    assert (member.department, member.manager_slack_id, member.added_tags) == (None, None, ())
    assert tag_count_problem(_row(interests=frozenset(f"t{n}" for n in range(16)))) is not None


def test_a_forgotten_manager_is_not_stored_and_tags_are_added_in_order() -> None:
    member = MemberFacts("U1", interests=frozenset({"chess"}))
    row = _row(manager_id="U9", expertise=frozenset({"rust", "go"}), interests=frozenset({"chess", "art"}))
    apply_row(member, row, forgotten={"U9"}, departments={})
    assert member.manager_slack_id is None
    assert member.added_tags == (("expertise", "go"), ("expertise", "rust"), ("interest", "art"))


def test_hr_zones_keep_names_and_turn_offsets_into_zones() -> None:
    assert hr_zone(" Europe/Berlin ", 60) == "Europe/Berlin"
    assert hr_zone("+05:30", 330) is not None
    member = MemberFacts("U1", tz="Asia/Tokyo", tz_source="slack")
    apply_row(member, _row(timezone="Europe/Berlin", utc_offset_minutes=60), forgotten=set(), departments={})
    assert (member.tz, member.tz_offset_minutes, member.tz_source) == ("Europe/Berlin", 60, "hr")
