"""Team, users and custom profile fields, and their Slack Web API JSON shapes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from serendip_sandbox.people import zone_named

JsonDict = dict[str, Any]


@dataclass
class Team:
    """The workspace itself (``team.info``)."""

    id: str
    name: str
    domain: str
    email_domain: str = ""

    @property
    def url(self) -> str:
        """Return the workspace URL Slack reports in ``auth.test`` and ``team.info``."""
        return f"https://{self.domain}.slack.com/"

    def to_slack(self) -> JsonDict:
        """Return the ``team`` object of ``team.info``."""
        icon_base = f"https://a.slack-edge.com/80588/img/avatars-teams/ava_00{len(self.name) % 30:02d}"
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "domain": self.domain,
            "email_domain": self.email_domain,
            "icon": {f"image_{size}": f"{icon_base}-{size}.png" for size in (34, 44, 68, 88, 102, 132)}
            | {"image_default": True},
            "avatar_base_url": "https://ca.slack-edge.com/",
            "is_verified": False,
        }


@dataclass
class Enterprise:
    """An Enterprise Grid org: the ``enterprise`` of its workspaces, users and org-wide installs."""

    id: str
    name: str
    domain: str

    @property
    def url(self) -> str:
        """Return the org URL ``auth.test`` reports for an org-wide token."""
        return f"https://{self.domain}.enterprise.slack.com/"


@dataclass
class ProfileField:
    """A team-wide custom profile field (``team.profile.get``)."""

    id: str
    label: str
    hint: str = ""
    ordering: int = 0
    type: str = "text"
    possible_values: list[str] | None = None

    def to_slack(self) -> JsonDict:
        """Return one entry of ``team.profile.get`` ``profile.fields``."""
        return {
            "id": self.id,
            "ordering": self.ordering,
            "field_name": None,
            "label": self.label,
            "hint": self.hint,
            "type": self.type,
            "possible_values": self.possible_values,
            "options": None,
            "is_hidden": False,
            "is_inverse": False,
            "section_id": "Xs01PROFILE",
            "permissions": {"ui": True, "scim": True, "api": ["A_ANY"]},
        }


@dataclass
class SandboxUser:
    """A workspace member; ``manager_id`` is test-side truth that Slack itself does not expose."""

    id: str
    team_id: str
    name: str
    real_name: str
    display_name: str = ""
    title: str = ""
    email: str | None = None
    tz: str = "Europe/London"
    manager_id: str | None = None
    deleted: bool = False
    is_bot: bool = False
    is_app_user: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    bot_id: str | None = None
    app_id: str | None = None
    fields: dict[str, JsonDict] = field(default_factory=dict)
    updated: int = 0
    status_text: str = ""
    status_emoji: str = ""
    enterprise: Enterprise | None = None
    teams: list[str] = field(default_factory=list)  # a Grid member's workspaces (home team first)

    @property
    def is_human_member(self) -> bool:
        """True for an active, full (non-guest) human account."""
        return not (self.deleted or self.is_bot or self.is_restricted or self.is_ultra_restricted)

    def to_slack(
        self, now: datetime, *, include_fields: bool = False, include_email: bool = True
    ) -> JsonDict:
        """Return the user object of ``users.list``/``users.info`` (custom fields only on request)."""
        offset, label = zone_named(self.tz).offset_and_label(now)
        user: JsonDict = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": hashlib.sha1(self.id.encode()).hexdigest()[:6],
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": self.profile(include_fields=include_fields, include_email=include_email),
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": self.is_app_user,
            "updated": self.updated,
            "is_email_confirmed": not self.is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        if self.is_bot and self.app_id:
            user["is_workflow_bot"] = False
        if self.enterprise is not None:
            user["enterprise_user"] = {
                "id": self.id,
                "enterprise_id": self.enterprise.id,
                "enterprise_name": self.enterprise.name,
                "is_admin": self.is_admin,
                "is_owner": self.is_owner,
                "is_primary_owner": self.is_primary_owner,
                "teams": list(self.teams or [self.team_id]),
            }
        return user

    def is_in_team(self, team_id: str) -> bool:
        """True when the member belongs to workspace ``team_id`` (a Grid member may be in several)."""
        return team_id in (self.teams or [self.team_id])

    def profile(self, *, include_fields: bool, include_email: bool = True) -> JsonDict:
        """Return the ``profile`` object; ``fields`` appears only where Slack returns it."""
        first, _, last = self.real_name.partition(" ")
        avatar = hashlib.md5(self.id.encode()).hexdigest()  # an avatar hash, not security
        profile: JsonDict = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "status_text": self.status_text,
            "status_emoji": self.status_emoji,
            "status_expiration": 0,
            "avatar_hash": avatar[:12],
            "first_name": first,
            "last_name": last,
            "team": self.team_id,
        }
        profile.update(_images(avatar))
        if include_email and self.email and not self.is_bot:
            profile["email"] = self.email
        if self.is_bot:
            profile.update(bot_id=self.bot_id, api_app_id=self.app_id or "", always_active=True)
        if include_fields:
            profile["fields"] = {key: dict(value) for key, value in self.fields.items()}
        return profile


def _images(avatar: str) -> JsonDict:
    return {
        f"image_{size}": f"https://secure.gravatar.com/avatar/{avatar}.jpg?s={size}"
        for size in (24, 32, 48, 72, 192, 512)
    }
