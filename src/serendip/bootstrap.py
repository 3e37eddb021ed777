"""Builds the object graph from Settings; tests and the demo swap what they need here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import SlackClients
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.adapters.slack.workspaces import InstallationWorkspaces, TokenWorkspaces
from serendip.config import Settings
from serendip.services.deps import Deps
from serendip.services.first_read import FirstProfileReader
from serendip.services.ports import Workspaces

if TYPE_CHECKING:
    from serendip.adapters.slack.installations import Installations


@dataclass(kw_only=True)
class Container(Deps):
    """The services' `Deps` plus what only the entry points use: the Web API clients and the gateway class."""

    # Token mode: the bot token's client. OAuth mode: a client without a token (each request and
    # each scope gets its installation's client: `for_client`, `clients.for_team`).
    client: WebClient
    clients: SlackClients
    slack_gateway: SlackGateway
    # The Slack port and publisher of each installation, for the scheduler's rounds.
    workspaces: Workspaces
    # OAuth mode only: the installation and state stores and the token rotation.
    installations: Installations | None = None

    def for_client(self, client: WebClient) -> Container:
        """This container acting through ``client`` (a request's installation client, in OAuth mode)."""
        gateway = SlackGateway(client)
        return replace(
            self,
            client=client,
            gateway=gateway,
            publisher=SlackIntroPublisher(gateway),
            slack_gateway=gateway,
        )

    def scoped(self, scope_id: str) -> Container:
        """This container acting for ``scope_id`` (an org-wide install keys people by its org)."""
        gateway = self.slack_gateway.scoped(scope_id)
        return replace(self, gateway=gateway, slack_gateway=gateway)


def build_container(settings: Settings, *, db: Database | None = None) -> Container:
    """Wire the database and Slack from settings: SLACK_BOT_TOKEN, or OAuth mode's client id and secret."""
    settings.require_slack_mode()
    database = db or Database(settings.database_url)
    installations = _installations(settings, database) if settings.oauth_mode else None
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token is not None else None
    clients = SlackClients(token, settings.slack_api_url, installations=installations)
    client = clients.base_client
    gateway = SlackGateway(client)
    publisher = SlackIntroPublisher(gateway)
    # OAuth mode has no client to read profiles with outside a request: the directory sync reads them.
    reader = (
        None
        if installations is not None
        else FirstProfileReader(database, gateway, label=settings.department_field).attach()
    )
    return Container(
        settings=settings,
        db=database,
        gateway=gateway,
        publisher=publisher,
        first_read=reader,
        client=client,
        clients=clients,
        slack_gateway=gateway,
        workspaces=InstallationWorkspaces(clients) if installations else TokenWorkspaces(gateway, publisher),
        installations=installations,
    )


def _installations(settings: Settings, database: Database) -> Installations:
    # Imported here: slack-sdk's SQLAlchemy stores load SQLAlchemy's asyncio layer, which token
    # mode never needs.
    from serendip.adapters.slack.installations import Installations

    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    return Installations.on(
        database,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        api_url=settings.slack_api_url,
    )
