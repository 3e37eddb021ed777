"""What happens when the bot POSTs to a response_url: ephemeral, in-channel, replace, delete."""

from __future__ import annotations

import json
from typing import Any, Literal

from serendip_sandbox.errors import SlackError
from serendip_sandbox.methods_chat import MAX_MESSAGE_BLOCKS, MAX_TEXT, assign_ids, validate_blocks
from serendip_sandbox.models import JsonDict
from serendip_sandbox.records import Ephemeral, Message, ResponseUrl
from serendip_sandbox.workspace import Workspace


def issue_response_url(
    ws: Workspace,
    base_url: str,
    *,
    user_id: str,
    channel_id: str,
    kind: str,
    message_ts: str | None = None,
    message_is_ephemeral: bool = False,
) -> str:
    """Register a response_url for one command or interaction and return it."""
    with ws.lock:
        record = ResponseUrl(ws.ids.secret(24), user_id, channel_id, kind, message_ts, message_is_ephemeral)
        ws.response_urls[record.id] = record
        return f"{base_url}/response/{record.id}"


def receive_response(ws: Workspace, response_id: str, raw: bytes) -> tuple[int, str]:
    """Apply one response_url POST and return the HTTP status and text body Slack would answer."""
    with ws.lock:
        record = ws.response_urls.get(response_id)
        if record is None:
            return 404, "no_service"
        try:
            body = _parse(raw)
            text = str(body.get("text", ""))
            if len(text) > MAX_TEXT:
                raise SlackError("msg_too_long")
            blocks = validate_blocks(body.get("blocks"), MAX_MESSAGE_BLOCKS, "blocks")
        except SlackError as error:
            return 400, error.code
        assign_ids(blocks, lambda: ws.ids.secret(5))
        record.received.append(body)
        _apply(ws, record, body, text, blocks)
        ws.touch()
        return 200, "ok"


def show_command_ack(ws: Workspace, response_url: str, body: JsonDict | str | None) -> None:
    """Show a slash command's ack body to its user, as Slack does (ephemeral unless in_channel)."""
    if not body:
        return
    content: JsonDict = {"text": body} if isinstance(body, str) else body
    if not content.get("text") and not content.get("blocks"):
        return
    with ws.lock:
        record = ws.response_urls.get(response_url.rstrip("/").rsplit("/", 1)[-1])
        if record is None:
            return
        _apply(ws, record, content, str(content.get("text", "")), content.get("blocks"), source="ack")
        ws.touch()


def _parse(raw: bytes) -> JsonDict:
    try:
        body: Any = json.loads(raw or b"{}")
    except ValueError:
        raise SlackError("invalid_payload") from None
    if not isinstance(body, dict):
        raise SlackError("invalid_payload")
    if not body.get("text") and not body.get("blocks") and not body.get("delete_original"):
        raise SlackError("no_text")
    return body


def _apply(
    ws: Workspace,
    record: ResponseUrl,
    body: JsonDict,
    text: str,
    blocks: list[JsonDict] | None,
    source: Literal["response_url", "ack"] = "response_url",
) -> None:
    original = _original(ws, record)
    if body.get("delete_original") and original is not None:
        ws.conversations[record.channel_id].messages.remove(original)
    elif body.get("replace_original") and original is not None:
        original.text, original.blocks = text, blocks
        original.edited = {"user": ws.bot.id, "ts": ws.new_ts()}
    elif body.get("response_type") == "in_channel" and record.channel_id in ws.conversations:
        message = Message(
            ts=ws.new_ts(),
            channel=record.channel_id,
            team=ws.team.id,
            text=text,
            user=ws.bot.id,
            bot_id=ws.bot.bot_id,
            app_id=ws.app_id,
            blocks=blocks,
            thread_ts=body.get("thread_ts"),
        )
        ws.append_message(record.channel_id, message)
    else:
        if body.get("replace_original") or body.get("delete_original"):
            for seen in ws.ephemerals:
                if seen.user == record.user_id and seen.channel == record.channel_id:
                    seen.replaced = True
        if not body.get("delete_original"):
            ws.ephemerals.append(
                Ephemeral(
                    record.channel_id,
                    record.user_id,
                    text,
                    blocks,
                    ws.new_ts(),
                    source,
                    body.get("thread_ts"),
                )
            )


def _original(ws: Workspace, record: ResponseUrl) -> Message | None:
    if record.message_ts is None or record.message_is_ephemeral:
        return None
    conversation = ws.conversations.get(record.channel_id)
    return conversation.find(record.message_ts) if conversation else None
