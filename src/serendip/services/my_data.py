"""`/coffee my-data`: everything Serendip stores about the member who asks, as one JSON document.

Their own rows in full; of other people only what the member already saw (who they were
introduced to, by Slack id and name). Other people's answers are not theirs and stay out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import my_data_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Member
from serendip.adapters.db.types import utcnow
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError

log = logging.getLogger(__name__)

NOTHING_STORED = "Serendip stores nothing about you: you haven't joined a program or set up a profile here."


@dataclass(frozen=True)
class MyData:
    """The member's data as JSON text, the day it was made, and how many intros it lists."""

    json: str
    made_on: date
    intros: int


def export_my_data(deps: Deps, *, team_id: str, user_id: str) -> MyData:
    """Everything stored about the member: profile, tags, enrolments, intros, asks, roles, audit."""
    with deps.db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        if member is None:
            raise ServiceError(NOTHING_STORED)
        now = utcnow()
        document = {"generated_at": _iso(now), **collect(session, member)}
    log.info("member.my_data team=%s intros=%d", team_id, len(document["intros"]))
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return MyData(text, now.date(), len(document["intros"]))


def collect(session: Session, member: Member) -> dict[str, Any]:
    """The document's sections, in the order people read them."""
    tags = store.tags(session, member.id)
    return {
        "profile": _profile(member),
        "tags": {
            "expertise": [tag for kind, tag in tags if kind == "expertise"],
            "interests": [tag for kind, tag in tags if kind == "interest"],
        },
        "never_pair_with": profile_repo.member_blocks(session, member.id),
        "programs": [
            {
                "channel_id": program.channel_id,
                "channel_name": program.channel_name,
                "joined_at": _iso(enrolment.joined_at),
                "opted_out": enrolment.opted_out,
                "opted_out_at": _iso(enrolment.opted_out_at),
                "paused": enrolment.paused,
                "paused_until": _iso(enrolment.paused_until),
                "skipping_next_round": enrolment.skip_next,
                "last_joined_or_left_channel_at": _iso(_from_us(enrolment.channel_event_us)),
            }
            for enrolment, program in store.enrolments(session, member.id)
        ],
        "intros": [
            {
                "intro_id": row.intro_id,
                "channel_id": row.channel_id,
                "round_date": _iso(row.round_at),
                "delivered_at": _iso(row.delivered_at),
                "with": [{"slack_id": slack_id, "name": name} for slack_id, name in row.others],
                "your_answer": row.answer,
                "answered_at": _iso(row.answered_at),
            }
            for row in store.intros(session, member.id)
        ],
        "rounds_sat_out": _sat_out(session, member),
        "circles": _circles(session, member),
        "expert_asks": [
            {
                "role": "asker" if asker == member.slack_id else "expert",
                "topic": ask.topic,
                "asker": asker,
                "expert": expert,
                "state": ask.state,
                "created_at": _iso(ask.created_at),
                "answered_at": _iso(ask.answered_at),
            }
            for ask, asker, expert in store.asks(session, member.id)
        ],
        "admin_roles": _roles(session, member),
        "audit_log": _audit(session, member),
    }


def _profile(member: Member) -> dict[str, Any]:
    return {
        "slack_id": member.slack_id,
        "workspace_id": member.workspace_id,
        "name": member.name,
        "real_name": member.real_name,
        "email": member.email,
        "title": member.title,
        "department": member.department,
        "department_source": member.department_source,
        "time_zone": member.tz,
        "time_zone_source": member.tz_source,
        "working_hours": f"{_clock(member.work_start_minute)}-{_clock(member.work_end_minute)}",
        "manager_slack_id": member.manager_slack_id,
        "may_be_asked_as_expert": member.may_be_asked,
        "guest": member.is_guest,
        "workspace_admin": member.is_workspace_admin,
        "deactivated": member.is_deleted,
        "profile_read_from_slack_at": _iso(member.profile_synced_at),
        "department_read_at": _iso(member.department_synced_at),
        "first_seen_at": _iso(member.created_at),
        "updated_at": _iso(member.updated_at),
    }


def _sat_out(session: Session, member: Member) -> list[dict[str, Any]]:
    """Rounds whose notes name the member as sitting out or alone (notes go to admins)."""
    found = []
    for round_, channel_id in store.rounds_with_notes(session, member.workspace_id):
        quality = round_.quality or {}
        sat_out = quality.get("sat_out") or {}
        if member.slack_id in sat_out or quality.get("lone") == member.slack_id:
            reason = sat_out.get(member.slack_id, "nobody else to meet")
            found.append(
                {"channel_id": channel_id, "round_date": _iso(round_.scheduled_for), "reason": reason}
            )
    return found


def _circles(session: Session, member: Member) -> dict[str, Any]:
    """The member's own circle rows: answers to nudges, meetings they host, votes, seasons left out."""
    return {
        "meeting_answers": [
            {"channel_id": c, "topic": t, "meeting": n, "your_answer": a, "answered_at": _iso(at)}
            for c, t, n, a, at in store.circle_answers(session, member.id)
        ],
        "meetings_you_host": [
            {"channel_id": c, "topic": t, "meeting": n, "due_at": _iso(due)}
            for c, t, n, due in store.hosted_meetings(session, member.id)
        ],
        "season_votes": [
            {"channel_id": c, "topic": t, "keep_going": keep, "voted_at": _iso(at)}
            for c, t, keep, at in store.circle_votes(session, member.id)
        ],
        "seasons_without_a_circle": [
            {
                "channel_id": c,
                "season_start": _iso(start),
                "reason": row.reason,
                "suggested_topics": [t for t in row.suggested_topics.split(",") if t],
                "told_at": _iso(row.notified_at),
            }
            for c, start, row in store.season_waitlist(session, member.id)
        ],
    }


def _roles(session: Session, member: Member) -> dict[str, Any]:
    return {
        "created_programs": [
            {"channel_id": p.channel_id, "created_at": _iso(p.created_at)}
            for p in store.created_programs(session, member.workspace_id, member.slack_id)
        ],
        "program_admin_of": [
            {"channel_id": channel_id, "added_by": role.added_by, "added_at": _iso(role.created_at)}
            for role, channel_id in store.admin_roles(session, member.workspace_id, member.slack_id)
        ],
    }


def _audit(session: Session, member: Member) -> list[dict[str, Any]]:
    """Audit rows of the member's own actions, and rows whose details name them."""
    rows = []
    for entry, channel_id in store.audit_entries(session, member.workspace_id):
        own = entry.actor == member.slack_id
        if own or (entry.detail and member.slack_id in json.dumps(entry.detail)):
            rows.append(
                {
                    "at": _iso(entry.created_at),
                    "by_you": own,
                    "action": entry.action,
                    "channel_id": channel_id,
                    "detail": entry.detail,
                }
            )
    return rows


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_us(value: int | None) -> datetime | None:
    """A Slack event time in microseconds as a UTC datetime."""
    return None if value is None else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)
