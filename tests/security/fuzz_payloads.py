"""Seeded generators of hostile `/coffee` texts and interactivity payloads for the fuzz suite."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

COMMAND_WORDS = [
    "help", "join", "leave", "pause", "resume", "skip", "team", "profile", "ask", "forget-me",
    "my-data", "status", "admin", "admin setup", "admin config", "admin stats", "admin preview",
    "admin export", "admin block", "admin remove", "admin add-admin", "admin timezone", "admin size",
    "leave circle",
]  # fmt: skip
MENTIONS = ["<@U0FORGED>", "<@U1|name>", "<#C1|general>", "<!channel>", "<!here>", "<mailto:a@b.c|x>", "<@>"]
NASTY = [
    "\x00", "\r\n", "\u202e", "\ufeff", "\u200b", "²", "٣", "𝟙", "1" * 40, "-1", "0", "1e9", "NaN",
    "'", '"', "`", "```", "\\", "%s", "{0}", "${x}", "' OR 1=1 --", "=1+1", "ﬀ", "İ", "ß",
]  # fmt: skip

OUTCOME_ACTIONS = ["intro_met", "intro_scheduled", "intro_cant_make_it"]
ACTION_IDS = [
    *OUTCOME_ACTIONS, "ask_introduce", "ask_accept", "ask_decline", "home_pause", "home_skip",
    "home_resume", "open_profile", "join_program", "forget_me_cancel", "unknown_action", "",
    "circle_met", "circle_skipped", "circle_stay", "circle_leave", "circle_vote_keep", "circle_vote_end",
]  # fmt: skip
HOSTILE_VALUES: list[Any] = [
    None, "", "²", "1" * 40, "-1", "0", " 7", "7 ", "1e3", "٣", "𝟙", "0x1f", "9" * 400, "[1]", "{}",
    "null", "\x00", "<@U1>", 1, -1, 10**40, 1.5, True, [], [1], {}, {"a": 1}, "a" * 5000,
]  # fmt: skip


def _random_unicode(rng: random.Random, length: int) -> str:
    chars = []
    for _ in range(length):
        pick = rng.random()
        if pick < 0.4:
            chars.append(chr(rng.randint(0x20, 0x7E)))
        elif pick < 0.55:
            chars.append(chr(rng.randint(0, 0x1F)))  # control characters
        else:
            point = rng.randint(0x80, 0x10FFFF)
            chars.append(chr(point) if not 0xD800 <= point <= 0xDFFF else "\ufffd")
    return "".join(chars)


def coffee_text(rng: random.Random) -> str:
    """One hostile `/coffee` text: unicode, control characters, huge tokens, mentions, quotes."""
    parts: list[str] = []
    if rng.random() < 0.7:
        parts.append(rng.choice(COMMAND_WORDS))
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        if kind < 0.3:
            parts.append(_random_unicode(rng, rng.randint(1, 20)))
        elif kind < 0.45:
            parts.append(rng.choice(MENTIONS))
        elif kind < 0.7:
            parts.append(rng.choice(NASTY))
        elif kind < 0.8:
            parts.append(rng.choice("xyz\u00e9\u4e2d") * rng.randint(500, 6000))  # a huge token
        else:
            quote = rng.choice(["'", '"', "“", "`"])
            parts.append(quote + _random_unicode(rng, rng.randint(0, 8)) + rng.choice([quote, ""]))
    separator = rng.choice([" ", "  ", "\t", "\n", "\u3000", ""])
    return separator.join(parts)


def hostile(rng: random.Random) -> Any:
    """A value of a hostile kind or type."""
    if rng.random() < 0.2:
        return _random_unicode(rng, rng.randint(0, 30))
    return copy.deepcopy(rng.choice(HOSTILE_VALUES))


def mutate(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Replace one to three fields (top level or nested) with hostile values."""
    forged = copy.deepcopy(payload)
    paths = [
        ("user",), ("user", "id"), ("user", "team_id"), ("team",), ("team", "id"), ("channel",),
        ("channel", "id"), ("container",), ("container", "channel_id"), ("container", "message_ts"),
        ("message",), ("message", "ts"), ("message", "blocks"), ("message", "text"), ("actions",),
        ("actions", 0), ("actions", 0, "action_id"), ("actions", 0, "value"), ("actions", 0, "block_id"),
        ("actions", 0, "selected_option"), ("view",), ("view", "private_metadata"), ("view", "state"),
        ("view", "state", "values"), ("view", "callback_id"), ("view", "id"), ("state",), ("value",),
        ("action_id",), ("type",), ("trigger_id",), ("response_url",), ("api_app_id",),
    ]  # fmt: skip
    for _ in range(rng.randint(1, 3)):
        _set(forged, rng.choice(paths), hostile(rng))
    return forged


def _set(payload: Any, path: tuple[str | int, ...], value: Any) -> None:
    target = payload
    for key in path[:-1]:
        into_dict = isinstance(target, dict) and isinstance(key, str) and key in target
        into_list = isinstance(target, list) and isinstance(key, int) and len(target) > key
        if not (into_dict or into_list):
            return
        target = target[key]
        if not isinstance(target, (dict, list)):
            return
    last = path[-1]
    settable = (isinstance(target, dict) and isinstance(last, str)) or (
        isinstance(target, list) and isinstance(last, int) and len(target) > last
    )
    if settable:
        target[last] = value


def config_state(rng: random.Random) -> dict[str, Any]:
    """A settings modal's state.values with hostile entries."""
    blocks = ["frequency", "day", "time", "size", "mode", "cooldown", "followup", "timezone", "welcome"]
    state: dict[str, Any] = {}
    for block in blocks:
        entry: Any = rng.choice(
            [
                {"value": {"type": "plain_text_input", "value": hostile(rng)}},
                {"value": {"type": "static_select", "selected_option": hostile(rng)}},
                {"value": {"type": "static_select", "selected_option": {"value": hostile(rng)}}},
                {"value": {"type": "timepicker", "selected_time": hostile(rng)}},
                hostile(rng),
            ]
        )
        state[block] = entry
    return state


def profile_state(rng: random.Random) -> dict[str, Any]:
    """A profile modal's state.values with hostile entries."""
    return {
        "department": {"department": {"type": "plain_text_input", "value": hostile(rng)}},
        "expertise": {"profile_expertise": {"selected_options": rng.choice([hostile(rng), [hostile(rng)]])}},
        "interests": {"profile_interests": {"selected_options": [{"value": hostile(rng)}]}},
        "blocked": {"blocked": {"selected_users": rng.choice([hostile(rng), [hostile(rng)]])}},
        "work_start": {"work_start": {"selected_time": hostile(rng)}},
        "work_end": {"work_end": {"selected_time": hostile(rng)}},
        "may_be_asked": {"may_be_asked": {"selected_options": hostile(rng)}},
    }


def private_metadata(rng: random.Random, channel: str) -> Any:
    """A settings modal's private_metadata: JSON of the wrong shape, or not JSON."""
    return rng.choice(
        [
            "[1]", "1", "null", '"x"', "{bad", json.dumps({"channel_id": hostile(rng)}),
            json.dumps({"channel_id": channel}), json.dumps({"channel_id": [channel]}), hostile(rng),
        ]
    )  # fmt: skip


def as_json(payload: dict[str, Any]) -> str:
    """The payload as Slack would send it (anything not JSON-able is sent as its text)."""
    return json.dumps(payload, default=str)
