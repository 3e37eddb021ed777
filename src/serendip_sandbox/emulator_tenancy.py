"""Many workspaces and Grid orgs in one emulator: hosting, OAuth installs, uninstalls, the token log."""

from __future__ import annotations

from collections.abc import Iterable

from serendip_sandbox.emulator_state import StateReader
from serendip_sandbox.faults import CallLog, CallRecord
from serendip_sandbox.models import JsonDict
from serendip_sandbox.oauth import Consent, OAuthApp
from serendip_sandbox.tenancy import Tenants
from serendip_sandbox.tokens import Grant, SandboxClock
from serendip_sandbox.workspace import Workspace

_NAMED_IDS = ("channel", "channel_id", "channels", "user", "users")


class Tenancy(StateReader):
    """The emulator's controls for hosting several installs of its one app.

    Ids: a workspace is named by its team id; a Grid org by its enterprise id or any of its team ids.
    The readers inherited from ``StateReader`` look at the first (primary) workspace; ``state_of``
    gives the same readers for any other.
    """

    tenants: Tenants
    oauth: OAuthApp
    clock: SandboxClock
    calls: CallLog
    scopes: frozenset[str]

    # -- hosting ----------------------------------------------------------------------------

    def add_workspace(self, workspace: Workspace, *, installed: bool = True) -> Workspace:
        """Host another workspace (or a Grid org from ``generate_grid_org``) of the same app.

        It takes the app's id, signing secret, verification token and app token; with ``installed``
        its own ``bot_token`` (the org-wide token for an org) works at once, otherwise only tokens
        from an OAuth install do. Generate it with its own seed: clashing team ids are refused.
        """
        return self.tenants.host(workspace, self.scopes, installed=installed)

    @property
    def workspaces(self) -> list[Workspace]:
        """Every hosted workspace and org, the primary first."""
        return self.tenants.all()

    def workspace_of(self, team_or_enterprise_id: str) -> Workspace:
        """The hosted workspace with this team id, or the org with this enterprise or team id."""
        return self.tenants.workspace_of(team_or_enterprise_id)

    def state_of(self, team_or_enterprise_id: str) -> StateReader:
        """Readers (messages, ephemerals, Home, modals, waits) for one hosted workspace or org."""
        workspace = self.workspace_of(team_or_enterprise_id)
        return self if workspace is self.workspace else StateReader(workspace)

    # -- OAuth ------------------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        """The app's OAuth client id (``SLACK_CLIENT_ID``)."""
        return self.oauth.client_id

    @property
    def client_secret(self) -> str:
        """The app's OAuth client secret (``SLACK_CLIENT_SECRET``)."""
        return self.oauth.client_secret

    @property
    def token_rotation(self) -> bool:
        """Whether installs hand out expiring tokens with refresh tokens (the app setting)."""
        return self.oauth.token_rotation

    @token_rotation.setter
    def token_rotation(self, enabled: bool) -> None:
        self.oauth.token_rotation = enabled

    @property
    def token_lifetime(self) -> int:
        """Seconds a rotating access token lives (``expires_in``; Slack: 43200)."""
        return self.oauth.token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: int) -> None:
        self.oauth.token_lifetime = seconds

    @property
    def redirect_urls(self) -> list[str]:
        """The app's configured Redirect URLs (mutable); empty: any ``redirect_uri`` is accepted."""
        return self.oauth.redirect_urls

    def set_installer(
        self, team_or_enterprise_id: str | None = None, *, user_id: str | None = None, approve: bool = True
    ) -> None:
        """Choose how the next authorize requests are answered: which workspace installs (an
        enterprise or Grid team id: an org-wide install; None: the primary), by whom, and
        whether the admin approves (else the redirect carries ``error=access_denied``)."""
        if team_or_enterprise_id is not None:
            self.workspace_of(team_or_enterprise_id)  # KeyError now rather than at the redirect
        self.oauth.consent = Consent(team_or_enterprise_id, user_id, approve)

    def install(
        self,
        team_or_enterprise_id: str,
        scopes: Iterable[str] | None = None,
        user_scopes: Iterable[str] = (),
        *,
        user_id: str | None = None,
    ) -> JsonDict:
        """Install the app without the browser round trip; returns what oauth.v2.access would."""
        return self.oauth.install(
            team_or_enterprise_id,
            sorted(self.scopes) if scopes is None else scopes,
            user_scopes,
            user_id=user_id,
        )

    # -- uninstall and tokens ---------------------------------------------------------------

    def uninstall(self, team_or_enterprise_id: str) -> list[Grant]:
        """Revoke every token of that workspace's (or org's) install; return those newly revoked."""
        return self.tenants.revoke(team_or_enterprise_id)

    def revoke_token(self, token: str) -> bool:
        """Revoke one token (later calls with it get ``token_revoked``); False when unknown."""
        return self.tenants.tokens.revoke(token)

    def revoke_team_access(self, team_id: str) -> None:
        """Take one workspace away from its org's org-wide install (``team_access_not_granted``)."""
        workspace = self.workspace_of(team_id)
        with workspace.lock:
            workspace.teams_without_access.add(team_id)

    def is_installed(self, team_or_enterprise_id: str) -> bool:
        """True while the workspace's (or org's) install has a token that was not revoked."""
        return self.tenants.tokens.is_installed(self.workspace_of(team_or_enterprise_id).scope_id)

    def grants(self, team_or_enterprise_id: str) -> list[Grant]:
        """Copies of every token issued for that install (revoked and expired ones included)."""
        return self.tenants.tokens.of_scope(self.workspace_of(team_or_enterprise_id).scope_id)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock that token and OAuth code expiry read (message times unaffected)."""
        self.clock.advance(seconds)

    # -- who called ---------------------------------------------------------------------------

    def calls_from(self, team_or_enterprise_id: str, method: str | None = None) -> list[CallRecord]:
        """The calls made with tokens of that workspace's (or org's) install, oldest first."""
        return self.calls.made_by(self.workspace_of(team_or_enterprise_id).scope_id, method)

    def foreign_calls(self) -> list[CallRecord]:
        """Calls naming a channel or person (``channel``, ``user``, ``users``...) that lives only in
        another hosted workspace than the one the call's token belongs to: each one a leak."""
        owners: dict[str, set[str]] = {}
        for workspace in self.workspaces:
            with workspace.lock:
                for known in (*workspace.users, *workspace.conversations):
                    owners.setdefault(known, set()).add(workspace.scope_id)
        return [
            record
            for record in self.calls.all()
            if record.scope_id is not None
            and any(record.scope_id not in owners.get(named, {record.scope_id}) for named in _named(record))
        ]


def _named(record: CallRecord) -> list[str]:
    values = [str(record.params.get(key, "")) for key in _NAMED_IDS]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
