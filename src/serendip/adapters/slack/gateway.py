"""The Slack port over the Web API: directory reads, posts, views and files.

Every call goes through `_slack()`, so callers only ever see the project's own errors
(`RateLimited`, `Permanent`, `Ambiguous`); Slack's exception types stay in this adapter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient

from serendip.adapters.slack.errors import translate
from serendip.domain.mentions import notification_text
from serendip.services.ports import Blocks, DirectoryChannel, DirectoryUser, Metadata, View

PAGE_SIZE = 200


@contextmanager
def _slack() -> Iterator[None]:
    """Turn any failure of the Slack call inside into the project's own error."""
    try:
        yield
    except Exception as exc:
        raise translate(exc) from exc


def _json_list(blocks: Blocks) -> list[dict[str, object]]:
    """The blocks as the plain dicts slack_sdk's signatures ask for (a shallow copy; the JSON is the same)."""
    return [dict(block) for block in blocks]


def to_directory_user(user: dict[str, Any], org_scope: str | None = None) -> DirectoryUser:
    """Read the facts Serendip keeps from a Slack user object.

    With ``org_scope`` (an org-wide Enterprise Grid install) a member of that org is keyed by the
    org: their scope is the enterprise id and their id the org-wide one (`enterprise_user.id`), so
    the same person seen from two workspaces of the org is one member. Anyone else keeps their team.
    """
    profile = user.get("profile") or {}
    team_id = user.get("team_id") or profile.get("team") or ""
    user_id = user["id"]
    org_user = user.get("enterprise_user")
    if org_scope and isinstance(org_user, dict) and org_user.get("enterprise_id") == org_scope:
        team_id, user_id = org_scope, str(org_user.get("id") or user_id)
    return DirectoryUser(
        id=user_id,
        team_id=team_id,
        name=user.get("name") or "",
        real_name=profile.get("real_name") or user.get("real_name") or user.get("name") or "",
        email=profile.get("email"),
        title=profile.get("title") or None,
        tz=user.get("tz") or "UTC",
        tz_offset_minutes=int(user.get("tz_offset") or 0) // 60,
        is_deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")) or bool(user.get("is_app_user")) or user["id"] == "USLACKBOT",
        is_guest=bool(user.get("is_restricted")) or bool(user.get("is_ultra_restricted")),
        is_workspace_admin=bool(user.get("is_admin")) or bool(user.get("is_owner")),
    )


def is_org_scope(scope_id: str) -> bool:
    """Whether a scope id is an Enterprise Grid org's (Slack's enterprise ids start with E, teams' with T)."""
    return scope_id.startswith("E")


