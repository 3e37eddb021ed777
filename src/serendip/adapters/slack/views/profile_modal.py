"""The profile modal as Block Kit, reading its submitted state, and the tag type-ahead options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from serendip.adapters.slack.views.blocks import Block, escape
from serendip.domain import payload_values
from serendip.domain.profile_input import MAX_DEPARTMENT, RawProfile, clock
from serendip.domain.tags import MAX_TAGS_PER_KIND
from serendip.services.members import DepartmentSource
from serendip.services.profile_form import ProfileSnapshot, TagOption

TITLE = "Your Serendip profile"
CALLBACK_ID = "profile_modal"
EXPERTISE_ACTION = "profile_expertise"
INTERESTS_ACTION = "profile_interests"
OPTION_TEXT_LIMIT = 75
SOURCE_LABELS = {
    DepartmentSource.HR: "from your HR record",
    DepartmentSource.DIRECTORY: "from your Slack profile",
    DepartmentSource.SELF: "set by you",
}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def tag_option(tag: str, people: int | None = None, *, new: bool = False) -> dict[str, Any]:
    """A full option object for a tag (text is the tag; the description says how common it is)."""
    option: dict[str, Any] = {"text": _plain(tag[:OPTION_TEXT_LIMIT]), "value": tag}
    if new:
        option["description"] = _plain("new tag")
    elif people is not None:
        option["description"] = _plain(f"{people} {'person' if people == 1 else 'people'}")
    return option


def options_payload(options: Sequence[TagOption]) -> list[dict[str, Any]]:
    """Type-ahead answer for an external select."""
    return [tag_option(o.tag, o.people, new=o.new) for o in options]


def _input(block_id: str, label: str, element: dict[str, Any], hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": _plain(label),
        "element": element,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _tag_select(action_id: str, tags: Sequence[str], placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_external_select",
        "action_id": action_id,
        "placeholder": _plain(placeholder),
        "min_query_length": 1,
    }
    if tags:
        element["initial_options"] = [tag_option(t) for t in tags]
    return element


def _department_blocks(snap: ProfileSnapshot) -> list[Block]:
    if not snap.department_editable:
        source = SOURCE_LABELS.get(snap.department_source or DepartmentSource.DIRECTORY, "")
        text = f"*Department:* {escape(snap.department or '')} _({source})_"
        return [{"type": "section", "block_id": "department_info", "text": {"type": "mrkdwn", "text": text}}]
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "department",
        "max_length": MAX_DEPARTMENT,
        "placeholder": _plain("e.g. Finance"),
    }
    if snap.department:
        element["initial_value"] = snap.department
    hint = "Set by you. A value from your HR record or Slack profile would replace it."
    return [_input("department", "Department", element, hint)]


def profile_modal(snap: ProfileSnapshot) -> dict[str, Any]:
    """The modal opened by `/coffee profile` and the profile buttons."""
    start_hint = f"In your time zone ({snap.tz}). Leave as is if you work 9:00–17:00."
    blocks: list[Block] = [
        *_department_blocks(snap),
        _input(
            "expertise",
            "What I can help with",
            _tag_select(EXPERTISE_ACTION, snap.expertise, "Type a topic, e.g. kubernetes"),
            f"Your expertise. Type to find existing tags or add a new one; up to {MAX_TAGS_PER_KIND}.",
        ),
        _input(
            "interests",
            "What I'd like to learn",
            _tag_select(INTERESTS_ACTION, snap.interests, "Type a topic, e.g. design"),
            f"Your interests; up to {MAX_TAGS_PER_KIND}.",
        ),
        _input(
            "blocked",
            "Please don't pair me with",
            {
                "type": "multi_users_select",
                "action_id": "blocked",
                "placeholder": _plain("Pick people"),
                **({"initial_users": list(snap.blocked)} if snap.blocked else {}),
            },
            "Only you can see this list. They are never told.",
        ),
        _input("work_start", "My working day starts", _time("work_start", snap.work_start), start_hint),
        _input("work_end", "My working day ends", _time("work_end", snap.work_end)),
        _input("may_be_asked", "Ask an expert", _asks_checkbox(snap.may_be_asked)),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(TITLE),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def _time(action_id: str, minutes: int) -> dict[str, Any]:
    return {"type": "timepicker", "action_id": action_id, "initial_time": clock(minutes)}


def _asks_checkbox(enabled: bool) -> dict[str, Any]:
    option = {
        "text": _plain("People from other teams may ask me about my expertise"),
        "value": "yes",
    }
    element: dict[str, Any] = {"type": "checkboxes", "action_id": "may_be_asked", "options": [option]}
    if enabled:
        element["initial_options"] = [option]
    return element


def read_submission(values: Mapping[str, Mapping[str, Any]]) -> RawProfile:
    """What the member entered, from a view_submission's ``state.values``."""

    # A forged submission may carry any JSON here: what is not of Slack's shape reads as empty.
    def field(block_id: str) -> Mapping[str, Any]:
        block = values.get(block_id)
        entry: object = next(iter(block.values()), {}) if isinstance(block, Mapping) else {}
        return entry if isinstance(entry, Mapping) else {}

    def listed(block_id: str, key: str) -> list[Any]:
        items = field(block_id).get(key)
        return items if isinstance(items, list) else []

    def options(block_id: str) -> list[str]:
        return [
            o["value"]
            for o in listed(block_id, "selected_options")
            if isinstance(o, Mapping) and isinstance(o.get("value"), str)
        ]

    def picked_time(block_id: str) -> str | None:
        picked = field(block_id).get("selected_time")
        return picked if isinstance(picked, str) else None

    return RawProfile(
        department=payload_values.text(field("department").get("value")) if "department" in values else None,
        expertise=options("expertise"),
        interests=options("interests"),
        blocked=[u for u in listed("blocked", "selected_users") if payload_values.user_id(u)],
        work_start=picked_time("work_start"),
        work_end=picked_time("work_end"),
        may_be_asked="yes" in options("may_be_asked"),
    )


def errors_response(errors: Mapping[str, str]) -> dict[str, Any]:
    """Slack's ``response_action: errors`` answer, one message per field."""
    return {"response_action": "errors", "errors": dict(errors)}
