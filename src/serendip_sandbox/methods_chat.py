"""chat.postMessage, chat.postEphemeral and chat.update, with Slack's content validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError
from serendip_sandbox.methods_conversations import visible_conversation
from serendip_sandbox.models import JsonDict
from serendip_sandbox.params import Params
from serendip_sandbox.records import Conversation, Ephemeral, Message

MAX_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
_INTERACTIVE = {
    "button",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "checkboxes",
    "radio_buttons",
}


@dataclass
class Content:
    """Validated message content."""

    text: str
    blocks: list[JsonDict] | None
    attachments: list[JsonDict] | None
    metadata: JsonDict | None


def validate_content(
    params: Params, *, max_blocks: int = MAX_MESSAGE_BLOCKS, require: bool = True
) -> Content:
    """Check text, blocks, attachments and metadata the way Slack does; raise its error codes."""
    text = params.text("text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    blocks = validate_blocks(params.structured("blocks", "invalid_blocks_format"), max_blocks, "blocks")
    attachments = params.structured("attachments", "invalid_attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    if require and not text.strip() and not blocks and not attachments:
        raise SlackError("no_text")
    metadata = params.structured("metadata", "invalid_metadata_format")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload", {}), dict)
    ):
        raise SlackError("invalid_metadata_format")
    return Content(text, blocks, attachments, metadata)


def validate_blocks(
    blocks: Any, max_blocks: int, pointer: str, error: str = "invalid_blocks"
) -> list[JsonDict] | None:
    """Return ``blocks`` if it is a list of at most ``max_blocks`` typed objects; else Slack's error."""
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        raise SlackError(
            error, response_metadata={"messages": [f"[ERROR] must be an array [json-pointer:/{pointer}]"]}
        )
    if len(blocks) > max_blocks:
        message = f"[ERROR] no more than {max_blocks} items allowed [json-pointer:/{pointer}]"
        raise SlackError(error, response_metadata={"messages": [message]})
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            message = f"[ERROR] missing required field: type [json-pointer:/{pointer}/{index}]"
            raise SlackError(error, response_metadata={"messages": [message]})
    return blocks


def assign_ids(blocks: list[JsonDict] | None, make_id: Callable[[], str]) -> None:
    """Give blocks and interactive elements without ids random ones, as Slack does on write."""
    for block in blocks or []:
        block.setdefault("block_id", make_id())
        for element in [*block.get("elements", []), block.get("accessory"), block.get("element")]:
            if isinstance(element, dict) and _is_interactive(str(element.get("type", ""))):
                element.setdefault("action_id", make_id())


def _is_interactive(kind: str) -> bool:
    return kind in _INTERACTIVE or kind.endswith(("_select", "_input"))


def target_conversation(ctx: CallContext, channel: str) -> Conversation:
    """Resolve ``channel`` (a conversation id, or a user id meaning the bot's DM) for posting."""
    ws = ctx.workspace
    if channel.startswith("#"):
        named = next(
            (
                c
                for c in ws.conversations.values()
                if c.kind in ("channel", "private") and c.name == channel[1:]
            ),
            None,
        )
        channel = named.id if named else channel
    if channel[:1] in ("U", "W") and channel in ws.users:
        if ws.users[channel].is_bot:
            raise SlackError("cannot_dm_bot")
        return ws.open_dm([channel])[0]
    conversation = visible_conversation(ctx, channel)
    if conversation.is_archived:
        raise SlackError("is_archived")
    if ws.bot.id not in conversation.members:
        raise SlackError("not_in_channel")
    return conversation


def bot_message(
    ctx: CallContext, conversation: Conversation, content: Content, thread_ts: str | None = None
) -> Message:
    """Build a message authored by the bot."""
    ws = ctx.workspace
    assign_ids(content.blocks, lambda: ws.ids.secret(5))
    return Message(
        ts=ws.new_ts(),
        channel=conversation.id,
        team=ws.team.id,
        text=content.text,
        user=ws.bot.id,
        bot_id=ws.bot.bot_id,
        app_id=ws.app_id,
        blocks=content.blocks,
        attachments=content.attachments,
        metadata=content.metadata,
        thread_ts=thread_ts,
    )


def chat_post_message(ctx: CallContext) -> JsonDict:
    """Post as the bot; a user id as ``channel`` posts into the bot's DM with that user."""
    ctx.need("chat:write")
    conversation = target_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    content = validate_content(ctx.params)
    message = bot_message(ctx, conversation, content, ctx.params.text("thread_ts") or None)
    ctx.workspace.append_message(conversation.id, message)
    return {
        "ok": True,
        "channel": conversation.id,
        "ts": message.ts,
        "message": message.to_slack(include_metadata=True),
    }


def chat_post_ephemeral(ctx: CallContext) -> JsonDict:
    """Show a message to one member of a conversation only."""
    ctx.need("chat:write")
    ws = ctx.workspace
    conversation = target_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    user_id = ctx.params.required("user", "user_not_found")
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    if user_id not in conversation.members:
        raise SlackError("user_not_in_channel")
    content = validate_content(ctx.params)
    assign_ids(content.blocks, lambda: ws.ids.secret(5))
    ts = ws.new_ts()
    ws.ephemerals.append(
        Ephemeral(
            conversation.id,
            user_id,
            content.text,
            content.blocks,
            ts,
            "chat.postEphemeral",
            ctx.params.text("thread_ts") or None,
        )
    )
    ws.touch()
    return {"ok": True, "message_ts": ts}


def chat_update(ctx: CallContext) -> JsonDict:
    """Edit one of the bot's own messages."""
    ctx.need("chat:write")
    ws = ctx.workspace
    conversation = visible_conversation(ctx, ctx.params.required("channel", "channel_not_found"))
    message = conversation.find(ctx.params.required("ts", "message_not_found"))
    if message is None:
        raise SlackError("message_not_found")
    if message.bot_id != ws.bot.bot_id:
        raise SlackError("cant_update_message")
    content = validate_content(ctx.params, require=False)
    if "text" in ctx.params.values:
        message.text = content.text
    if content.blocks is not None:
        assign_ids(content.blocks, lambda: ws.ids.secret(5))
        message.blocks = content.blocks
    if content.attachments is not None:
        message.attachments = content.attachments
    if content.metadata is not None:
        message.metadata = content.metadata
    message.edited = {"user": ws.bot.id, "ts": ws.new_ts()}
    ws.touch()
    return {
        "ok": True,
        "channel": conversation.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(include_metadata=True),
    }
