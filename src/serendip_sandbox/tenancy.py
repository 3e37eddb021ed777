"""The workspaces and Grid orgs one emulator hosts for its one app, and the tokens that open them."""

from __future__ import annotations

import threading

from serendip_sandbox.models import Team
from serendip_sandbox.tokens import Grant, SandboxClock, TokenBook, install_grant
from serendip_sandbox.workspace import Workspace


class Tenants:
    """Hosted workspaces by scope id (team id; enterprise id for a Grid org) and their tokens.

    Every hosted workspace belongs to the primary workspace's app: one app id, signing secret,
    verification token and app-level token, as when one distributed app is installed many times.
    """

    def __init__(self, primary: Workspace, scopes: frozenset[str], clock: SandboxClock) -> None:
        self.primary = primary
        self.clock = clock
        self.tokens = TokenBook(clock)
        self._hosted: dict[str, Workspace] = {}
        self._lock = threading.Lock()
        self.host(primary, scopes)
        self.tokens.add(install_grant(primary, primary.app_token, "app", scopes))

    def host(self, workspace: Workspace, scopes: frozenset[str], *, installed: bool = True) -> Workspace:
        """Host ``workspace`` (its own bot token accepted when ``installed``); ValueError on id clashes."""
        with self._lock:
            clash = {workspace.scope_id, *(t.id for t in workspace.teams)} & self._known_ids()
            if clash:
                raise ValueError(
                    f"already hosted: {', '.join(sorted(clash))} (generate it with another seed)"
                )
            if workspace is not self.primary:
                _join_app(workspace, self.primary)
            self._hosted[workspace.scope_id] = workspace
        if installed:
            self.tokens.add(install_grant(workspace, workspace.bot_token, "bot", scopes))
        return workspace

    def _known_ids(self) -> set[str]:
        return {i for ws in self._hosted.values() for i in (ws.scope_id, *(t.id for t in ws.teams))}

    def all(self) -> list[Workspace]:
        """Every hosted workspace, the primary first."""
        with self._lock:
            return list(self._hosted.values())

    def workspace_of(self, team_or_enterprise_id: str) -> Workspace:
        """The workspace hosting a team id or an enterprise id (a Grid team maps to its org); KeyError."""
        with self._lock:
            for workspace in self._hosted.values():
                if team_or_enterprise_id == workspace.scope_id or any(
                    team.id == team_or_enterprise_id for team in workspace.teams
                ):
                    return workspace
        raise KeyError(team_or_enterprise_id)

    def team_of(self, team_or_enterprise_id: str) -> Team:
        """The team acting for an id: that team, or the org's first team for an enterprise id."""
        workspace = self.workspace_of(team_or_enterprise_id)
        return next((t for t in workspace.teams if t.id == team_or_enterprise_id), workspace.teams[0])

    def knows(self, team_or_enterprise_id: str) -> bool:
        """True when a hosted workspace or org has this team or enterprise id."""
        try:
            self.workspace_of(team_or_enterprise_id)
        except KeyError:
            return False
        return True

    def owner_of_response_url(self, response_id: str) -> Workspace | None:
        """The workspace that issued a response_url (commands and clicks of every workspace post back)."""
        for workspace in self.all():
            with workspace.lock:
                if response_id in workspace.response_urls:
                    return workspace
        return None

    def owner_of_upload(self, key: str) -> Workspace | None:
        """The workspace whose files.getUploadURLExternal handed out the upload ``key``."""
        for workspace in self.all():
            with workspace.lock:
                if any(f.upload_key == key for f in workspace.files.values()):
                    return workspace
        return None

    def revoke(self, team_or_enterprise_id: str) -> list[Grant]:
        """Revoke every token of the install serving this id; return the grants newly revoked."""
        return self.tokens.revoke_scope(self.workspace_of(team_or_enterprise_id).scope_id)


def _join_app(workspace: Workspace, primary: Workspace) -> None:
    # One app installed many times: Slack signs every workspace's requests with the app's secret.
    with workspace.lock:
        workspace.app_id = primary.app_id
        workspace.bot.app_id = primary.app_id
        workspace.app_token = primary.app_token
        workspace.signing_secret = primary.signing_secret
        workspace.verification_token = primary.verification_token
