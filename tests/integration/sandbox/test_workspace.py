"""The generated sandbox workspace looks like a real company's Slack."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from serendip_sandbox import Workspace, generate_workspace
from serendip_sandbox.generator import zipf_sizes


def test_department_sizes_fall_off_like_zipf_and_cover_everyone() -> None:
    sizes = zipf_sizes(40, 6)
    assert sum(sizes) == 40
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] >= 3 * sizes[-1]
    assert min(zipf_sizes(6, 6)) == 1


def test_active_members_are_spread_over_the_requested_departments(workspace: Workspace) -> None:
    humans = workspace.humans()
    departments = Counter(workspace.department_of(user.id) for user in humans)
    assert len(humans) == 40
    assert len(departments) == 6
    assert None not in departments


def test_edge_case_accounts_are_flagged_like_slack_flags_them(workspace: Workspace) -> None:
    users = list(workspace.users.values())
    guests = [u for u in users if u.is_restricted]
    deactivated = [u for u in users if u.deleted]
    bots = [u for u in users if u.is_bot]
    assert len(guests) == 1 and guests[0].is_ultra_restricted
    assert len(deactivated) == 1
    assert {workspace.bot.id} < {b.id for b in bots}
    assert workspace.users["USLACKBOT"].is_bot is False
    assert all(u.id not in {g.id for g in guests + deactivated + bots} for u in workspace.humans())


def test_coffee_chats_holds_every_member_plus_the_accounts_the_bot_must_filter(workspace: Workspace) -> None:
    members = set(workspace.channel_named("#coffee-chats").members)
    assert {u.id for u in workspace.humans()} <= members
    assert workspace.bot.id in members
    flagged = {u.id for u in workspace.users.values() if u.deleted or u.is_restricted or u.is_bot}
    assert len(members & flagged) == 4


def test_every_manager_is_a_member_and_nobody_manages_themselves(workspace: Workspace) -> None:
    humans = {u.id: u for u in workspace.humans()}
    managed = [u for u in humans.values() if u.manager_id]
    assert len(managed) == len(humans) - 1
    assert all(u.manager_id in humans and u.manager_id != u.id for u in managed)
    (chief,) = [u for u in humans.values() if u.manager_id is None]
    assert chief.is_primary_owner


def test_time_zone_offsets_and_labels_match_the_zone_at_that_moment(workspace: Workspace) -> None:
    january, july = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)
    for user in workspace.humans():
        for moment in (january, july):
            shape = user.to_slack(moment)
            offset = moment.astimezone(ZoneInfo(user.tz)).utcoffset()
            assert offset is not None and shape["tz_offset"] == int(offset.total_seconds())
    berliner = next(u for u in workspace.humans() if u.tz.startswith("Europe/Berlin"))
    assert berliner.to_slack(july)["tz_label"] == "Central European Summer Time"
    assert len({u.tz for u in workspace.humans()}) >= 5


def test_the_department_lives_in_a_custom_profile_field_labelled_department(workspace: Workspace) -> None:
    field = workspace.field_labelled("Department")
    assert field is not None and field.id.startswith("Xf")
    someone = workspace.humans()[0]
    assert someone.fields[field.id]["value"] == workspace.department_of(someone.id)


def test_the_same_seed_gives_the_same_workspace_and_another_seed_does_not() -> None:
    def fingerprint(ws: Workspace) -> list[tuple[str, str, str]]:
        return [(u.id, u.real_name, u.tz) for u in ws.users.values()]

    assert fingerprint(generate_workspace(seed=3)) == fingerprint(generate_workspace(seed=3))
    assert fingerprint(generate_workspace(seed=3)) != fingerprint(generate_workspace(seed=4))


def test_a_large_workspace_keeps_names_and_handles_unique() -> None:
    workspace = generate_workspace(people=1000, departments=12, seed=1, guests=5, bots=3, deactivated=20)
    handles = [u.name for u in workspace.users.values()]
    assert len(handles) == len(set(handles))
    assert len(workspace.humans()) == 1000