class SlackGateway:
    """Implements the services' Slack port with a WebClient; raises only `services.slack_errors`."""

    def __init__(self, client: WebClient, *, org_scope: str | None = None) -> None:
        self.client = client
        # The enterprise id of an org-wide install: its people are keyed by the org (see to_directory_user).
        self.org_scope = org_scope

    def scoped(self, scope_id: str) -> SlackGateway:
        """This gateway acting for ``scope_id``: keyed by the org when it is an enterprise id (an
        org-wide install), else as it is."""
        if is_org_scope(scope_id) and scope_id != self.org_scope:
            return SlackGateway(self.client, org_scope=scope_id)
        return self

    def user(self, user_id: str) -> DirectoryUser:
        """One user, fresh from users.info."""
        with _slack():
            return to_directory_user(self.client.users_info(user=user_id)["user"], self.org_scope)

    def users(self) -> Iterator[list[DirectoryUser]]:
        """Every user, a users.list page at a time."""
        cursor: str | None = None
        while True:
            users, cursor = self.users_page(cursor)
            yield users
            if not cursor:
                return

    def users_page(self, cursor: str | None) -> tuple[list[DirectoryUser], str | None]:
        """One users.list page from `cursor` (None: the first) and the next cursor (None: the last).

        An org-wide token lists one workspace of the org at a time (users.list needs its team_id),
        so its cursor is ``<team id>|<that team's cursor>``, walking the teams of auth.teams.list.
        """
        if self.org_scope is None:
            users, next_cursor = self._users_list(cursor, None)
            return users, next_cursor
        teams = self._org_teams()
        team, inner = (teams[0] if teams else "", "")
        if cursor:
            team, _, inner = cursor.partition("|")
        if not team:
            return [], None
        users, next_inner = self._users_list(inner or None, team)
        if next_inner:
            return users, f"{team}|{next_inner}"
        later = teams[teams.index(team) + 1 :] if team in teams else []
        return users, (f"{later[0]}|" if later else None)

    def _users_list(self, cursor: str | None, team_id: str | None) -> tuple[list[DirectoryUser], str | None]:
        with _slack():
            page = self.client.users_list(limit=PAGE_SIZE, cursor=cursor, team_id=team_id)
        users: list[dict[str, Any]] = page.get("members", [])
        next_cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        return [to_directory_user(u, self.org_scope) for u in users], next_cursor

    def _org_teams(self) -> list[str]:
        """The ids of the org's workspaces this org-wide install was granted (auth.teams.list)."""
        teams: list[str] = []
        cursor: str | None = None
        while True:
            with _slack():
                page = self.client.auth_teams_list(limit=PAGE_SIZE, cursor=cursor)
            granted: list[dict[str, Any]] = page.get("teams", [])
            teams += [str(team["id"]) for team in granted]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return teams

    def channel_members(self, channel_id: str) -> list[str]:
        """Every member id of a channel, across pages."""
        members: list[str] = []
        cursor: str | None = None
        while True:
            with _slack():
                page = self.client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
            members.extend(page.get("members", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return members

    def channel_name(self, channel_id: str) -> str:
        """The channel's name."""
        with _slack():
            channel = self.client.conversations_info(channel=channel_id)["channel"]
        return str(channel.get("name") or channel_id)

    def channel(self, channel_id: str) -> DirectoryChannel:
        """What conversations.info shows the bot of a conversation."""
        with _slack():
            channel = self.client.conversations_info(channel=channel_id)["channel"]
        return DirectoryChannel(
            id=channel_id,
            name=str(channel.get("name") or channel_id),
            is_channel=not (channel.get("is_im") or channel.get("is_mpim")),
            bot_is_member=bool(channel.get("is_member")),
        )

    def department_field_id(self, label: str) -> str | None:
        """The custom profile field id whose label matches (case-insensitive)."""
        with _slack():
            fields = self.client.team_profile_get()["profile"].get("fields", [])
        wanted = label.strip().casefold()
        return next((f["id"] for f in fields if str(f.get("label", "")).strip().casefold() == wanted), None)

    def profile_field(self, user_id: str, field_id: str) -> str | None:
        """One custom field value from users.profile.get."""
        with _slack():
            fields = self.client.users_profile_get(user=user_id)["profile"].get("fields") or {}
        value = (fields.get(field_id) or {}).get("value")
        return str(value).strip() or None if value else None

    def post_to_user(self, user_id: str, text: str, blocks: Blocks) -> str:
        """DM a user by posting to their user id."""
        with _slack():
            response = self.client.chat_postMessage(
                channel=user_id, text=notification_text(text), blocks=_json_list(blocks)
            )
        return str(response["ts"])

    def open_group(self, user_ids: Sequence[str]) -> str:
        """Open the group DM of these users and the bot (or the bot's DM with one user)."""
        with _slack():
            return str(self.client.conversations_open(users=list(user_ids))["channel"]["id"])

    def post(
        self,
        channel: str,
        text: str,
        blocks: Blocks,
        metadata: Metadata | None = None,
    ) -> str:
        """Post a message and return its ts."""
        with _slack():
            response = self.client.chat_postMessage(
                channel=channel,
                text=notification_text(text),
                blocks=_json_list(blocks),
                # slack_sdk drops None arguments, so a message without metadata sends none.
                metadata=dict(metadata) if metadata is not None else None,
            )
        return str(response["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: Blocks) -> None:
        """Replace a message the bot posted (chat.update)."""
        with _slack():
            self.client.chat_update(
                channel=channel, ts=ts, text=notification_text(text), blocks=_json_list(blocks)
            )

    def open_modal(self, trigger_id: str, view: View) -> str:
        """Open a modal for the trigger of a slash command or button (views.open, within 3 s); its view id."""
        with _slack():
            response = self.client.views_open(trigger_id=trigger_id, view=dict(view))
        return str(response["view"]["id"])

    def update_view(self, view_id: str, view: View) -> None:
        """Replace an open modal (views.update), e.g. a loading view once its content is read."""
        with _slack():
            self.client.views_update(view_id=view_id, view=dict(view))

    def publish_home(self, user_id: str, view: View) -> None:
        """Publish a user's App Home tab (views.publish)."""
        with _slack():
            self.client.views_publish(user_id=user_id, view=dict(view))

    def upload_to_user(
        self, user_id: str, *, content: bytes, filename: str, title: str, comment: str
    ) -> None:
        """Upload a file into the bot's DM with a user (files.completeUploadExternal needs a channel id)."""
        channel = self.open_group([user_id])
        with _slack():
            self.client.files_upload_v2(
                channel=channel,
                file=content,
                filename=filename,
                title=title,
                initial_comment=comment,
                request_file_info=False,
            )

    def history_with_metadata(self, channel: str, *, oldest: float) -> Iterator[dict[str, Any]]:
        """Messages of a conversation since ``oldest`` (epoch seconds), with their metadata, all pages."""
        cursor: str | None = None
        while True:
            with _slack():
                page = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{oldest:.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            messages: list[dict[str, Any]] = page.get("messages", [])
            yield from messages
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return
