"""The v2 upload flow (files.getUploadURLExternal, POST bytes, files.completeUploadExternal)."""

from __future__ import annotations

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError, invalid_arguments
from serendip_sandbox.methods_chat import target_conversation
from serendip_sandbox.models import JsonDict
from serendip_sandbox.records import Message, SandboxFile
from serendip_sandbox.workspace import Workspace


def files_get_upload_url_external(ctx: CallContext) -> JsonDict:
    """Reserve a file id and hand out the URL its bytes must be POSTed to."""
    ctx.need("files:write")
    ws = ctx.workspace
    filename = ctx.params.required("filename")
    length = ctx.params.number("length")
    if length is None or length <= 0:
        raise invalid_arguments("missing required field: length")
    upload = SandboxFile(
        id=ws.ids.new("F"),
        name=filename,
        length=length,
        user=ws.bot.id,
        created=ws.epoch(),
        alt_txt=ctx.params.text("alt_txt"),
        upload_key=ws.ids.secret(32),
    )
    ws.files[upload.id] = upload
    return {"ok": True, "upload_url": f"{ctx.base_url}/upload/v1/{upload.upload_key}", "file_id": upload.id}


def receive_upload(ws: Workspace, key: str, data: bytes) -> SandboxFile | None:
    """Store the bytes POSTed to an upload URL; None when the URL is unknown."""
    with ws.lock:
        upload = next((f for f in ws.files.values() if f.upload_key == key), None)
        if upload is not None:
            upload.data = data
            ws.touch()
        return upload


def files_complete_upload_external(ctx: CallContext) -> JsonDict:
    """Finish uploads and share them into ``channel_id`` (or ``channels``), one message per call."""
    ctx.need("files:write")
    ws = ctx.workspace
    entries = ctx.params.structured("files", "invalid_arguments")
    if not isinstance(entries, list) or not entries:
        raise invalid_arguments("missing required field: files")
    uploads = [_uploaded(ws, entry) for entry in entries]
    targets = [c.strip() for c in ctx.params.text("channels").split(",") if c.strip()]
    if ctx.params.text("channel_id"):
        targets.insert(0, ctx.params.text("channel_id"))
    conversations = [target_conversation(ctx, channel) for channel in targets]
    for upload, entry in zip(uploads, entries, strict=True):
        upload.title = str(entry.get("title") or upload.name)
        upload.completed = True
        upload.initial_comment = ctx.params.text("initial_comment")
    for conversation in conversations:
        ts = ws.new_ts()
        for upload in uploads:
            upload.shares.append((conversation.id, ts, conversation.kind))
        message = Message(
            ts=ts,
            channel=conversation.id,
            team=ws.team.id,
            text=ctx.params.text("initial_comment"),
            user=ws.bot.id,
            files=[u.to_slack(ws.team.id) for u in uploads],
            thread_ts=ctx.params.text("thread_ts") or None,
        )
        ws.append_message(conversation.id, message)
    ws.touch()
    return {"ok": True, "files": [u.to_slack(ws.team.id) for u in uploads]}


def _uploaded(ws: Workspace, entry: object) -> SandboxFile:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise invalid_arguments("missing required field: id [json-pointer:/files/0/id]")
    upload = ws.files.get(entry["id"])
    if upload is None or upload.completed:
        raise SlackError("file_not_found")
    if upload.data is None:
        raise invalid_arguments(f"file {upload.id} has no uploaded content")
    return upload
