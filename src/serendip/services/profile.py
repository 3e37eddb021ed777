"""A member's profile: department, tags, whether they may be asked, history, and forget-me."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Member
from serendip.domain.tags import MAX_TAGS_PER_KIND
from serendip.services import erasure
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.members import DepartmentSource, set_department, source_of

TAG_KINDS = ("expertise", "interest")


@dataclass(frozen=True)
class TagChange:
    """The result of adding or removing tags."""

    kind: str
    changed: list[str]
    unchanged: list[str]
    now: list[str]


def set_team(session: Session, member: Member, name: str) -> str | None:
    """Set a self-declared department, unless a directory or HR value exists; the name now shown."""
    current = source_of(member)
    if current is not None and current > DepartmentSource.SELF and member.department:
        origin = "your HR record" if current is DepartmentSource.HR else "your Slack profile"
        raise ServiceError(
            f"Your department comes from {origin} (*{member.department}*), so it can't be changed here. "
            "Ask your admin to update it there."
        )
    set_department(session, member, name, DepartmentSource.SELF)
    return member.department


def change_tags(
    session: Session, member: Member, *, kind: str, action: str, tags: Sequence[str]
) -> TagChange:
    """Add or remove expertise/interest tags, keeping at most 15 of each kind."""
    if kind not in TAG_KINDS:
        raise ValueError(kind)
    if action == "add":
        current = repo.member_tags(session, member.id, kind)
        new = [t for t in dict.fromkeys(tags) if t not in current]
        if len(current) + len(new) > MAX_TAGS_PER_KIND:
            room = MAX_TAGS_PER_KIND - len(current)
            raise ServiceError(
                f"You can have at most {MAX_TAGS_PER_KIND} {kind} tags; you have {len(current)}, so there's room "
                f"for {max(room, 0)} more. Remove some first: `/coffee {_command(kind)} remove <tag>`."
            )
        changed = repo.add_tags(session, member.id, kind, new)
    else:
        current = repo.member_tags(session, member.id, kind)
        changed = [t for t in dict.fromkeys(tags) if t in current]
        repo.remove_tags(session, member.id, kind, changed)
    unchanged = [t for t in dict.fromkeys(tags) if t not in changed]
    return TagChange(kind, changed, unchanged, repo.member_tags(session, member.id, kind))


def _command(kind: str) -> str:
    return "expertise" if kind == "expertise" else "interests"


def set_may_be_asked(member: Member, enabled: bool) -> None:
    """Allow or stop being asked as an expert."""
    member.may_be_asked = enabled


def forget(session: Session, member: Member) -> None:
    """Erase everything stored about the member (audit rows keep the action as 'deleted user')."""
    erasure.forget(session, member)


def forget_me(deps: Deps, *, team_id: str, user_id: str) -> bool:
    """The member confirmed "forget me": erase them; False when nothing was stored about them."""
    with deps.db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        if member is None:
            return False
        forget(session, member)
        return True
