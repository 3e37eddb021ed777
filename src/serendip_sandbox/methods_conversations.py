"""conversations.info, .list, .members, .open and .history, with Slack's visibility rules."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError
from serendip_sandbox.models import JsonDict
from serendip_sandbox.pagination import clamp_limit, page
from serendip_sandbox.records import Conversation, ConversationKind, Message

MAX_GROUP_DM_USERS = 8  # a group DM holds 9 people: up to 8 others plus the caller
_READ_SCOPE: dict[ConversationKind, str] = {
    "channel": "channels:read",
    "private": "groups:read",
    "mpim": "mpim:read",
    "im": "im:read",
}
_HISTORY_SCOPE: dict[ConversationKind, str] = {
    "channel": "channels:history",
    "private": "groups:history",
    "mpim": "mpim:history",
    "im": "im:history",
}
_TYPES: dict[str, ConversationKind] = {
    "public_channel": "channel",
    "private_channel": "private",
    "mpim": "mpim",
    "im": "im",
}


def visible_conversation(ctx: CallContext, channel_id: str) -> Conversation:
    """Return a conversation the bot can see: any public channel, or one it is a member of."""
    conversation = ctx.workspace.conversations.get(channel_id)
    if conversation is None:
        raise SlackError("channel_not_found")
    if conversation.kind != "channel" and ctx.workspace.bot.id not in conversation.members:
        raise SlackError("channel_not_found")
    return conversation


def conversations_info(ctx: CallContext) -> JsonDict:
    """Describe one conversation."""
    conversation = visible_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    ctx.need(_READ_SCOPE[conversation.kind])
    shape = conversation.to_slack(
        ctx.workspace.bot.id, include_num_members=ctx.params.flag("include_num_members")
    )
    return {"ok": True, "channel": shape}


def conversations_members(ctx: CallContext) -> JsonDict:
    """Page through a conversation's member ids (deactivated members and bots included)."""
    conversation = visible_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    ctx.need(_READ_SCOPE[conversation.kind])
    limit = clamp_limit(ctx.params.number("limit"), default=100, maximum=1000)
    members, next_cursor = page(
        conversation.members, kind="member", cursor=ctx.params.text("cursor"), limit=limit
    )
    return {"ok": True, "members": members, "response_metadata": {"next_cursor": next_cursor}}


def conversations_list(ctx: CallContext) -> JsonDict:
    """Page through conversations of the requested ``types`` the bot can see.

    An org-wide token must name the workspace (``team_id``); its channels (org-shared ones too) are listed.
    """
    kinds = _requested_kinds(ctx.params.text("types") or "public_channel")
    ctx_scopes = [_READ_SCOPE[kind] for kind in kinds]
    for scope in ctx_scopes:
        ctx.need(scope)
    bot = ctx.workspace.bot.id
    team_id = ctx.team_argument(required=True)
    visible = [
        c
        for c in ctx.workspace.conversations.values()
        if c.kind in kinds
        and (c.kind == "channel" or bot in c.members)
        and not (ctx.params.flag("exclude_archived") and c.is_archived)
        and (
            team_id is None or c.kind in ("im", "mpim") or team_id in (c.team_ids or [ctx.workspace.team.id])
        )
    ]
    limit = clamp_limit(ctx.params.number("limit"), default=100, maximum=1000)
    chunk, next_cursor = page(visible, kind="channel", cursor=ctx.params.text("cursor"), limit=limit)
    channels = [c.to_slack(bot, include_num_members=c.kind != "im") for c in chunk]
    return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": next_cursor}}


def _requested_kinds(types: str) -> list[ConversationKind]:
    kinds: list[ConversationKind] = []
    for name in (part.strip() for part in types.split(",") if part.strip()):
        if name not in _TYPES:
            raise SlackError("invalid_types")
        kinds.append(_TYPES[name])
    return kinds


