"""Builds the object graph from Settings; tests and the demo swap what they need here."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import SlackClients
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.adapters.slack.workspaces import TokenWorkspaces
from serendip.config import Settings
from serendip.services.deps import Deps
from serendip.services.first_read import FirstProfileReader
from serendip.services.ports import Workspaces


@dataclass(kw_only=True)
class Container(Deps):
    """The services' `Deps` plus what only the entry points use: the Web API clients and the gateway class."""

    client: WebClient
    # Where startup checks and the directory sync get their client (one per installation, later).
    clients: SlackClients
    slack_gateway: SlackGateway
    # The Slack port and publisher of each installation, for the scheduler's rounds.
    workspaces: Workspaces


def build_container(settings: Settings, *, db: Database | None = None) -> Container:
    """Wire the database and the Slack client from settings (SLACK_BOT_TOKEN must be set)."""
    settings.require("SLACK_BOT_TOKEN")
    assert settings.slack_bot_token is not None
    clients = SlackClients(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    client = clients.for_team()
    database = db or Database(settings.database_url)
    gateway = SlackGateway(client)
    publisher = SlackIntroPublisher(gateway)
    reader = FirstProfileReader(database, gateway, label=settings.department_field).attach()
    return Container(
        settings=settings,
        db=database,
        gateway=gateway,
        publisher=publisher,
        first_read=reader,
        client=client,
        clients=clients,
        slack_gateway=gateway,
        workspaces=TokenWorkspaces(gateway, publisher),
    )
