"""What a Web API method handler gets: the workspace, the arguments and the granted scopes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from serendip_sandbox.errors import SlackError
from serendip_sandbox.models import JsonDict
from serendip_sandbox.params import Params
from serendip_sandbox.tokens import Grant
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
    """One authenticated call: handlers read ``params`` and change ``workspace`` under its lock.

    ``grant`` is the token's install (None only for contexts built by hand).
    """

    workspace: Workspace
    params: Params
    base_url: str
    scopes: frozenset[str] = DEFAULT_SCOPES
    issue_socket_url: Callable[[], str] = field(default=lambda: "")
    grant: Grant | None = None

    @property
    def org_wide(self) -> bool:
        """True when the call uses an org-wide token of a Grid org."""
        return self.grant is not None and self.grant.is_enterprise_install

    def team_argument(self, *, required: bool) -> str | None:
        """The workspace an org-wide token acts on (``team_id``); None for workspace tokens.

        Slack asks org-wide apps for ``team_id`` on methods such as users.list and conversations.list,
        and refuses teams the org's admins have not granted the app.
        """
        if not self.org_wide:
            return None
        team_id = self.params.text("team_id")
        if not team_id:
            if required:
                raise SlackError(
                    "missing_argument",
                    response_metadata={"messages": ["[ERROR] missing required field: team_id"]},
                )
            return None
        granted = {t.id for t in self.workspace.teams} - self.workspace.teams_without_access
        if team_id not in granted:
            raise SlackError("team_access_not_granted")
        return team_id

    def need(self, *scopes: str) -> None:
        """Fail with ``missing_scope`` unless one of ``scopes`` was granted (Slack's any-of rule)."""
        if not any(scope in self.scopes for scope in scopes):
            raise SlackError("missing_scope", needed=",".join(scopes), provided=",".join(sorted(self.scopes)))


Handler = Callable[[CallContext], JsonDict]
