"""A program's kind and season length: sizes fit the kind, the kind waits for the season to end."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import AuditEntry, Intro, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.commands import AdminSetting, SettingValue
from serendip.domain.lifecycle import CircleState, RoundState
from serendip.domain.program_kinds import ProgramKind
from serendip.services import administration
from serendip.services.administration import Outcome, SettingRefused
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(8, 2, seed=3)) as emulator:
        yield emulator


def _set(database: Database, program_id: int, values: Mapping[AdminSetting, SettingValue]) -> Outcome:
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        return administration.change_settings(session, program, actor="UADMIN", values=values, now=utcnow())


def _program(database: Database, program_id: int) -> tuple[str, int, int]:
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        return program.kind, program.group_size, program.season_weeks


def _audited(database: Database) -> list[tuple[str, object, object]]:
    with database.transaction() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "program.set").order_by(AuditEntry.id)
        )
        return [(r.detail["setting"], r.detail["old"], r.detail["new"]) for r in rows if r.detail]


def _season(
    database: Database, program_id: int, ends_in: timedelta, *, circle: CircleState | None = None
) -> None:
    now = utcnow()
    with database.transaction() as session:
        round_ = Round(
            program_id=program_id,
            scheduled_for=now - timedelta(weeks=1),
            state=RoundState.DONE,
            season_ends_at=now + ends_in,
            vote_closes_at=now + ends_in + timedelta(days=3),
        )
        session.add(round_)
        session.flush()
        if circle is not None:
            session.add(Intro(round_id=round_.id, topic="go", circle_state=circle.value))


def test_switching_to_circles_resets_pairs_to_five_and_says_so(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    outcome = _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    assert _program(database, program_id) == ("circles", 5, 12)
    assert outcome.changes[0] == "kind: intros → circles"
    assert "group size: pairs → groups of 5" in outcome.changes[1]
    assert "pairs don't fit circles, which take 3 to 8 people" in outcome.changes[1]
    assert _audited(database) == [("kind", "intros", "circles"), ("size", 2, 5)]


def test_a_size_that_fits_both_kinds_stays_when_the_kind_changes(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.SIZE: 4})
    outcome = _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    assert _program(database, program_id)[:2] == ("circles", 4) and outcome.changes == [
        "kind: intros → circles"
    ]


def test_back_to_intros_a_circle_size_of_eight_becomes_pairs(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    _set(database, program_id, {AdminSetting.SIZE: 8})
    outcome = _set(database, program_id, {AdminSetting.KIND: ProgramKind.INTROS})
    assert _program(database, program_id)[:2] == ("intros", 2)
    assert "groups of 8 don't fit intros, which take 2 to 6 people" in outcome.changes[1]


@pytest.mark.parametrize(
    ("kind", "size", "fits"),
    [("intros", 7, False), ("intros", 6, True), ("circles", 2, False), ("circles", 8, True)],
)
def test_a_size_must_fit_the_program_s_kind(
    database: Database, slack: SlackEmulator, kind: str, size: int, fits: bool
) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind(kind)})
    before = _program(database, program_id)
    if fits:
        _set(database, program_id, {AdminSetting.SIZE: size})
        assert _program(database, program_id)[1] == size
        return
    with pytest.raises(SettingRefused) as refused:
        _set(database, program_id, {AdminSetting.SIZE: size})
    allowed = "2 to 6" if kind == "intros" else "3 to 8"
    assert f"pick a size from {allowed}" in str(refused.value) and refused.value.field == "size"
    assert _program(database, program_id) == before


def test_the_settings_form_switching_kind_with_an_untouched_size_resets_it(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    outcome = _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES, AdminSetting.SIZE: 2})
    assert (
        _program(database, program_id)[:2] == ("circles", 5) and "back to their default" in outcome.changes[1]
    )
    with pytest.raises(SettingRefused):
        _set(database, program_id, {AdminSetting.KIND: ProgramKind.INTROS, AdminSetting.SIZE: 8})
    assert _program(database, program_id)[:2] == ("circles", 5)


@pytest.mark.parametrize(
    ("ends_in", "circle"),
    [
        (timedelta(weeks=3), None),  # the season is running
        (timedelta(days=-1), None),  # it ended and its circles are voting
        (timedelta(days=-30), CircleState.ACTIVE),  # long over, but a circle was never closed
    ],
)
def test_the_kind_changes_only_between_seasons(
    database: Database, slack: SlackEmulator, ends_in: timedelta, circle: CircleState | None
) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    _season(database, program_id, ends_in, circle=circle)
    with pytest.raises(SettingRefused) as refused:
        _set(database, program_id, {AdminSetting.KIND: ProgramKind.INTROS})
    assert "changes only between seasons" in str(refused.value) and "Nothing was changed" in str(
        refused.value
    )
    assert _program(database, program_id)[:2] == ("circles", 5)
    assert _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES}).unchanged == [
        "kind is already circles"
    ]


def test_after_the_vote_the_kind_changes_again(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    _season(database, program_id, -timedelta(days=4), circle=CircleState.ENDED)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind.INTROS})
    assert _program(database, program_id)[:2] == ("intros", 5)  # groups of 5 fit intros too


def test_a_new_season_length_mid_season_waits_and_keeps_the_next_season_after_the_vote(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    _set(database, program_id, {AdminSetting.KIND: ProgramKind.CIRCLES})
    _season(database, program_id, timedelta(weeks=5))
    outcome = _set(database, program_id, {AdminSetting.SEASON: 8, AdminSetting.DAY: 3})
    assert _program(database, program_id)[2] == 8
    assert (
        outcome.changes[0]
        == "season length: 12 weeks → 8 weeks (from the next season; this one keeps its end)"
    )
    assert outcome.next_run_at is not None
    assert outcome.next_run_at >= utcnow() + timedelta(weeks=5, days=3)
    assert outcome.next_run_at < utcnow() + timedelta(weeks=6, days=3)
