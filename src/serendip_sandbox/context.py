"""What a Web API method handler gets: the workspace, the arguments and the granted scopes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from serendip_sandbox.errors import SlackError
from serendip_sandbox.models import JsonDict
from serendip_sandbox.params import Params
from serendip_sandbox.workspace import Workspace

# The scopes of Serendip's manifest (PRODUCT.md, "Operating it").
DEFAULT_SCOPES = frozenset(
    {
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
        "team:read",
        "files:write",
    }
)


@dataclass
class CallContext:
    """One authenticated call: handlers read ``params`` and change ``workspace`` under its lock."""

    workspace: Workspace
    params: Params
    base_url: str
    scopes: frozenset[str] = DEFAULT_SCOPES
    issue_socket_url: Callable[[], str] = field(default=lambda: "")

    def need(self, *scopes: str) -> None:
        """Fail with ``missing_scope`` unless one of ``scopes`` was granted (Slack's any-of rule)."""
        if not any(scope in self.scopes for scope in scopes):
            raise SlackError("missing_scope", needed=",".join(scopes), provided=",".join(sorted(self.scopes)))


Handler = Callable[[CallContext], JsonDict]
