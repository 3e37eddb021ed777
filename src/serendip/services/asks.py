"""Ask an expert: find people in other teams who know a topic, and broker a consented intro."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories_asks as asks_repo
from serendip.adapters.db import uninstall_store
from serendip.adapters.db.models import ExpertAsk, Member
from serendip.adapters.db.repositories import member_tags
from serendip.adapters.db.types import utcnow
from serendip.domain.expertise import ExpertCandidate, closest_tags, rank_experts, topic_scores
from serendip.domain.people import is_person
from serendip.services import members as member_service
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.members import utc_offset_at
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

SEARCHES_PER_DAY = 5
ASKED_PER_WEEK = 2
OFFERS_SHOWN = 3
OFFER_VALID = timedelta(days=1)
RECENT = timedelta(days=30)
MAX_TOPIC = 200


@dataclass(frozen=True)
class Offer:
    """One expert card shown to the asker."""

    ask_id: int
    slack_id: str
    department: str | None
    title: str | None
    tz: str
    matched: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    """What `/coffee ask` found: offers, or the closest existing tags."""

    topic: str
    offers: list[Offer] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    nobody_free: bool = False
    free_again: datetime | None = None  # when the first busy expert may be asked again


@dataclass(frozen=True)
class AskPeople:
    """The two people of an ask, as Slack ids, with what the messages say about them."""

    ask_id: int
    topic: str
    asker: str
    asker_department: str | None
    expert: str
    expert_tags: tuple[str, ...]
    asker_name: str = ""  # display names, for notification texts (which show no mentions)
    expert_name: str = ""


def search(session: Session, asker: Member, topic: str, now: datetime) -> SearchResult:
    """Offer up to three experts from other teams on a topic (five searches a day)."""
    topic = topic.strip()[:MAX_TOPIC]
    if asks_repo.searches_since(session, asker.id, now - timedelta(days=1)) >= SEARCHES_PER_DAY:
        raise ServiceError(
            f"You've asked {SEARCHES_PER_DAY} times in the last day, the daily limit, so experts aren't "
            "flooded. Please try again tomorrow."
        )
    # Other teams only (not `same_team`; an unknown department counts as another team).
    pool = asks_repo.expert_candidates(session, asker.workspace_id, asker_id=asker.id, now=now)
    ids = [m.id for m, _ in pool]
    this_week = asks_repo.times_asked(session, ids, now - timedelta(days=7))
    lately = asks_repo.times_asked(session, ids, now - RECENT)
    members = {m.id: m for m, _ in pool}
    candidates = [
        ExpertCandidate(
            m.id,
            m.slack_id,
            frozenset(tags),
            utc_offset_at(m, now),
            (m.work_start_minute, m.work_end_minute),
            lately.get(m.id, 0),
        )
        for m, tags in pool
        if this_week.get(m.id, 0) < ASKED_PER_WEEK
    ]
    ranked = rank_experts(
        topic,
        candidates,
        asker_offset=utc_offset_at(asker, now),
        asker_hours=(asker.work_start_minute, asker.work_end_minute),
        limit=OFFERS_SHOWN,
    )
    if not ranked:
        busy = [m.id for m, tags in pool if topic_scores(topic, tags)]
        counts = asks_repo.workspace_expertise_counts(session, asker.workspace_id)
        log.info("ask.no_match workspace=%s asker_id=%s busy=%s", asker.workspace_id, asker.id, bool(busy))
        # Suggest other topics only: suggesting the same search again would find the same busy people.
        others = [t for t in closest_tags(topic, counts) if t.casefold() != topic.casefold()]
        free_again = _free_again(asks_repo.ask_times(session, busy, now - timedelta(days=7)))
        return SearchResult(topic, suggestions=others, nobody_free=bool(busy), free_again=free_again)
    offers = []
    for r in ranked:
        ask = ExpertAsk(
            workspace_id=asker.workspace_id,
            asker_id=asker.id,
            expert_id=r.candidate.member_id,
            topic=topic,
            state="offered",
            created_at=now,
        )
        session.add(ask)
        session.flush()
        expert = members[r.candidate.member_id]
        offers.append(
            Offer(
                ask.id,
                expert.slack_id,
                expert.department,
                expert.title,
                expert.tz,
                r.matched,
                tuple(sorted(r.candidate.tags)),
            )
        )
    log.info("ask.offered workspace=%s asker_id=%s offers=%d", asker.workspace_id, asker.id, len(offers))
    return SearchResult(topic, offers=offers)


def _free_again(times: dict[int, list[datetime]]) -> datetime | None:
    """When the first of these experts drops below the weekly limit (their oldest counted ask expires)."""
    frees = [
        t[len(t) - ASKED_PER_WEEK] + timedelta(days=7) for t in times.values() if len(t) >= ASKED_PER_WEEK
    ]
    return min(frees, default=None)


def _load(session: Session, ask_id: int) -> tuple[ExpertAsk, Member, Member]:
    ask = session.get(ExpertAsk, ask_id)
    asker = session.get(Member, ask.asker_id) if ask else None
    expert = session.get(Member, ask.expert_id) if ask and ask.expert_id else None
    if ask is None or asker is None or expert is None:
        raise ServiceError("This suggestion is no longer available. Try `/coffee ask` again.")
    if uninstall_store.uninstalled_at(session, ask.workspace_id) is not None:
        raise ServiceError("Serendip was removed from this workspace, so it sends no more asks.")
    return ask, asker, expert


def _people(ask: ExpertAsk, asker: Member, expert: Member, session: Session) -> AskPeople:
    return AskPeople(
        ask.id,
        ask.topic,
        asker.slack_id,
        asker.department,
        expert.slack_id,
        tuple(member_tags(session, expert.id, "expertise")),
        asker.real_name or asker.name,
        expert.real_name or expert.name,
    )


def request(session: Session, *, ask_id: int, asker_slack_id: str, now: datetime) -> AskPeople:
    """The asker clicked "Introduce me": mark the ask requested if the expert may still be asked."""
    ask, asker, expert = _load(session, ask_id)
    if asker.slack_id != asker_slack_id:
        raise ServiceError("That button belongs to someone else's search.")
    if ask.state != "offered":
        raise ServiceError(
            f"You already asked <@{expert.slack_id}> about this. They'll answer in their own time."
        )
    if now - ask.created_at > OFFER_VALID:
        raise ServiceError("This suggestion has expired. Run `/coffee ask` again for fresh ones.")
    asked = asks_repo.times_asked(session, [expert.id], now - timedelta(days=7)).get(expert.id, 0)
    if not expert.may_be_asked or not is_person(expert) or asked >= ASKED_PER_WEEK:
        raise ServiceError(f"<@{expert.slack_id}> can't take more questions this week. Try another expert.")
    if not asks_repo.move_ask(session, ask.id, from_state="offered", to_state="requested", at=None):
        raise ServiceError(f"You already asked <@{expert.slack_id}> about this.")
    log.info("ask.requested workspace=%s ask_id=%s", ask.workspace_id, ask.id)
    return _people(ask, asker, expert, session)


def answer(session: Session, *, ask_id: int, expert_slack_id: str, accept: bool, now: datetime) -> AskPeople:
    """The expert accepted or said "not now"; only the first answer counts."""
    ask, asker, expert = _load(session, ask_id)
    if expert.slack_id != expert_slack_id:
        raise ServiceError("This request was meant for someone else.")
    state = "accepted" if accept else "declined"
    if not asks_repo.move_ask(session, ask.id, from_state="requested", to_state=state, at=now):
        raise ServiceError("You already answered this request.")
    log.info("ask.answered workspace=%s ask_id=%s state=%s", ask.workspace_id, ask.id, state)
    return _people(ask, asker, expert, session)


# The message that goes with a step of an ask (notification text, blocks), drawn by the Slack adapter.
RenderAsk = Callable[[AskPeople], tuple[str, Sequence[dict[str, Any]]]]


@dataclass(frozen=True)
class Found:
    """What `/coffee ask` found, and the asker's time zone to show times in."""

    result: SearchResult
    tz: str


