"""The scheduler's Slack for each program's installation (the `Workspaces` port)."""

from __future__ import annotations

from serendip.adapters.slack.client import SlackClients
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.services.ports import IntroPublisher, Slack


class TokenWorkspaces:
    """Single-token mode: the one bot token serves every scope (a workspace, or an org-wide install's
    org, whose people the gateway then keys by the org)."""

    def __init__(self, gateway: SlackGateway, publisher: SlackIntroPublisher) -> None:
        self._gateway, self._publisher = gateway, publisher

    def slack(self, scope_id: str) -> Slack:
        """The token's gateway, acting for ``scope_id``."""
        return self._gateway.scoped(scope_id)

    def publisher(self, scope_id: str) -> IntroPublisher:
        """The token's publisher (posting needs no scope)."""
        return self._publisher


class InstallationWorkspaces:
    """OAuth mode: each scope's Slack from its installation's current (rotated) bot token."""

    def __init__(self, clients: SlackClients) -> None:
        self._clients = clients

    def slack(self, scope_id: str) -> Slack:
        """The gateway of the installation serving ``scope_id``."""
        return SlackGateway(self._clients.for_team(scope_id)).scoped(scope_id)

    def publisher(self, scope_id: str) -> IntroPublisher:
        """The round delivery port of the installation serving ``scope_id``."""
        return SlackIntroPublisher(SlackGateway(self._clients.for_team(scope_id)))
