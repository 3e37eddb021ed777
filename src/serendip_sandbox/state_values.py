"""Build a view's ``state.values`` the way Slack fills it from what a user typed or picked."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from serendip_sandbox.models import JsonDict

_TEXT = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_SINGLE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
_MULTI_OPTION = {"multi_static_select", "multi_external_select", "checkboxes"}
_SELECTED = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}


def stateful_elements(blocks: list[JsonDict]) -> Iterator[tuple[str, JsonDict]]:
    """Yield ``(block_id, element)`` for every element whose value Slack keeps in the view state."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield block_id, block["element"]
        elif block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("type") != "button":
                    yield block_id, element
        elif block.get("type") == "section" and _stateful(block.get("accessory")):
            yield block_id, block["accessory"]


def _stateful(element: Any) -> bool:
    return isinstance(element, dict) and element.get("type") not in ("button", "image")


def find_element(blocks: list[JsonDict], action_id: str) -> tuple[str, JsonDict] | None:
    """Return ``(block_id, element)`` of the interactive element with ``action_id``, buttons included."""
    for block in blocks:
        candidates = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None


def build_state(blocks: list[JsonDict], values: Mapping[str, Mapping[str, Any]] | None = None) -> JsonDict:
    """Return ``state.values``: every stateful element, initial values applied, then ``values`` on top.

    ``values`` maps block_id → action_id → what the user entered: a string (typed text, or the
    value of the option picked), a list (multi-selects), or a raw Slack state dict with ``type``.
    """
    state: JsonDict = {}
    for block_id, element in stateful_elements(blocks):
        action_id = str(element.get("action_id", ""))
        given = (values or {}).get(block_id, {})
        entry = (
            element_state(element, given[action_id]) if action_id in given else element_state(element, None)
        )
        state.setdefault(block_id, {})[action_id] = entry
    for block_id, actions in (values or {}).items():
        for action_id, value in actions.items():
            if action_id not in state.get(block_id, {}) and isinstance(value, dict):
                state.setdefault(block_id, {})[action_id] = copy.deepcopy(value)
    return state


def element_state(element: JsonDict, value: Any) -> JsonDict:
    """Return one element's state entry for ``value`` (None keeps the element's initial value)."""
    kind = str(element.get("type", ""))
    if isinstance(value, dict) and "type" in value:
        return copy.deepcopy(value)
    if kind in _TEXT:
        return {"type": kind, "value": element.get("initial_value") if value is None else str(value)}
    if kind in _SINGLE_OPTION:
        option = element.get("initial_option") if value is None else option_for(element, str(value))
        return {"type": kind, "selected_option": copy.deepcopy(option)}
    if kind in _MULTI_OPTION:
        chosen = (
            element.get("initial_options", [])
            if value is None
            else [option_for(element, str(v)) for v in value]
        )
        return {"type": kind, "selected_options": copy.deepcopy(chosen)}
    if kind in _SELECTED:
        selected_key, initial_key = _SELECTED[kind]
        return {
            "type": kind,
            selected_key: copy.deepcopy(element.get(initial_key) if value is None else value),
        }
    return {"type": kind, "value": value}


def option_for(element: JsonDict, value: str) -> JsonDict:
    """Return the element's option whose ``value`` matches, or a plain one for external selects."""
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options.extend(group.get("options", []))
    for option in options:
        if option.get("value") == value:
            return dict(option)
    if "external" in str(element.get("type", "")) or not options:
        return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    raise ValueError(f"{value!r} is not an option of {element.get('action_id')!r}")
