"""Builds the object graph from Settings; tests and the demo swap what they need here."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.config import Settings
from serendip.services.first_read import FirstProfileReader


@dataclass
class Container:
    """Everything a running Serendip needs, built once per process."""

    settings: Settings
    db: Database
    client: WebClient
    gateway: SlackGateway
    # Reads a newly seen member's Slack profile in the background (never on the ack path).
    first_read: FirstProfileReader | None = None


def build_container(settings: Settings, *, db: Database | None = None) -> Container:
    """Wire the database and the Slack client from settings (SLACK_BOT_TOKEN must be set)."""
    settings.require("SLACK_BOT_TOKEN")
    assert settings.slack_bot_token is not None
    client = make_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    database = db or Database(settings.database_url)
    gateway = SlackGateway(client)
    reader = FirstProfileReader(database, gateway, label=settings.department_field).attach()
    return Container(settings=settings, db=database, client=client, gateway=gateway, first_read=reader)