@dataclass(frozen=True)
class Brokered:
    """An ask moved on a step: its two people, and whether Slack took the message of that step.

    When Slack refused it, the step was undone (the same button works again) and `sent` is False.
    """

    people: AskPeople
    sent: bool


def find_experts(deps: Deps, *, team_id: str, user_id: str, topic: str) -> Found:
    """`/coffee ask <topic>`: up to three experts from other teams, or the closest tags."""
    with deps.db.transaction() as session:
        asker = member_service.ensure_member(session, deps.gateway, team_id, user_id)
        return Found(search(session, asker, topic, utcnow()), asker.tz)


def introduce_me(deps: Deps, *, team_id: str, user_id: str, ask_id: int, render: RenderAsk) -> Brokered:
    """The asker clicked "Introduce me": DM the expert the request (undone if Slack refuses it)."""
    with deps.db.transaction() as session:
        people = request(session, ask_id=ask_id, asker_slack_id=user_id, now=utcnow())
    text, dm = render(people)
    try:
        deps.gateway.post_to_user(people.expert, text, dm)
    except SlackCallFailed as exc:
        log.warning("ask.request_failed team=%s ask_id=%s error=%s", team_id, people.ask_id, exc.reason)
        with deps.db.transaction() as session:  # back to offered: the asker may click again
            asks_repo.move_ask(session, people.ask_id, from_state="requested", to_state="offered", at=None)
        return Brokered(people, sent=False)
    return Brokered(people, sent=True)


def accept_ask(deps: Deps, *, team_id: str, user_id: str, ask_id: int, render: RenderAsk) -> Brokered:
    """The expert accepted: open a group DM with both and post the intro (undone if Slack refuses)."""
    with deps.db.transaction() as session:
        people = answer(session, ask_id=ask_id, expert_slack_id=user_id, accept=True, now=utcnow())
    try:
        conversation_id = deps.gateway.open_group([people.asker, people.expert])
        text, intro = render(people)
        deps.gateway.post(conversation_id, text, intro)
    except SlackCallFailed as exc:
        log.warning("ask.intro_failed team=%s ask_id=%s error=%s", team_id, people.ask_id, exc.reason)
        with deps.db.transaction() as session:  # back to requested: the expert may accept again
            asks_repo.move_ask(session, people.ask_id, from_state="accepted", to_state="requested", at=None)
        return Brokered(people, sent=False)
    with deps.db.transaction() as session:
        ask = session.get(ExpertAsk, people.ask_id)
        if ask is not None:
            ask.conversation_id = conversation_id  # the group DM this ask opened
    log.info("ask.intro_posted team=%s ask_id=%s", team_id, people.ask_id)
    return Brokered(people, sent=True)


def decline_ask(deps: Deps, *, team_id: str, user_id: str, ask_id: int, render: RenderAsk) -> Brokered:
    """The expert said "not now": record it and tell the asker kindly (a failed note is only logged)."""
    with deps.db.transaction() as session:
        people = answer(session, ask_id=ask_id, expert_slack_id=user_id, accept=False, now=utcnow())
    text, note = render(people)
    try:
        deps.gateway.post_to_user(people.asker, text, note)
    except SlackCallFailed as exc:
        log.warning("ask.decline_note_failed team=%s ask_id=%s error=%s", team_id, people.ask_id, exc.reason)
        return Brokered(people, sent=False)
    return Brokered(people, sent=True)
