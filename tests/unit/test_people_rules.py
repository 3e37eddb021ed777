"""Who takes part, who is paused, who is placed, and which ties are cross-team (domain.people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.departments import department_key, same_team
from serendip.domain.people import (
    is_cross_team,
    is_eligible_at,
    is_enrolled,
    is_participant,
    is_paused_at,
    is_person,
)
from serendip.services.ports import DirectoryUser

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Account:
    is_deleted: bool = False
    is_bot: bool = False
    is_guest: bool = False


@dataclass(frozen=True)
class Standing:
    opted_out: bool = False
    paused: bool = False
    paused_until: datetime | None = None
    skip_next: bool = False


ACCOUNTS = st.builds(Account, st.booleans(), st.booleans(), st.booleans())
UNTIL = st.none() | st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=30)).map(
    lambda d: NOW + d
)
STANDINGS = st.builds(Standing, st.booleans(), st.booleans(), UNTIL, st.booleans())
DEPARTMENTS = (
    st.none() | st.sampled_from(["Sales", " sales", "SALES", "Platform", "", " "]) | st.text(max_size=8)
)


@given(ACCOUNTS)
def test_only_an_active_full_human_member_is_a_person(account: Account) -> None:
    assert is_person(account) == (account == Account())


@given(ACCOUNTS, STANDINGS | st.none())
def test_a_participant_is_an_enrolled_person(account: Account, standing: Standing | None) -> None:
    enrolled = standing is not None and not standing.opted_out
    assert is_enrolled(standing) == enrolled
    assert is_participant(account, standing) == (enrolled and is_person(account))


@given(STANDINGS)
def test_a_pause_holds_until_its_end_or_forever(standing: Standing) -> None:
    ahead = standing.paused_until is None or standing.paused_until > NOW
    assert is_paused_at(standing, NOW) == (standing.paused and ahead)


def test_a_dated_pause_ends_exactly_at_its_end() -> None:
    standing = Standing(paused=True, paused_until=NOW)
    assert is_paused_at(standing, NOW - timedelta(microseconds=1))
    assert not is_paused_at(standing, NOW)


def test_a_stale_end_date_without_the_pause_flag_is_no_pause() -> None:
    assert not is_paused_at(Standing(paused=False, paused_until=NOW + timedelta(days=3)), NOW)


@given(
    ACCOUNTS,
    STANDINGS | st.none(),
    st.timedeltas(min_value=timedelta(days=-40), max_value=timedelta(days=40)),
)
def test_an_eligible_member_participates_unpaused_and_not_skipping(
    account: Account, standing: Standing | None, offset: timedelta
) -> None:
    at = NOW + offset
    expected = (
        standing is not None
        and is_participant(account, standing)
        and not is_paused_at(standing, at)
        and not standing.skip_next
    )
    assert is_eligible_at(account, standing, at) == expected


@pytest.mark.parametrize(
    ("flags", "person"),
    [({}, True), ({"is_guest": True}, False), ({"is_bot": True}, False), ({"is_deleted": True}, False)],
)
def test_the_directory_user_uses_the_same_rule(flags: dict[str, bool], person: bool) -> None:
    user = DirectoryUser(id="U1", team_id="T1", name="n", real_name="N", **flags)
    assert user.is_person == is_person(user) == person


@given(DEPARTMENTS, DEPARTMENTS)
def test_a_cross_team_tie_needs_two_known_departments_of_different_teams(
    a: str | None, b: str | None
) -> None:
    known = department_key(a) is not None and department_key(b) is not None
    assert is_cross_team(a, b) == (known and not same_team(a, b))
    assert is_cross_team(a, b) == is_cross_team(b, a)


@pytest.mark.parametrize(
    ("a", "b", "cross"),
    [
        ("Sales", " sales", False),
        ("Sales", "Platform", True),
        ("Sales", None, False),
        ("Sales", "  ", False),
        (None, None, False),
    ],
)
def test_spellings_of_one_team_and_unknown_departments_are_never_cross_team(
    a: str | None, b: str | None, cross: bool
) -> None:
    assert is_cross_team(a, b) == cross
