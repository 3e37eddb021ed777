"""Ask an expert as Block Kit: the asker's cards, the expert's request, the intro and the answers."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.views.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    local_time,
    message,
    section,
)
from serendip.services.asks import AskPeople, Offer, SearchResult

SHOWN_TAGS = 6


def _tags(tags: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{escape(t)}`" for t in tags)


def offer_card(offer: Offer) -> Block:
    """One expert: who, which team, what matched, and the "Introduce me" button."""
    role = " · ".join(escape(x) for x in (offer.title, offer.department) if x)
    others = [t for t in offer.tags if t not in offer.matched][: max(0, SHOWN_TAGS - len(offer.matched))]
    lines = [
        f"*<@{offer.slack_id}>*" + (f" — {role}" if role else ""),
        f"Knows {_tags(offer.matched[:SHOWN_TAGS])}" + (f"; also {_tags(others)}" if others else ""),
    ]
    return {
        **section("\n".join(lines)),
        "accessory": button("Introduce me", "ask_introduce", str(offer.ask_id), "primary"),
    }


def search_reply(result: SearchResult, tz: str = "UTC") -> dict[str, Any]:
    """The asker's ephemeral answer to `/coffee ask <topic>` (times in the asker's zone)."""
    topic = escape(result.topic)
    if result.offers:
        blocks = [
            section(f":mag: People in other teams who know about *{topic}*:"),
            *(offer_card(o) for o in result.offers),
            context(
                "Best match first, then shared working hours and who was asked least lately. "
                "They get a DM and decide; if they accept, I open a group DM for you both."
            ),
        ]
        return message(f"Experts on {result.topic}", blocks)
    if result.nobody_free:
        head = f"The people in other teams who know about *{topic}* have had all the questions they take this week."
        if result.free_again is not None:
            head += f" The first of them can be asked again from *{local_time(result.free_again, tz)}*."
    else:
        head = f"Nobody in another team has tagged *{topic}* as their expertise yet."
    lines = [head]
    if result.suggestions:
        first = escape(result.suggestions[0])
        lead = "Or try another topic" if result.nobody_free else "Closest tags people have"
        lines.append(f"{lead}: {_tags(result.suggestions)}. For example `/coffee ask {first}`.")
    return message(head, [section("\n".join(lines))])


def expert_request(people: AskPeople) -> tuple[str, list[Block]]:
    """The DM asking the expert to accept or decline an intro."""
    team = f" from {escape(people.asker_department)}" if people.asker_department else " from another team"
    text = (
        f":wave: <@{people.asker}>{team} would like to ask you about *{escape(people.topic)}*.\n"
        'If you accept, I\'ll open a group DM with the two of you. "Not now" is always fine.'
    )
    # Notification text: the asker's name, never a raw id (mentions are only rendered in blocks).
    notice = f"{escape(_name(people.asker_name))} would like to ask you about {escape(people.topic)}"
    return notice, [
        section(text),
        actions(
            button("Accept", "ask_accept", str(people.ask_id), "primary"),
            button("Not now", "ask_decline", str(people.ask_id)),
            block_id=f"ask:{people.ask_id}",
        ),
        context("You get at most two such requests a week. Stop them with `/coffee asks off`."),
    ]


def intro_text(people: AskPeople) -> tuple[str, list[Block]]:
    """The short intro posted in the new group DM."""
    knows = f" (knows {_tags(list(people.expert_tags[:SHOWN_TAGS]))})" if people.expert_tags else ""
    text = (
        f":handshake: <@{people.asker}>, meet <@{people.expert}>{knows}.\n"
        f"<@{people.asker}> asked Serendip about *{escape(people.topic)}* and <@{people.expert}> "
        "kindly agreed to help. Start by saying what you're working on and what you'd like to know."
    )
    asker, expert = _name(people.asker_name), _name(people.expert_name)
    return escape(f"{asker}, meet {expert}"), [section(text)]


def requested_reply(people: AskPeople) -> dict[str, Any]:
    """The asker's note after clicking "Introduce me"."""
    text = (
        f":incoming_envelope: I've asked <@{people.expert}> about *{escape(people.topic)}*. "
        "If they accept, a group DM with both of you opens."
    )
    notice = f"I've asked {escape(_name(people.expert_name))} about {escape(people.topic)}."
    return message(notice, [section(text)])


def answered(accepted: bool, people: AskPeople) -> dict[str, Any]:
    """What replaces the request in the expert's DM once answered."""
    if accepted:
        text = f":white_check_mark: Thanks! I've opened a group DM with <@{people.asker}>."
    else:
        text = f"No problem, I've let <@{people.asker}> know you can't help right now."
    notice = text.replace(f"<@{people.asker}>", escape(_name(people.asker_name)))
    return message(notice, [section(text)], replace=True)


def _name(name: str) -> str:
    """A display name for notification text; "someone" rather than a raw id when none is stored."""
    return name or "someone"


def declined_note(people: AskPeople) -> tuple[str, list[Block]]:
    """The asker's DM when the expert said "not now"."""
    text = (
        f"The expert you asked about *{escape(people.topic)}* can't help right now. "
        f"Try `/coffee ask {escape(people.topic)}` again to see others."
    )
    return text, [section(text)]
