"""The `/coffee admin config` modal: the same settings as `/coffee admin set`, read and validated."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from serendip.adapters.slack.views.blocks import Block, escape, section
from serendip.domain import commands as c
from serendip.domain import payload_values
from serendip.domain.command_parser import COOLDOWN_ROUNDS, GROUP_SIZES, MAX_TEXT_LENGTH
from serendip.domain.commands import AdminSetting, SettingValue
from serendip.domain.program_kinds import (
    DEFAULT_SEASON_WEEKS,
    SEASON_WEEKS,
    SIZES,
    ProgramKind,
    kind_of,
    read_kind,
    sizes_text,
)
from serendip.domain.schedule import WEEKDAYS

TITLE = "Program settings"
CALLBACK_ID = "admin_config"
ACTION = "value"
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MODES = (
    ("prefer", "prefer: no repeats within the cooldown"),
    ("strict", "strict: cross-team first"),
    ("off", "off: ignore departments"),
)
_KINDS = (
    ("intros", "intros: one-off intros every round"),
    ("circles", "circles: topic circles that meet for a season"),
)
SIZE_PROBLEM = (
    f"Pick a group size from {sizes_text(ProgramKind.INTROS)} for intros, "
    f"{sizes_text(ProgramKind.CIRCLES)} for circles."
)


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def _select(block_id: str, label: str, options: list[tuple[str, str]], current: str) -> Block:
    choices = [_option(v, t) for v, t in options]
    initial = next((o for o in choices if o["value"] == current), choices[0])
    return _input(
        block_id,
        label,
        {"type": "static_select", "action_id": ACTION, "options": choices, "initial_option": initial},
    )


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def unescape(text: str) -> str:
    """Slack's escaped mrkdwn as the plain text a modal shows."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def config_view(settings: Mapping[AdminSetting, Any], channel_id: str) -> dict[str, Any]:
    """The settings modal, filled with the program's current values."""
    text: Block = {"type": "plain_text_input", "action_id": ACTION}
    zone = {**text, "initial_value": str(settings[AdminSetting.TIMEZONE])}
    cooldown = {
        "type": "number_input",
        "action_id": ACTION,
        "is_decimal_allowed": False,
        "min_value": str(COOLDOWN_ROUNDS.start),
        "max_value": str(COOLDOWN_ROUNDS.stop - 1),
        "initial_value": str(settings[AdminSetting.COOLDOWN]),
    }
    welcome = {**text, "multiline": True, "max_length": MAX_TEXT_LENGTH}
    if settings[AdminSetting.WELCOME]:
        welcome["initial_value"] = unescape(str(settings[AdminSetting.WELCOME]))
    kind = kind_of(settings.get(AdminSetting.KIND))
    weeks = settings.get(AdminSetting.SEASON) or DEFAULT_SEASON_WEEKS
    blocks = [
        _select("kind", "Kind of program", list(_KINDS), kind.value),
        _select(
            "frequency",
            "How often",
            [(f, f) for f in ("weekly", "biweekly", "monthly")],
            str(settings[AdminSetting.FREQUENCY]),
        ),
        _select(
            "day",
            "Day",
            [(WEEKDAYS[i], _DAYS[i]) for i in range(7)],
            WEEKDAYS[int(settings[AdminSetting.DAY])],
        ),
        _input(
            "time",
            "Time (24h, in the program's time zone)",
            {"type": "timepicker", "action_id": ACTION, "initial_time": str(settings[AdminSetting.TIME])},
        ),
        _input("timezone", "Time zone", zone, hint="An IANA name, like Europe/Berlin or America/New_York."),
        _select(
            "size", "Group size", [(str(n), str(n)) for n in SIZES[kind]], str(settings[AdminSetting.SIZE])
        ),
        *(
            [_select("season", "Season length", [(str(w), f"{w} weeks") for w in SEASON_WEEKS], str(weeks))]
            if kind is ProgramKind.CIRCLES
            else []
        ),
        _select("mode", "Repeat mode", list(_MODES), str(settings[AdminSetting.MODE])),
        _input("cooldown", "Cooldown (rounds before a pair may repeat)", cooldown),
        _select(
            "followup",
            'Ask "did you meet?" halfway',
            [("on", "on"), ("off", "off")],
            "on" if settings[AdminSetting.FOLLOWUP] else "off",
        ),
        _input(
            "welcome",
            "Welcome message for new members",
            welcome,
            optional=True,
            hint="Leave empty for Serendip's default welcome.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "title": {"type": "plain_text", "text": TITLE},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def refused_view(text: str) -> dict[str, Any]:
    """The modal replaced by why the settings cannot be saved (e.g. no longer an admin)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }


BROKEN_FORM = "This settings form can't be read. Open it again with `/coffee admin config`."


def channel_of(view: Mapping[str, Any]) -> str:
    """The program channel a submitted settings modal belongs to ("" when its metadata is not ours)."""
    return payload_values.metadata_channel(view.get("private_metadata")) or ""


def _raw(state: Mapping[str, Any], block_id: str) -> str:
    block = state.get(block_id)
    entry = block.get(ACTION) if isinstance(block, Mapping) else None
    if not isinstance(entry, Mapping):
        return ""
    option = entry.get("selected_option")
    if isinstance(option, Mapping):
        return payload_values.text(option.get("value"))
    typed = entry.get("value") or entry.get("selected_time")
    # Longer than any field allows is refused by the welcome's length check, not cut silently.
    return payload_values.text(typed, limit=MAX_TEXT_LENGTH + 1).strip()


def _number(text: str, allowed: range) -> int | None:
    return int(text) if text.isdigit() and int(text) in allowed else None


def read_config(
    state: Mapping[str, Any], current_welcome: str | None
) -> tuple[dict[AdminSetting, SettingValue | None], dict[str, str]]:
    """The submitted values, and errors by block id (each naming what is allowed)."""
    values: dict[AdminSetting, SettingValue | None] = {}
    errors: dict[str, str] = {}
    readers: list[tuple[AdminSetting, Any, str]] = [
        (AdminSetting.FREQUENCY, c.read_frequency, "Pick weekly, biweekly or monthly."),
        (AdminSetting.DAY, c.read_weekday, "Pick a day of the week."),
        (AdminSetting.TIME, c.read_time, "Use a 24-hour time like 10:00."),
        (AdminSetting.SIZE, lambda t: _number(t, GROUP_SIZES), SIZE_PROBLEM),
        (AdminSetting.MODE, c.read_mode, "Pick prefer, strict or off."),
        (AdminSetting.COOLDOWN, lambda t: _number(t, COOLDOWN_ROUNDS), "A whole number from 0 to 52."),
        (AdminSetting.FOLLOWUP, c.read_switch, "Pick on or off."),
    ]
    for setting, read, problem in readers:
        value = read(_raw(state, setting.value))
        if value is None:
            errors[setting.value] = problem
        else:
            values[setting] = value
    # Forms opened before kinds existed have neither field: they keep what is stored.
    if "kind" in state:
        kind = read_kind(_raw(state, "kind"))
        if kind is None:
            errors["kind"] = "Pick intros or circles."
        else:
            values[AdminSetting.KIND] = kind
    if "season" in state:
        weeks = _number(_raw(state, "season"), SEASON_WEEKS)
        if weeks is None:
            errors["season"] = f"Pick from {SEASON_WEEKS.start} to {SEASON_WEEKS.stop - 1} weeks."
        else:
            values[AdminSetting.SEASON] = weeks
    zone_text = _raw(state, "timezone")
    zone = c.read_timezone(zone_text)
    if zone is None:
        close = c.closest_timezone(zone_text) if zone_text else None
        errors["timezone"] = "Not a time zone I know: use an IANA name like Europe/Berlin." + (
            f" Did you mean {close}?" if close else ""
        )
    else:
        values[AdminSetting.TIMEZONE] = zone
    welcome = _raw(state, "welcome")
    if len(welcome) > MAX_TEXT_LENGTH:
        errors["welcome"] = f"{MAX_TEXT_LENGTH:,} characters at most."
    values[AdminSetting.WELCOME] = _welcome(welcome, current_welcome)
    return values, errors


def _welcome(typed: str, current: str | None) -> str | None:
    """Unchanged text keeps its stored mrkdwn (links, mentions); new text is escaped like a command's."""
    if not typed:
        return None
    if current is not None and unescape(current) == typed:
        return current
    return escape(typed)