def conversations_open(ctx: CallContext) -> JsonDict:
    """Open (or reuse) the bot's DM or group DM with ``users``, or resume ``channel``."""
    if "channel" in ctx.params and "users" not in ctx.params:
        return _resume(ctx, ctx.params.text("channel"))
    raw = ctx.params.text("users")
    users = list(dict.fromkeys(u.strip() for u in raw.split(",") if u.strip()))
    others = [u for u in users if u != ctx.workspace.bot.id]
    if not others:
        raise SlackError("users_list_not_supplied")
    ctx.need("im:write" if len(others) == 1 else "mpim:write")
    if len(others) > MAX_GROUP_DM_USERS:
        raise SlackError("too_many_users")
    for user_id in others:
        _check_dm_target(ctx, user_id)
    conversation, existed = ctx.workspace.open_dm(others)
    if conversation.kind == "im" and not ctx.params.flag("return_im"):
        shape: JsonDict = {"id": conversation.id}
    else:
        shape = conversation.to_slack(ctx.workspace.bot.id)
    answer: JsonDict = {"ok": True, "channel": shape}
    if existed:
        answer.update(no_op=True, already_open=True)
    return answer


def _check_dm_target(ctx: CallContext, user_id: str) -> None:
    user = ctx.workspace.users.get(user_id)
    if user is None:
        raise SlackError("user_not_found")
    if user.deleted:
        raise SlackError("user_disabled")
    if user.is_bot:
        raise SlackError("cannot_dm_bot")


def _resume(ctx: CallContext, channel_id: str) -> JsonDict:
    conversation = ctx.workspace.conversations.get(channel_id)
    if (
        conversation is None
        or conversation.kind not in ("im", "mpim")
        or ctx.workspace.bot.id not in conversation.members
    ):
        raise SlackError("channel_not_found")
    return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": conversation.id}}


def conversations_history(ctx: CallContext) -> JsonDict:
    """Return top-level messages newest first, paginated by timestamp cursor."""
    conversation = visible_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    ctx.need(_HISTORY_SCOPE[conversation.kind])
    if ctx.workspace.bot.id not in conversation.members:
        raise SlackError("not_in_channel")
    messages = _window(ctx, [m for m in conversation.messages if not m.is_reply])
    cursor = ctx.params.text("cursor")
    if cursor:
        start = _decode_ts_cursor(cursor)
        messages = [m for m in messages if Decimal(m.ts) <= start]
    limit = clamp_limit(ctx.params.number("limit"), default=100, maximum=999)
    shown, rest = messages[:limit], messages[limit:]
    metadata = ctx.params.flag("include_all_metadata")
    answer: JsonDict = {
        "ok": True,
        "messages": [m.to_slack(include_metadata=metadata) for m in shown],
        "has_more": bool(rest),
        "pin_count": 0,
        "channel_actual_ts": None,
    }
    answer["response_metadata"] = {"next_cursor": _encode_ts_cursor(rest[0].ts) if rest else ""}
    return answer


def _window(ctx: CallContext, messages: list[Message]) -> list[Message]:
    latest = _ts_param(ctx, "latest")
    oldest = _ts_param(ctx, "oldest")
    inclusive = ctx.params.flag("inclusive")

    def inside(message: Message) -> bool:
        ts = Decimal(message.ts)
        below = latest is None or ts < latest or (inclusive and ts == latest)
        above = oldest is None or ts > oldest or (inclusive and ts == oldest)
        return below and above

    return sorted((m for m in messages if inside(m)), key=lambda m: Decimal(m.ts), reverse=True)


def _ts_param(ctx: CallContext, name: str) -> Decimal | None:
    value = ctx.params.text(name)
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise SlackError("invalid_ts_" + name) from None


def _encode_ts_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode()


def _decode_ts_cursor(cursor: str) -> Decimal:
    try:
        prefix, _, digits = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != "next_ts" or not digits.isdigit() or len(digits) <= 6:
            raise ValueError(cursor)
        return Decimal(f"{digits[:-6]}.{digits[-6:]}")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SlackError("invalid_cursor") from None
