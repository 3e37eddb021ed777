"""The scheduler's Slack for each program's installation (the `Workspaces` port)."""

from __future__ import annotations

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
