"""The real bot served over HTTP in this process: used by `serendip demo`, the e2e tests and benchmarks."""

from __future__ import annotations

from pydantic import SecretStr

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.slack.app import build_app
from serendip.bootstrap import Container, build_container
from serendip.config import Settings
from serendip.entrypoints.server import build_asgi
from serendip_sandbox.serving import BackgroundServer


def sandbox_settings(*, api_url: str, bot_token: str, signing_secret: str, database_url: str) -> Settings:
    """Settings pointing the bot at a local Slack emulator."""
    return Settings(
        SLACK_BOT_TOKEN=SecretStr(bot_token),
        SLACK_SIGNING_SECRET=SecretStr(signing_secret),
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
    )


class LocalBot:
    """Migrate, build the container and Bolt app, and serve /slack/events on a free local port."""

    def __init__(self, settings: Settings, *, db: Database | None = None) -> None:
        self.settings = settings
        self.container: Container = build_container(settings, db=db or Database(settings.database_url))
        upgrade(self.container.db)
        assert settings.slack_signing_secret is not None
        secret = settings.slack_signing_secret.get_secret_value()
        bolt = build_app(self.container, signing_secret=secret)
        self._server = BackgroundServer(
            build_asgi(self.container, bolt, signing_secret=secret), name="serendip-bot"
        )

    @property
    def events_url(self) -> str:
        """Where Slack (the driver) sends commands, events and interactivity."""
        return f"{self._server.url}/slack/events"

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._server.url

    def start(self) -> LocalBot:
        """Start serving."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving, stop delivering (a round an `admin run` started in the background gives its
        lease up), and close database connections."""
        self._server.stop()
        self.container.stop_background_work()
        if self.container.first_read is not None:
            self.container.first_read.stop()
        self.container.db.dispose()

    def __enter__(self) -> LocalBot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
