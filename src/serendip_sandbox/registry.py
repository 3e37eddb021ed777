"""Which Web API methods the emulator implements, and which token type each accepts.

"bot" methods take bot and user tokens; oauth.v2.access needs no token (see ``oauth.py``).
"""

from __future__ import annotations

from typing import Literal

from serendip_sandbox import methods_chat as chat
from serendip_sandbox import methods_conversations as conversations
from serendip_sandbox import methods_files as files
from serendip_sandbox import methods_identity as identity
from serendip_sandbox import methods_views as views
from serendip_sandbox.context import CallContext, Handler
from serendip_sandbox.models import JsonDict

TokenKind = Literal["bot", "app"]


def apps_connections_open(ctx: CallContext) -> JsonDict:
    """Hand out a single-use Socket Mode WebSocket URL (app-level token only)."""
    return {"ok": True, "url": ctx.issue_socket_url()}


METHODS: dict[str, tuple[Handler, TokenKind]] = {
    "auth.test": (identity.auth_test, "bot"),
    "auth.teams.list": (identity.auth_teams_list, "bot"),
    "team.info": (identity.team_info, "bot"),
    "team.profile.get": (identity.team_profile_get, "bot"),
    "users.list": (identity.users_list, "bot"),
    "users.info": (identity.users_info, "bot"),
    "users.profile.get": (identity.users_profile_get, "bot"),
    "users.lookupByEmail": (identity.users_lookup_by_email, "bot"),
    "migration.exchange": (identity.migration_exchange, "bot"),
    "conversations.info": (conversations.conversations_info, "bot"),
    "conversations.list": (conversations.conversations_list, "bot"),
    "conversations.members": (conversations.conversations_members, "bot"),
    "conversations.open": (conversations.conversations_open, "bot"),
    "conversations.history": (conversations.conversations_history, "bot"),
    "chat.postMessage": (chat.chat_post_message, "bot"),
    "chat.postEphemeral": (chat.chat_post_ephemeral, "bot"),
    "chat.update": (chat.chat_update, "bot"),
    "views.open": (views.views_open, "bot"),
    "views.push": (views.views_push, "bot"),
    "views.update": (views.views_update, "bot"),
    "views.publish": (views.views_publish, "bot"),
    "files.getUploadURLExternal": (files.files_get_upload_url_external, "bot"),
    "files.completeUploadExternal": (files.files_complete_upload_external, "bot"),
    "apps.connections.open": (apps_connections_open, "app"),
}
