"""Checking the profile form: tags, never-pair list and working hours."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.profile_input import ProfileInput, RawProfile, check_profile, check_tags, parse_clock
from serendip.domain.tags import MAX_TAG_LENGTH, MAX_TAGS_PER_KIND, normalise_tag


def _raw(**changes: object) -> RawProfile:
    values: dict[str, object] = {
        "department": None,
        "expertise": [],
        "interests": [],
        "blocked": [],
        "work_start": None,
        "work_end": None,
        "may_be_asked": True,
    }
    values.update(changes)
    return RawProfile(**values)  # type: ignore[arg-type]


@given(st.lists(st.text(max_size=60), max_size=25))
def test_checked_tags_are_normalised_distinct_and_within_limits(values: list[str]) -> None:
    tags, problem = check_tags(values, "expertise")
    if problem is None:
        assert len(tags) <= MAX_TAGS_PER_KIND and len(set(tags)) == len(tags)
        assert all(normalise_tag(t) == t and len(t) <= MAX_TAG_LENGTH for t in tags)
    else:
        assert tags == ()


@given(st.lists(st.text(max_size=60), max_size=25))
def test_checking_tags_twice_changes_nothing(values: list[str]) -> None:
    tags, problem = check_tags(values, "interest")
    if problem is None:
        assert check_tags(list(tags), "interest") == (tags, None)


def test_singular_plural_case_and_aliases_fold_to_one_tag() -> None:
    assert check_tags(["K8s", "kubernetes", " Code Reviews ", "code review"], "expertise") == (
        ("kubernetes", "code review"),
        None,
    )


def test_sixteen_tags_are_refused_with_how_many_to_remove() -> None:
    _, problem = check_tags([f"t{i}" for i in range(17)], "expertise")
    assert problem is not None and "At most 15 expertise tags" in problem and "remove 2" in problem


def test_an_overlong_tag_is_named_and_refused() -> None:
    _, problem = check_tags(["python", "y" * 41], "interest")
    assert problem is not None and "40 characters" in problem


def test_a_valid_form_becomes_profile_input() -> None:
    checked = check_profile(
        _raw(
            expertise=["Go"], blocked=["U2", "U2"], work_start="08:30", work_end="16:00", department=" Ops "
        ),
        self_id="U1",
    )
    assert checked == ProfileInput("Ops", ("go",), (), ("U2",), 510, 960, True)


def test_empty_hours_keep_nine_to_five() -> None:
    checked = check_profile(_raw(), self_id="U1")
    assert isinstance(checked, ProfileInput) and (checked.work_start, checked.work_end) == (540, 1020)


def test_each_problem_is_reported_on_its_own_field() -> None:
    errors = check_profile(
        _raw(blocked=["U1"], work_start="18:00", work_end="09:00", department="x" * 81), self_id="U1"
    )
    assert isinstance(errors, dict) and set(errors) == {"blocked", "work_end", "department"}


def test_clock_times_are_read_strictly() -> None:
    assert parse_clock("09:15") == 555
    assert parse_clock("24:00") is None and parse_clock("9") is None and parse_clock("") is None
