"""A directory pass interrupted half way continues where it stopped: no page or profile is read twice.

The proof is the emulator's raw call log (every users.list cursor and users.profile.get user asked
for), and the stored members equal those of an uninterrupted pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.models import DirectorySyncProgress, Member
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.services import directory_sync
from serendip_sandbox import SlackEmulator, generate_workspace

PEOPLE = 450  # three users.list pages of 200


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(PEOPLE, 5, seed=4)) as emulator:
        yield emulator


def _sync(
    database: Database, slack: SlackEmulator, stop: directory_sync.StopFlag | None = None
) -> directory_sync.SyncReport:
    gateway = SlackGateway(make_web_client(slack.bot_token, slack.api_url))
    return directory_sync.sync_directory(
        database, gateway, team_id=slack.workspace.team.id, label="Department", should_stop=stop
    )


class StopAfter(directory_sync.StopFlag):
    """Stops once Slack has answered `count` calls to `method` (read from the emulator's log)."""

    def __init__(self, slack: SlackEmulator, method: str, count: int) -> None:
        super().__init__()
        self.slack, self.method, self.count = slack, method, count

    def __call__(self) -> bool:
        return self.slack.count(self.method) >= self.count


def _members(database: Database) -> set[tuple[object, ...]]:
    with database.transaction() as session:
        rows = session.execute(
            select(
                Member.slack_id,
                Member.real_name,
                Member.email,
                Member.title,
                Member.tz,
                Member.department,
                Member.department_key,
                Member.is_deleted,
                Member.is_bot,
                Member.is_guest,
            )
        )
        return {tuple(row) for row in rows}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[object, ...]]:
    """The members one uninterrupted pass stores (on SQLite) from the same generated workspace.

    Made once per module: a pass over 450 people takes seconds, and the workspace is the same seed's."""
    reference = Database(f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}")
    upgrade(reference)
    with SlackEmulator(generate_workspace(PEOPLE, 5, seed=4)) as slack:
        _sync(reference, slack)
    expected = _members(reference)
    reference.dispose()
    return expected


def test_an_interrupted_sync_resumes_without_reading_anything_twice(
    database: Database, slack: SlackEmulator, uninterrupted: set[tuple[object, ...]]
) -> None:
    expected = uninterrupted
    first = _sync(database, slack, StopAfter(slack, "users.list", 2))  # stops between pages
    assert first.stopped and slack.count("users.list") == 2 and slack.count("users.profile.get") == 0
    second = _sync(database, slack, StopAfter(slack, "users.profile.get", 120))  # stops among profiles
    assert second.resumed and second.stopped and slack.count("users.list") == 3
    third = _sync(database, slack)
    assert third.resumed and not third.stopped and third.field_found

    cursors = Counter(str(c.params.get("cursor") or "") for c in slack.calls_to("users.list"))
    assert len(cursors) == 3 and set(cursors.values()) == {1}  # every page asked for once
    profiles = Counter(str(c.params["user"]) for c in slack.calls_to("users.profile.get"))
    assert set(profiles.values()) == {1}  # no profile read twice
    assert _members(database) == expected
    with database.transaction() as session:
        progress = session.get(DirectorySyncProgress, slack.workspace.team.id)
        assert progress is not None and progress.phase == "done"
        assert progress.pages == 3 and progress.profiles_done == progress.profiles_total == len(profiles)
    people = [m for m in expected if not (m[7] or m[8] or m[9])]
    assert all(m[5] == slack.workspace.department_of(str(m[0])) for m in people)


def test_a_finished_sync_starts_the_next_pass_from_the_first_page(
    database: Database, slack: SlackEmulator
) -> None:
    _sync(database, slack)
    slack.calls.clear()
    report = _sync(database, slack)
    assert not report.resumed and slack.count("users.list") == 3
    assert slack.count("users.profile.get") == 0  # departments are fresh for a day
