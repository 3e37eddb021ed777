"""The driver's install lifecycle: uninstalling, revoking tokens and taking a Grid workspace away."""

from __future__ import annotations

from collections.abc import Sequence

from serendip_sandbox.emulator import SlackEmulator
from serendip_sandbox.models import JsonDict, Team
from serendip_sandbox.payloads import Payloads
from serendip_sandbox.results import HttpResult
from serendip_sandbox.workspace import Workspace


class LifecycleEvents:
    """Do what a Slack admin does to the app's install, then send the events Slack sends for it.

    Each acts on the driver's workspace (or its whole Grid org, installed org-wide) and delivers
    the bare lifecycle envelope: ``team_id`` for a workspace, ``enterprise_id`` for an org.
    """

    emulator: SlackEmulator
    workspace: Workspace
    team: Team
    payloads: Payloads

    def deliver_envelope(self, envelope: JsonDict, *, retry_attempt: int = 0) -> HttpResult:
        """Deliver an Events API envelope (SlackDriver implements it)."""
        raise NotImplementedError

    def tokens_revoked(
        self, *, bot: Sequence[str] | None = None, oauth: Sequence[str] | None = None
    ) -> HttpResult:
        """Revoke every token of the install, then send ``tokens_revoked`` naming the users whose
        tokens went (``tokens.bot``: bot user ids, ``tokens.oauth``: people), unless given."""
        self.emulator.uninstall(self.workspace.scope_id)
        revoked = [g for g in self.emulator.grants(self.workspace.scope_id) if g.revoked]
        bot_ids = sorted({g.user_id for g in revoked if g.kind == "bot"}) or [self.workspace.bot.id]
        person_ids = sorted({g.user_id for g in revoked if g.kind == "user"})
        tokens = {
            "oauth": list(person_ids if oauth is None else oauth),
            "bot": list(bot_ids if bot is None else bot),
        }
        return self.deliver_envelope(
            self.payloads.lifecycle_envelope({"type": "tokens_revoked", "tokens": tokens})
        )

    def app_uninstalled(self) -> HttpResult:
        """Revoke every token of the install, then send ``app_uninstalled``."""
        self.emulator.uninstall(self.workspace.scope_id)
        return self.deliver_envelope(self.payloads.lifecycle_envelope({"type": "app_uninstalled"}))

    def uninstall(self, *, app_uninstalled_first: bool = False) -> list[HttpResult]:
        """Uninstall the app as an admin does: every token revoked, then ``tokens_revoked`` and
        ``app_uninstalled`` (Slack does not promise their order; ``app_uninstalled_first`` flips it)."""
        if app_uninstalled_first:
            return [self.app_uninstalled(), self.tokens_revoked()]
        return [self.tokens_revoked(), self.app_uninstalled()]

    def team_access_revoked(self, team_ids: Sequence[str] | None = None) -> HttpResult:
        """Take workspaces of a Grid org (default: the driver's) away from the org-wide install,
        then send ``team_access_revoked``; the org's token keeps working for the others."""
        if self.workspace.enterprise is None:
            raise ValueError("team_access_revoked concerns the workspaces of a Grid org")
        removed = list(team_ids or [self.team.id])
        for team_id in removed:
            self.emulator.revoke_team_access(team_id)
        event = {"type": "team_access_revoked", "team_ids": removed, "event_ts": self.workspace.new_ts()}
        return self.deliver_envelope(self.payloads.lifecycle_envelope(event))
