"""In-memory state of one sandbox Slack workspace, safe to share between server and test threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from serendip_sandbox.ids import IdFactory
from serendip_sandbox.models import Enterprise, JsonDict, ProfileField, SandboxUser, Team
from serendip_sandbox.records import (
    Conversation,
    Ephemeral,
    Message,
    ResponseUrl,
    SandboxFile,
    Trigger,
    View,
)

T = TypeVar("T")
SLACKBOT_ID = "USLACKBOT"


class Workspace:
    """Team, members, custom fields, conversations, views and files of one installed Serendip app.

    A Grid org installed org-wide is one Workspace too: ``enterprise`` is set, ``teams`` lists its
    workspaces, members say which teams they are in and org-shared channels list several teams.
    Every method takes ``lock`` (re-entrant); ``changed`` is notified after each mutation so tests
    can wait for state instead of sleeping.
    """

    def __init__(self, team: Team, *, seed: int = 0, bot_name: str = "serendip") -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.ids = IdFactory(seed)
        self.team = team
        # A Grid org's state is one Workspace: its teams share members and org-shared channels.
        self.enterprise: Enterprise | None = None
        self.teams: list[Team] = [team]
        self.teams_without_access: set[str] = set()
        # Grid members who were in a workspace before it joined the org keep a workspace-local id
        # there (local id -> (team id, org-wide id)); payloads may carry either.
        self.local_ids: dict[str, tuple[str, str]] = {}
        self.app_id = self.ids.new("A")
        self.bot = SandboxUser(
            id=self.ids.new("U"),
            team_id=team.id,
            name=bot_name,
            real_name="Serendip",
            display_name="Serendip",
            is_bot=True,
            bot_id=self.ids.new("B"),
            app_id=self.app_id,
        )
        self.bot_token = f"xoxb-{self.ids.secret(12)}-{self.ids.secret(12)}-{self.ids.secret(24)}"
        self.app_token = f"xapp-1-{self.app_id}-{self.ids.secret(13)}-{self.ids.secret(40)}"
        self.signing_secret = self.ids.secret(32).lower()
        self.verification_token = self.ids.secret(24)
        # Slack lists Slackbot in users.list with is_bot false; a classic filter trap worth keeping.
        self.slackbot = SandboxUser(
            id=SLACKBOT_ID,
            team_id=team.id,
            name="slackbot",
            real_name="Slackbot",
            display_name="Slackbot",
            tz="America/Los_Angeles",
        )
        self.users: dict[str, SandboxUser] = {SLACKBOT_ID: self.slackbot, self.bot.id: self.bot}
        self.profile_fields: list[ProfileField] = []
        self.conversations: dict[str, Conversation] = {}
        self.views: dict[str, View] = {}
        self.home_views: dict[str, View] = {}
        self.files: dict[str, SandboxFile] = {}
        self.ephemerals: list[Ephemeral] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self.triggers: dict[str, Trigger] = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.trigger_ttl_seconds = 3.0

    @property
    def scope_id(self) -> str:
        """The install's id: the team id, or the enterprise id for a Grid org (org-wide install)."""
        return self.enterprise.id if self.enterprise else self.team.id

    # -- time and change notification -------------------------------------------------------

    def now(self) -> datetime:
        """Return the workspace's current time (aware UTC)."""
        return self.clock()

    def epoch(self) -> int:
        """Return the current Unix time in whole seconds."""
        return int(self.now().timestamp())

    def new_ts(self) -> str:
        """Return a fresh message timestamp at the workspace's current time (unique, increasing)."""
        return self.ids.message_ts(self.now().timestamp())

    def touch(self) -> None:
        """Wake everyone waiting in ``wait_until`` after a change."""
        with self.lock:
            self.changed.notify_all()

    def wait_until(self, predicate: Callable[[Workspace], T], timeout: float = 5.0) -> T:
        """Block until ``predicate(self)`` is truthy and return it; TimeoutError after ``timeout``."""
        with self.lock:
            result = self.changed.wait_for(lambda: predicate(self), timeout=timeout)
            if not result:
                raise TimeoutError(f"workspace condition not met within {timeout}s")
            return result

    # -- people -----------------------------------------------------------------------------

    def add_user(self, user: SandboxUser) -> SandboxUser:
        """Add (or replace) a member."""
        with self.lock:
            user.updated = user.updated or self.epoch()
            self.users[user.id] = user
            self.touch()
            return user

    def user(self, user_id: str) -> SandboxUser:
        """Return the member ``user_id`` (or the one whose workspace-local id it is); KeyError when unknown."""
        with self.lock:
            return self.users[self.global_id(user_id)]

    def global_id(self, user_id: str) -> str:
        """The org-wide id behind a Grid member's workspace-local id; any other id as given."""
        with self.lock:
            local = self.local_ids.get(user_id)
            return local[1] if local else user_id

    def humans(self) -> list[SandboxUser]:
        """Active full members: no bots, guests or deactivated accounts."""
        with self.lock:
            return [u for u in self.users.values() if u.is_human_member and u.id != SLACKBOT_ID]

    def add_profile_field(self, label: str, hint: str = "") -> ProfileField:
        """Define a team custom profile field and return it."""
        with self.lock:
            profile_field = ProfileField(self.ids.field_id(), label, hint, ordering=len(self.profile_fields))
            self.profile_fields.append(profile_field)
            return profile_field

    def field_labelled(self, label: str) -> ProfileField | None:
        """Return the custom profile field with ``label``, if defined."""
        with self.lock:
            return next((f for f in self.profile_fields if f.label == label), None)

    def set_field(self, user_id: str, label: str, value: str) -> None:
        """Set a member's custom profile field (defining the field when new); "" clears it."""
        with self.lock:
            profile_field = self.field_labelled(label) or self.add_profile_field(label)
            user = self.users[user_id]
            if value:
                user.fields[profile_field.id] = {"value": value, "alt": ""}
            else:
                user.fields.pop(profile_field.id, None)
            user.updated = self.epoch()
            self.touch()

    def field_value(self, user_id: str, label: str) -> str | None:
        """Return a member's value of the custom field ``label``, if set."""
        with self.lock:
            profile_field = self.field_labelled(label)
            if profile_field is None:
                return None
            entry = self.users[user_id].fields.get(profile_field.id)
            return str(entry["value"]) if entry else None

    def department_of(self, user_id: str, label: str = "Department") -> str | None:
        """Return a member's department as the "Department" custom field holds it."""
        return self.field_value(user_id, label)

    def deactivate(self, user_id: str) -> None:
        """Deactivate a member (``deleted: true``), as an admin would."""
        with self.lock:
            self.users[user_id].deleted = True
            self.users[user_id].updated = self.epoch()
            self.touch()

    # -- conversations ----------------------------------------------------------------------

    def add_channel(
        self, name: str, members: Iterable[str] = (), *, private: bool = False, creator: str | None = None
    ) -> Conversation:
        """Create a channel with ``members`` (include ``bot.id`` for the bot to be in it)."""
        with self.lock:
            conversation = Conversation(
                id=self.ids.new("C"),
                kind="private" if private else "channel",
                name=name,
                created=self.epoch(),
                creator=creator or next(iter(self.users)),
                members=list(members),
            )
            self.conversations[conversation.id] = conversation
            self.touch()
            return conversation

    def channel_named(self, name: str) -> Conversation:
        """Return the channel called ``name`` (with or without ``#``); KeyError when unknown."""
        with self.lock:
            wanted = name.lstrip("#")
            for conversation in self.conversations.values():
                if conversation.kind in ("channel", "private") and conversation.name == wanted:
                    return conversation
            raise KeyError(name)

    def join(self, channel_id: str, user_id: str) -> None:
        """Add a member to a channel (the caller sends ``member_joined_channel`` if wanted)."""
        with self.lock:
            conversation = self.conversations[channel_id]
            if user_id not in conversation.members:
                conversation.members.append(user_id)
            self.touch()

    def leave(self, channel_id: str, user_id: str) -> None:
        """Remove a member from a channel."""
        with self.lock:
            conversation = self.conversations[channel_id]
            if user_id in conversation.members:
                conversation.members.remove(user_id)
            self.touch()

    def open_dm(self, user_ids: Iterable[str]) -> tuple[Conversation, bool]:
        """Return the bot's DM or group DM with exactly ``user_ids``, and whether it already existed."""
        with self.lock:
            humans = list(dict.fromkeys(u for u in user_ids if u != self.bot.id))
            wanted = {*humans, self.bot.id}
            for conversation in self.conversations.values():
                if conversation.kind in ("im", "mpim") and set(conversation.members) == wanted:
                    return conversation, True
            if len(humans) == 1:
                conversation = Conversation(
                    self.ids.new("D"), "im", "", self.epoch(), self.bot.id, [self.bot.id, humans[0]]
                )
            else:
                handles = [self.users[self.bot.id].name] + [self.users[u].name for u in humans]
                conversation = Conversation(
                    self.ids.new("C"),
                    "mpim",
                    f"mpdm-{'--'.join(handles)}-1",
                    self.epoch(),
                    self.bot.id,
                    [self.bot.id, *humans],
                )
            self.conversations[conversation.id] = conversation
            self.touch()
            return conversation, False

    def dm_with(self, user_id: str) -> Conversation | None:
        """Return the bot's existing DM with ``user_id``, if it was opened."""
        with self.lock:
            wanted = {user_id, self.bot.id}
            return next(
                (c for c in self.conversations.values() if c.kind == "im" and set(c.members) == wanted), None
            )

    def mpims(self) -> list[Conversation]:
        """Every group DM opened so far, oldest first."""
        with self.lock:
            return [c for c in self.conversations.values() if c.kind == "mpim"]

    def append_message(self, channel_id: str, message: Message) -> Message:
        """Store a message (threading replies under their parent) and wake waiters."""
        with self.lock:
            conversation = self.conversations[channel_id]
            conversation.messages.append(message)
            if message.is_reply:
                parent = conversation.find(message.thread_ts or "")
                if parent is not None:
                    parent.replies.append(message.ts)
                    author = message.user or ""
                    if author and author not in parent.reply_users:
                        parent.reply_users.append(author)
            self.touch()
            return message

    def post_as_user(
        self, channel_id: str, user_id: str, text: str, *, thread_ts: str | None = None
    ) -> Message:
        """Simulate a person writing in a conversation (for tests of what the bot reads)."""
        with self.lock:
            message = Message(
                ts=self.new_ts(),
                channel=channel_id,
                team=self.team.id,
                text=text,
                user=user_id,
                thread_ts=thread_ts,
            )
            return self.append_message(channel_id, message)

    def issue_trigger(self, user_id: str) -> str:
        """Register a fresh trigger_id for ``user_id`` (Slack sends one with each interaction)."""
        with self.lock:
            trigger = Trigger(self.ids.trigger_id(), self.global_id(user_id), time.monotonic())
            self.triggers[trigger.id] = trigger
            return trigger.id

    def user_shape(self, user_id: str) -> JsonDict:
        """Return ``users.info``'s user object for ``user_id`` (used by events such as user_change)."""
        with self.lock:
            return self.users[user_id].to_slack(self.now())
