"""The profile modal's use cases: what it shows, saving it, and the tags it offers while typing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Member
from serendip.domain.profile_input import ProfileInput, RawProfile, check_profile
from serendip.domain.tags import fuzzy_match, normalise_tag
from serendip.services import members
from serendip.services.deps import Deps
from serendip.services.members import DepartmentSource, set_department, source_of

log = logging.getLogger(__name__)

MAX_OPTIONS = 100  # Slack shows at most 100 options per external select answer.
STRONG_MATCH = 0.75  # a prefix of the tag or of one of its words
SAVE_FAILED = "Sorry, something went wrong saving your profile. Please try again in a minute."


@dataclass(frozen=True)
class ProfileSnapshot:
    """Everything the profile modal and the App Home show about one member."""

    slack_id: str
    department: str | None
    department_source: DepartmentSource | None
    tz: str
    expertise: list[str]
    interests: list[str]
    blocked: list[str]
    work_start: int
    work_end: int
    may_be_asked: bool

    @property
    def department_editable(self) -> bool:
        """Whether the member may set the department (no HR or directory value exists)."""
        source = self.department_source
        return source in (None, DepartmentSource.SELF) or not self.department


@dataclass(frozen=True)
class TagOption:
    """One suggestion in the tag type-ahead: the tag, how many people use it, whether it is new."""

    tag: str
    people: int
    new: bool = False


def snapshot(session: Session, member: Member) -> ProfileSnapshot:
    """The member's profile as stored."""
    return ProfileSnapshot(
        slack_id=member.slack_id,
        department=member.department,
        department_source=source_of(member),
        tz=member.tz,
        expertise=repo.member_tags(session, member.id, "expertise"),
        interests=repo.member_tags(session, member.id, "interest"),
        blocked=profile_repo.member_blocks(session, member.id),
        work_start=member.work_start_minute,
        work_end=member.work_end_minute,
        may_be_asked=member.may_be_asked,
    )


def save(session: Session, member: Member, form: ProfileInput) -> None:
    """Store a checked profile submission; a directory or HR department is never overwritten."""
    if form.department is not None and snapshot_editable(member):
        set_department(session, member, form.department, DepartmentSource.SELF)
    profile_repo.replace_tags(session, member.id, "expertise", form.expertise)
    profile_repo.replace_tags(session, member.id, "interest", form.interests)
    profile_repo.replace_member_blocks(session, member.id, form.blocked)
    member.work_start_minute, member.work_end_minute = form.work_start, form.work_end
    member.may_be_asked = form.may_be_asked
    log.info(
        "profile.saved workspace=%s member_id=%s expertise=%d interests=%d blocked=%d",
        member.workspace_id,
        member.id,
        len(form.expertise),
        len(form.interests),
        len(form.blocked),
    )


def snapshot_editable(member: Member) -> bool:
    """Whether the member's department may be set by the member."""
    return source_of(member) in (None, DepartmentSource.SELF) or not member.department


def tag_options(session: Session, workspace_id: str, typed: str) -> list[TagOption]:
    """Existing tags that match what was typed, best first, plus the typed tag itself when new."""
    counts = dict(profile_repo.workspace_tag_counts(session, workspace_id))
    wanted = normalise_tag(typed)
    if not typed.strip():
        return [TagOption(t, n) for t, n in list(counts.items())[:MAX_OPTIONS]]
    ranked = fuzzy_match(typed, counts, limit=MAX_OPTIONS - 1)
    options = [TagOption(tag, counts[tag]) for tag, _ in ranked]
    if wanted is not None and wanted not in counts:
        # The new tag goes after close existing ones ("kube" → kubernetes), before loose matches.
        close = sum(score >= STRONG_MATCH for _, score in ranked)
        options.insert(close, TagOption(wanted, 0, new=True))
    return options


def load_profile(deps: Deps, *, team_id: str, user_id: str) -> ProfileSnapshot:
    """What the profile modal shows (a first-time member is read from Slack and stored)."""
    with deps.db.transaction() as session:
        return snapshot(session, members.ensure_member(session, deps.gateway, team_id, user_id))


def suggest_tags(deps: Deps, *, team_id: str, typed: str) -> list[TagOption]:
    """The tag type-ahead's suggestions for what the member typed so far."""
    with deps.db.transaction() as session:
        return tag_options(session, team_id, typed)


def save_profile(deps: Deps, *, team_id: str, user_id: str, raw: RawProfile) -> dict[str, str]:
    """Check and store a modal submission; the problems by field name (empty when it was saved)."""
    checked = check_profile(raw, self_id=user_id)
    if not isinstance(checked, ProfileInput):
        log.info("profile.invalid team=%s user=%s fields=%s", team_id, user_id, ",".join(sorted(checked)))
        return checked
    try:
        with deps.db.transaction() as session:
            save(session, members.ensure_member(session, deps.gateway, team_id, user_id), checked)
    except Exception as exc:  # the modal stays open with a note rather than Slack's generic error
        log.error(
            "profile.save_failed team=%s user=%s error=%s", team_id, user_id, type(exc).__name__, exc_info=exc
        )
        return {"expertise": SAVE_FAILED}
    return {}
