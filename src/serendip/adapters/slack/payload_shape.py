"""The shape every interactivity payload must have before Bolt matches it to a listener.

A signed payload with a field of the wrong type (a list for `user`, a number for a button's value)
is dropped with a 200 and one WARNING naming the field, so no listener (nor Bolt's own matching)
meets a shape it cannot handle. Values are checked by the listeners (`domain.payload_values`).
"""

from __future__ import annotations

from collections.abc import Callable

from serendip.domain import payload_values as pv

EVENTS = {"event_callback", "url_verification", "app_rate_limited"}
INTERACTIVE = {"block_actions", "view_submission", "view_closed", "block_suggestion"}


def _optional(kind: type | tuple[type, ...]) -> Callable[[object], bool]:
    return lambda value: value is None or isinstance(value, kind)


def _team(value: object) -> bool:
    return value is None or (isinstance(value, dict) and isinstance(value.get("id"), str))


def _user(value: object) -> bool:
    return (
        isinstance(value, dict)
        and pv.user_id(value.get("id")) is not None
        and (_optional(str)(value.get("team_id")))
    )


def _channel(value: object) -> bool:
    return value is None or (isinstance(value, dict) and pv.channel_id(value.get("id")) is not None)


def _container(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    return all(_optional(str)(value.get(key)) for key in ("type", "channel_id", "message_ts", "view_id"))


def _message(value: object) -> bool:
    if value is None:
        return True
    return (
        isinstance(value, dict)
        and pv.message_ts(value.get("ts")) is not None
        and _optional(str)(value.get("text"))
        and _blocks(value.get("blocks"))
    )


def _blocks(value: object) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(b, dict) for b in value))


def _actions(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        return False
    return all(
        isinstance(a.get("action_id"), str)
        and _optional(str)(a.get("block_id"))
        and _optional(str)(a.get("value"))
        and _optional(dict)(a.get("selected_option"))
        for a in value
    )


def _state(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    values = value.get("values")
    if values is None:
        return True
    return isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(entry, dict) for entry in block.values())
        for block in values.values()
    )


def _view(value: object) -> bool:
    if value is None:
        return True
    return (
        isinstance(value, dict)
        and _optional(str)(value.get("id"))
        and _optional(str)(value.get("callback_id"))
        and _optional(str)(value.get("private_metadata"))
        and _state(value.get("state"))
        and _blocks(value.get("blocks"))
    )


def _url(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.startswith(("https://", "http://")))


def _directory_user(value: object) -> bool:
    if not isinstance(value, dict) or pv.user_id(value.get("id")) is None:
        return False
    text_fields = ("name", "real_name", "tz", "team_id")
    return (
        all(_optional(str)(value.get(key)) for key in text_fields)
        and _optional(int)(value.get("tz_offset"))
        and not isinstance(value.get("tz_offset"), bool)
        and _optional(dict)(value.get("profile"))
        and all(
            _optional(str)((value.get("profile") or {}).get(key))
            for key in ("real_name", "email", "title", "team")
        )
    )


def _revoked_tokens(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    kinds = [value.get("bot"), value.get("oauth")]
    return all(ids is None or (isinstance(ids, list) and all(pv.user_id(i) for i in ids)) for ids in kinds)


def _team_ids(value: object) -> bool:
    return isinstance(value, list) and all(pv.team_id(team) for team in value)


# The fields each event we listen to reads; an event of another type is Bolt's to ignore.
EVENT_CHECKS: dict[str, dict[str, Callable[[object], bool]]] = {
    "member_joined_channel": {
        "user": lambda v: pv.user_id(v) is not None,
        "channel": lambda v: pv.channel_id(v) is not None,
    },
    "member_left_channel": {
        "user": lambda v: pv.user_id(v) is not None,
        "channel": lambda v: pv.channel_id(v) is not None,
    },
    "app_home_opened": {"user": lambda v: pv.user_id(v) is not None, "tab": _optional(str)},
    "user_change": {"user": _directory_user},
    "tokens_revoked": {"tokens": _revoked_tokens},
    "team_access_revoked": {"team_ids": _team_ids},
}


def _event_field(event: object) -> str | None:
    """The first field of an Events API event whose shape is wrong (as `event.<field>`), or None."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event"
    if not _optional(str)(event.get("team")):
        return "event.team"
    for field, check in EVENT_CHECKS.get(event["type"], {}).items():
        if not check(event.get(field)):
            return f"event.{field}"
    return None


CHECKS: dict[str, Callable[[object], bool]] = {
    "user": _user,
    "team": _team,
    "channel": _channel,
    "container": _container,
    "message": _message,
    "actions": _actions,
    "view": _view,
    "state": _state,
    "response_url": _url,
    "trigger_id": _optional(str),
    "action_id": _optional(str),
    "block_id": _optional(str),
    "value": _optional(str),
}


def _enterprise(value: object) -> bool:
    return (
        value is None
        or isinstance(value, str)
        or (isinstance(value, dict) and _optional(str)(value.get("id")))
    )


def _install_flag(value: object) -> bool:
    return value is None or isinstance(value, bool) or value in ("true", "false")


def _authorizations(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, list) and all(
        isinstance(a, dict)
        and _optional(str)(a.get("enterprise_id"))
        and _optional(str)(a.get("team_id"))
        and _install_flag(a.get("is_enterprise_install"))
        for a in value
    )


# Which installation a payload is for (Bolt reads these to find the token, on every kind of payload).
INSTALLATION_CHECKS: dict[str, Callable[[object], bool]] = {
    "enterprise": _enterprise,
    "enterprise_id": _optional(str),
    "team_id": _optional(str),
    "is_enterprise_install": _install_flag,
    "authorizations": _authorizations,
}


def malformed_field(body: object) -> str | None:
    """The first field of an interactivity payload whose shape is wrong, or None when all are right."""
    if not isinstance(body, dict):
        return "body"
    for field, check in INSTALLATION_CHECKS.items():
        if not check(body.get(field)):
            return field
    kind = body.get("type")
    if kind == "event_callback":
        return _event_field(body.get("event"))
    if "command" in body or "type" not in body or (isinstance(kind, str) and kind in EVENTS):
        return None  # commands are parsed by their own listener; other envelopes carry no event
    if not isinstance(kind, str) or kind not in INTERACTIVE:
        return "type"  # no listener of ours takes it, and Bolt's own warning about it would fail
    for field, check in CHECKS.items():
        if not check(body.get(field)):
            return field
    if kind == "block_actions" and not body.get("actions"):
        return "actions"  # Bolt reads the first action of every block_actions payload
    return None
