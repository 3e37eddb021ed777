"""Read what users would see in the sandbox (messages, ephemerals, Home, modals, files) and wait for it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from serendip_sandbox.methods_chat import assign_ids
from serendip_sandbox.models import JsonDict
from serendip_sandbox.records import Conversation, Ephemeral, SandboxFile, View
from serendip_sandbox.workspace import Workspace

T = TypeVar("T")


class StateReader:
    """Snapshot readers (copies, safe to keep) and condition-based waits over a workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def wait_until(self, predicate: Callable[[Workspace], T], timeout: float = 5.0) -> T:
        """Block until ``predicate(workspace)`` is truthy and return its value; TimeoutError otherwise."""
        return self.workspace.wait_until(predicate, timeout)

    def messages(self, channel_id: str) -> list[JsonDict]:
        """Every message in a conversation, oldest first, replies and metadata included."""
        with self.workspace.lock:
            conversation = self.workspace.conversations[channel_id]
            return [m.to_slack(include_metadata=True) for m in conversation.messages]

    def wait_for_messages(self, channel_id: str, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until a conversation holds at least ``count`` messages and return them all."""
        self.wait_until(lambda ws: len(ws.conversations[channel_id].messages) >= count, timeout)
        return self.messages(channel_id)

    def dm_messages(self, user_id: str) -> list[JsonDict]:
        """Messages in the bot's DM with ``user_id`` (empty when never opened)."""
        conversation = self.workspace.dm_with(user_id)
        return self.messages(conversation.id) if conversation else []

    def group_dms(self) -> list[Conversation]:
        """Copies of every group DM the bot opened, oldest first."""
        with self.workspace.lock:
            return [copy.deepcopy(c) for c in self.workspace.mpims()]

    def ephemerals(self, user_id: str, channel_id: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages ``user_id`` saw (chat.postEphemeral and response_url), oldest first."""
        with self.workspace.lock:
            return [
                replace(e)
                for e in self.workspace.ephemerals
                if e.user == user_id and (channel_id is None or e.channel == channel_id)
            ]

    def wait_for_ephemerals(self, user_id: str, count: int = 1, timeout: float = 5.0) -> list[Ephemeral]:
        """Wait until ``user_id`` saw at least ``count`` ephemeral messages and return them."""
        self.wait_until(lambda ws: sum(e.user == user_id for e in ws.ephemerals) >= count, timeout)
        return self.ephemerals(user_id)

    def responses(self, response_url: str) -> list[JsonDict]:
        """Bodies the bot POSTed to ``response_url``, in order."""
        with self.workspace.lock:
            record = self.workspace.response_urls.get(response_url.rstrip("/").rsplit("/", 1)[-1])
            return copy.deepcopy(record.received) if record else []

    def wait_for_responses(self, response_url: str, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until the bot POSTed ``count`` bodies to ``response_url`` and return them."""
        self.wait_until(lambda _: len(self.responses(response_url)) >= count, timeout)
        return self.responses(response_url)

    def home_view(self, user_id: str) -> JsonDict | None:
        """The App Home view published for ``user_id``, if any."""
        with self.workspace.lock:
            view = self.workspace.home_views.get(user_id)
            return view.to_slack() if view else None

    def open_modals(self, user_id: str | None = None) -> list[JsonDict]:
        """Open modals (bottom of each stack first), for one user or everyone."""
        with self.workspace.lock:
            return [
                v.to_slack()
                for v in self.workspace.views.values()
                if v.is_open and (user_id is None or v.user_id == user_id)
            ]

    def view_errors(self, view_id: str) -> JsonDict | None:
        """Field errors the bot answered a submission of ``view_id`` with (``response_action: errors``)."""
        with self.workspace.lock:
            view = self.workspace.views.get(view_id)
            return copy.deepcopy(view.errors) if view else None

    def uploaded_files(self) -> list[SandboxFile]:
        """Completed uploads with their bytes and shares."""
        with self.workspace.lock:
            return [copy.deepcopy(f) for f in self.workspace.files.values() if f.completed]

    def apply_view_ack(self, view_id: str, ack: JsonDict | None) -> None:
        """Do what Slack does with a view_submission ack: close, clear, update, push or show errors."""
        ws = self.workspace
        with ws.lock:
            view = ws.views.get(view_id)
            if view is None:
                return
            action = (ack or {}).get("response_action")
            if action == "errors":
                view.errors = copy.deepcopy((ack or {}).get("errors"))
            elif action == "update":
                view.definition, view.errors = copy.deepcopy((ack or {})["view"]), None
                assign_ids(view.definition.get("blocks"), lambda: ws.ids.secret(5))
                view.hash = f"{ws.epoch()}.{ws.ids.secret(8)}"
            elif action == "push":
                pushed = View(
                    ws.ids.new("V"),
                    view.team_id,
                    view.user_id,
                    copy.deepcopy((ack or {})["view"]),
                    f"{ws.epoch()}.{ws.ids.secret(8)}",
                    ws.app_id,
                    ws.bot.bot_id or "",
                    root_view_id=view.root_view_id or view.id,
                    previous_view_id=view.id,
                    installed_team_id=view.installed_team_id,
                )
                assign_ids(pushed.definition.get("blocks"), lambda: ws.ids.secret(5))
                ws.views[pushed.id] = pushed
            elif action == "clear":
                self._close_stack(view.user_id)
            else:
                view.is_open = False
            ws.touch()

    def close_view(self, view_id: str) -> None:
        """Close one modal, as the user pressing Cancel would."""
        with self.workspace.lock:
            view = self.workspace.views.get(view_id)
            if view is not None:
                view.is_open = False
                self.workspace.touch()

    def _close_stack(self, user_id: str) -> None:
        for view in self.workspace.views.values():
            if view.user_id == user_id:
                view.is_open = False
