"""The bot scopes Serendip asks for: the OAuth flow requests exactly these, and both manifests list them."""

from __future__ import annotations

BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "mpim:history",
    "users:read",
    "users:read.email",
    "users.profile:read",
    "channels:read",
    "groups:read",
    "files:write",
)
