"""Conversations, messages, views, files and what users saw, with their Slack JSON shapes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from serendip_sandbox.file_records import ConversationKind as ConversationKind
from serendip_sandbox.file_records import SandboxFile as SandboxFile
from serendip_sandbox.models import JsonDict


@dataclass
class Message:
    """A message in a conversation; ``user`` is the author (the bot user for bot posts)."""

    ts: str
    channel: str
    team: str
    text: str = ""
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    blocks: list[JsonDict] | None = None
    attachments: list[JsonDict] | None = None
    metadata: JsonDict | None = None
    thread_ts: str | None = None
    edited: JsonDict | None = None
    files: list[JsonDict] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    reply_users: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        """True for a threaded reply (not the parent)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self, *, include_metadata: bool = False) -> JsonDict:
        """Return the message as ``conversations.history`` and ``chat.postMessage`` show it."""
        message: JsonDict = {"type": "message", "text": self.text, "ts": self.ts}
        if self.user:
            message["user"] = self.user
        if self.bot_id:
            message["bot_id"] = self.bot_id
            message["app_id"] = self.app_id
            message["bot_profile"] = {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "Serendip",
                "deleted": False,
                "team_id": self.team,
            }
        message["team"] = self.team
        if self.blocks is not None:
            message["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments:
            message["attachments"] = copy.deepcopy(self.attachments)
        if self.files:
            message["files"] = copy.deepcopy(self.files)
            message["upload"] = False
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.replies and not self.is_reply:
            message.update(
                reply_count=len(self.replies),
                reply_users=list(self.reply_users),
                reply_users_count=len(self.reply_users),
                latest_reply=self.replies[-1],
            )
        if self.edited:
            message["edited"] = dict(self.edited)
        if include_metadata and self.metadata is not None:
            message["metadata"] = copy.deepcopy(self.metadata)
        return message


@dataclass
class Conversation:
    """A public or private channel, a DM (``im``) or a group DM (``mpim``)."""

    id: str
    kind: ConversationKind
    name: str
    created: int
    creator: str
    members: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    is_archived: bool = False
    is_general: bool = False
    topic: str = ""
    purpose: str = ""
    team_ids: list[str] = field(default_factory=list)  # a Grid channel's workspaces; two or more: org-shared

    @property
    def is_org_shared(self) -> bool:
        """True for a channel shared by several workspaces of one Grid org."""
        return len(self.team_ids) > 1

    @property
    def im_user(self) -> str | None:
        """The human side of a DM (the first member that is not the creator)."""
        if self.kind != "im":
            return None
        return next((member for member in self.members if member != self.creator), self.creator)

    def to_slack(self, viewer: str, *, include_num_members: bool = False) -> JsonDict:
        """Return the conversation object as ``conversations.info``/``list`` show it to ``viewer``."""
        if self.kind == "im":
            return {
                "id": self.id,
                "created": self.created,
                "is_archived": self.is_archived,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": "",
                "updated": self.created * 1000,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        conversation: JsonDict = {
            "id": self.id,
            "name": self.name,
            "is_channel": self.kind in ("channel", "private"),
            "is_group": self.kind == "mpim",
            "is_im": False,
            "is_mpim": self.kind == "mpim",
            "is_private": self.kind != "channel",
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": self.is_org_shared,
            "is_org_shared": self.is_org_shared,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_ids[0] if self.team_ids else "",
            "updated": self.created * 1000,
            "parent_conversation": None,
            "creator": self.creator,
            "is_ext_shared": False,
            "shared_team_ids": list(self.team_ids),
            "pending_connected_team_ids": [],
            "is_member": viewer in self.members,
            "topic": {"value": self.topic, "creator": self.creator if self.topic else "", "last_set": 0},
            "purpose": {
                "value": self.purpose,
                "creator": self.creator if self.purpose else "",
                "last_set": 0,
            },
            "previous_names": [],
        }
        if self.is_org_shared:
            conversation["internal_team_ids"] = list(self.team_ids)
        if include_num_members:
            conversation["num_members"] = len(self.members)
        return conversation

    def find(self, ts: str) -> Message | None:
        """Return the message with timestamp ``ts``, if any."""
        return next((message for message in self.messages if message.ts == ts), None)


@dataclass
class View:
    """An open modal (on a per-user stack) or a published App Home."""

    id: str
    team_id: str
    user_id: str
    definition: JsonDict
    hash: str
    app_id: str
    bot_id: str
    root_view_id: str | None = None
    previous_view_id: str | None = None
    is_open: bool = True
    errors: JsonDict | None = None
    installed_team_id: str | None = None  # where the app is installed: the enterprise id org-wide

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.definition.get("type", "modal"))

    @property
    def callback_id(self) -> str:
        """The view's ``callback_id`` ("" when unset)."""
        return str(self.definition.get("callback_id", ""))

    def to_slack(self, state_values: JsonDict | None = None) -> JsonDict:
        """Return the full view object as ``views.*`` responses and view payloads carry it."""
        d = self.definition
        return {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "blocks": copy.deepcopy(d.get("blocks", [])),
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": self.callback_id,
            "state": {"values": copy.deepcopy(state_values or {})},
            "hash": self.hash,
            "title": copy.deepcopy(d.get("title")),
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "close": copy.deepcopy(d.get("close")),
            "submit": copy.deepcopy(d.get("submit")),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id or self.id,
            "app_id": self.app_id,
            "external_id": d.get("external_id", ""),
            "app_installed_team_id": self.installed_team_id or self.team_id,
            "bot_id": self.bot_id,
        }


@dataclass
class Ephemeral:
    """A message only ``user`` saw: from ``chat.postEphemeral``, a ``response_url`` or a command's ack."""

    channel: str
    user: str
    text: str
    blocks: list[JsonDict] | None
    ts: str
    source: Literal["chat.postEphemeral", "response_url", "ack"]
    thread_ts: str | None = None
    replaced: bool = False


@dataclass
class ResponseUrl:
    """A response_url handed to the bot with a command or an interaction."""

    id: str
    user_id: str
    channel_id: str
    kind: str
    message_ts: str | None = None
    message_is_ephemeral: bool = False
    received: list[JsonDict] = field(default_factory=list)


@dataclass
class Trigger:
    """A trigger_id: single use, valid for a few seconds after the interaction."""

    id: str
    user_id: str
    issued_at: float
    used: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
