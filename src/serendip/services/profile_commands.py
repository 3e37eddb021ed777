"""The profile from `/coffee`, one verb per command: team, expertise/interests, asks on|off, the modal."""

from __future__ import annotations

from collections.abc import Sequence

from serendip.services import members, profile
from serendip.services.deps import Deps
from serendip.services.profile import TagChange


def set_team(deps: Deps, *, team_id: str, user_id: str, name: str) -> str:
    """`/coffee team <name>`: the department as now shown (the workspace's first-seen spelling)."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        # "sales" joins the team already shown as "Sales".
        return profile.set_team(session, member, name) or name


def change_tags(
    deps: Deps, *, team_id: str, user_id: str, kind: str, action: str, tags: Sequence[str]
) -> TagChange:
    """`/coffee expertise|interests add|remove`: what changed, what already was so, and the list now."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        return profile.change_tags(session, member, kind=kind, action=action, tags=tags)


def set_asks(deps: Deps, *, team_id: str, user_id: str, enabled: bool) -> bool:
    """`/coffee asks on|off`: allow or stop being asked as an expert; the new setting."""
    with deps.db.transaction() as session:
        profile.set_may_be_asked(members.ensure_member(session, deps.gateway, team_id, user_id), enabled)
    return enabled
