"""What the services need from Slack, as small protocols the Slack adapter implements."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeAlias

from serendip.domain.intro_content import IntroCard
from serendip.domain.people import is_person
from serendip.services.circle_ports import CirclePosts
from serendip.services.lifecycle.results import RoundSummary

# Slack JSON handed to the port, read-only: the views build them, the adapter sends them as they are.
Block: TypeAlias = Mapping[str, object]
"""One Block Kit block."""
Blocks: TypeAlias = Sequence[Block]
"""A message's blocks, in order."""
View: TypeAlias = Mapping[str, object]
"""A modal or App Home view (its `type`, `blocks`, ...)."""
Metadata: TypeAlias = Mapping[str, object]
"""Message metadata: `event_type` and `event_payload`."""


@dataclass(frozen=True)
class DirectoryUser:
    """The facts about a Slack user that Serendip keeps."""

    id: str
    team_id: str
    name: str
    real_name: str
    email: str | None = None
    title: str | None = None
    tz: str = "UTC"
    tz_offset_minutes: int = 0
    is_deleted: bool = False
    is_bot: bool = False
    is_guest: bool = False
    is_workspace_admin: bool = False

    @property
    def is_person(self) -> bool:
        """A human, active, full member: the only kind ever enrolled."""
        return is_person(self)


@dataclass(frozen=True)
class DirectoryChannel:
    """A conversation as the bot sees it: whether it is a channel (not a DM) and the bot is in it."""

    id: str
    name: str
    is_channel: bool  # a public or private channel, not a DM or group DM
    bot_is_member: bool


class Directory(Protocol):
    """Reads the workspace's people and channels."""

    def user(self, user_id: str) -> DirectoryUser:
        """One user, fresh from Slack."""
        ...

    def users(self) -> Iterator[list[DirectoryUser]]:
        """Every user of the workspace, a page at a time."""
        ...

    def users_page(self, cursor: str | None) -> tuple[list[DirectoryUser], str | None]:
        """One users.list page from `cursor` (None: the first) and the next cursor (None: the last)."""
        ...

    def channel_members(self, channel_id: str) -> list[str]:
        """The ids of every member of a channel (all pages)."""
        ...

    def channel_name(self, channel_id: str) -> str:
        """The channel's name, without '#'."""
        ...

    def channel(self, channel_id: str) -> DirectoryChannel:
        """What the bot sees of a conversation (Permanent `channel_not_found` when it sees nothing)."""
        ...

    def department_field_id(self, label: str) -> str | None:
        """The id of the custom profile field with this label, if the workspace has one."""
        ...

    def profile_field(self, user_id: str, field_id: str) -> str | None:
        """One custom profile field value of a user."""
        ...


class Messaging(Protocol):
    """Posts, updates, modals, Home tabs and files as the bot.

    Every method raises only `services.slack_errors` (`RateLimited`, `Permanent`, `Ambiguous`).
    """

    def post(
        self,
        channel: str,
        text: str,
        blocks: Blocks,
        metadata: Metadata | None = None,
    ) -> str:
        """Post a message and return its ts."""
        ...

    def post_to_user(self, user_id: str, text: str, blocks: Blocks) -> str:
        """DM a user; returns the ts."""
        ...

    def open_group(self, user_ids: Sequence[str]) -> str:
        """Open the group DM of these users and the bot; returns its id."""
        ...

    def update(self, channel: str, ts: str, text: str, blocks: Blocks) -> None:
        """Replace a message the bot posted."""
        ...

    def open_modal(self, trigger_id: str, view: View) -> str:
        """Open a modal for a trigger (within 3 seconds of it); returns the view id."""
        ...

    def update_view(self, view_id: str, view: View) -> None:
        """Replace an open modal by its view id."""
        ...

    def publish_home(self, user_id: str, view: View) -> None:
        """Publish a user's App Home tab."""
        ...

    def upload_to_user(
        self, user_id: str, *, content: bytes, filename: str, title: str, comment: str
    ) -> None:
        """Upload a file into the bot's DM with a user."""
        ...


class Slack(Directory, Messaging, Protocol):
    """Everything the services reach Slack for, outside round delivery (which has IntroPublisher)."""


class IntroPublisher(CirclePosts, Protocol):
    """Puts a round in front of people: the group DM, the intro, and the notes around it (and a
    circle's season: its nudges, cards, notes and closing, from `CirclePosts`)."""

    def open_group(self, user_ids: Sequence[str]) -> str:
        """Open (or reuse) the group DM of these users and the bot; returns its id."""
        ...

    def post_intro(self, conversation_id: str, card: IntroCard) -> str:
        """Post an intro card (carrying its intro id in message metadata); returns the ts."""
        ...

    def find_intro_post(
        self, conversation_id: str, intro_id: int, *, oldest: datetime, kind: str = "intro"
    ) -> str | None:
        """The ts of the bot's own intro (or follow-up) post for this intro, if it is there."""
        ...

    def post_followup(self, conversation_id: str, intro_id: int) -> str:
        """Ask the group whether they met (carrying the intro id in metadata); returns the ts."""
        ...

    def tell_member(self, user_id: str, text: str) -> None:
        """DM one member a short note (nobody to meet, sat out and why)."""
        ...

    def post_round_summary(self, channel_id: str, summary: RoundSummary) -> str:
        """Post the round summary to the program channel; returns the ts."""
        ...

    def welcome(
        self,
        user_id: str,
        channel_id: str,
        *,
        next_round: datetime | None,
        tz: str,
        welcome_text: str | None,
        channel_name: str = "",
        circles: bool = False,
    ) -> None:
        """DM a newly enrolled member the program's welcome (the one member_joined_channel sends);
        ``circles``: the program forms interest circles for a season rather than rounds of intros."""
        ...


class Workspaces(Protocol):
    """The Slack port and intro publisher acting for each installation, by scope id (the team id,
    or the enterprise id of an org-wide install): what the scheduler uses for one program's round."""

    def slack(self, scope_id: str) -> Slack:
        """The Slack port of the installation serving ``scope_id``."""
        ...

    def publisher(self, scope_id: str) -> IntroPublisher:
        """The round delivery port of the installation serving ``scope_id``."""
        ...


@dataclass(frozen=True)
class OneWorkspace:
    """Single-workspace token mode: one Slack port and publisher serve every scope."""

    gateway: Slack
    intro_publisher: IntroPublisher

    def slack(self, scope_id: str) -> Slack:
        """The one Slack port."""
        return self.gateway

    def publisher(self, scope_id: str) -> IntroPublisher:
        """The one publisher."""
        return self.intro_publisher
