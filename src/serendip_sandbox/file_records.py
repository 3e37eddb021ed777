"""Uploaded files (the v2 external upload flow) and their Slack JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from serendip_sandbox.models import JsonDict

ConversationKind = Literal["channel", "private", "im", "mpim"]


@dataclass
class SandboxFile:
    """A file uploaded through the v2 external upload flow."""

    id: str
    name: str
    length: int
    user: str
    created: int
    title: str = ""
    alt_txt: str = ""
    data: bytes | None = None
    shares: list[tuple[str, str, ConversationKind]] = field(default_factory=list)
    completed: bool = False
    initial_comment: str = ""
    upload_key: str = ""

    @property
    def filetype(self) -> str:
        """Slack's short file type, from the extension."""
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "binary"

    def to_slack(self, team_id: str) -> JsonDict:
        """Return the file object of ``files.completeUploadExternal``."""
        base = f"https://files.slack.com/files-pri/{team_id}-{self.id}"
        public = [channel for channel, _, kind in self.shares if kind == "channel"]
        groups = [channel for channel, _, kind in self.shares if kind in ("private", "mpim")]
        ims = [channel for channel, _, kind in self.shares if kind == "im"]
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": _MIME.get(self.filetype, "application/octet-stream"),
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": self.user,
            "user_team": team_id,
            "editable": False,
            "size": self.length,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(public),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{self.name}",
            "url_private_download": f"{base}/download/{self.name}",
            "permalink": f"{base}/{self.name}",
            "alt_txt": self.alt_txt,
            "channels": public,
            "groups": groups,
            "ims": ims,
            "comments_count": 0,
            "shares": _shares(self.shares, team_id),
            "has_rich_preview": False,
            "file_access": "visible",
        }


_MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _shares(shares: list[tuple[str, str, ConversationKind]], team_id: str) -> JsonDict:
    grouped: dict[str, dict[str, list[JsonDict]]] = {}
    for channel, ts, kind in shares:
        scope = "public" if kind == "channel" else "private"
        entry = {"ts": ts, "reply_users": [], "reply_users_count": 0, "reply_count": 0, "team_id": team_id}
        grouped.setdefault(scope, {}).setdefault(channel, []).append(entry)
    return grouped
