"""The Bolt app: wiring only. Listeners live in `listeners/`, one module per Slack surface."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from serendip.adapters.slack.coffee import router as coffee_router
from serendip.adapters.slack.context import APOLOGY, org_wide_enterprise
from serendip.adapters.slack.listeners import (
    actions,
    circle_buttons,
    config,
    events,
    intro_buttons,
    run_confirm,
)
from serendip.adapters.slack.listeners import asks as asks_listeners
from serendip.adapters.slack.listeners import home as home_listeners
from serendip.adapters.slack.listeners import profile as profile_listeners
from serendip.adapters.slack.listeners import uninstall as uninstall_listeners
from serendip.adapters.slack.org_identities import OrgIdentities, map_payload
from serendip.adapters.slack.payload_shape import malformed_field
from serendip.bootstrap import Container

log = logging.getLogger(__name__)


def build_app(container: Container, *, signing_secret: str | None) -> App:
    """A Bolt App whose listeners receive the container as `services`."""
    oauth = container.installations is not None
    app = App(
        client=container.client,
        signing_secret=signing_secret,
        # Socket Mode has no HTTP signature to check; every HTTP mode verifies.
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("serendip.bolt"),
        **(_oauth_kwargs(container) if oauth else {}),
    )

    @app.middleware
    def inject_services(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> None:
        # OAuth mode: the services act through this request's installation client (its token).
        deps = container.for_client(context.client) if oauth else container
        # Through an org-wide install, directory reads key people by the org (see to_directory_user).
        org = org_wide_enterprise(body)
        context["deps"] = deps.scoped(org) if org else deps
        next()

    @app.middleware
    def refuse_malformed(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        # A signed payload of the wrong shape is answered 200 and dropped, never an exception.
        field = malformed_field(body)
        if field is None:
            next()
            return None
        kind = body.get("type") if field != "type" else "unknown"
        log.warning("slack.malformed_payload kind=%s field=%s", kind, field)
        return BoltResponse(status=200, body="")

    identities = OrgIdentities()  # one cache per process: an id is exchanged with Slack once

    @app.middleware
    def one_id_per_person(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> None:
        # Through an org-wide install a person may come with a workspace-local id; every listener
        # reads the payload, so the ids are made org-wide there (one member per person per org).
        org = org_wide_enterprise(body)
        if org and context.client is not None:
            asker = map_payload(body, identities, context.client, org)
            if asker and context.user_id:
                context["user_id"] = asker
        next()

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], respond: Any, logger: logging.Logger
    ) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return BoltResponse(status=200, body="")
        kind = body.get("type") or ("command" if "command" in body else "unknown")
        log.error(
            "slack.handler_failed kind=%s team=%s user=%s error=%s",
            kind,
            _team(body),
            _user(body),
            type(error).__name__,
            exc_info=error,
        )
        if body.get("response_url"):
            try:
                respond(text=APOLOGY, response_type="ephemeral", replace_original=False)
            except Exception as exc:  # the apology itself failing must not raise again
                log.warning("slack.apology_failed error=%s", type(exc).__name__)
        return None

    coffee_router.register(app)
    events.register(app)
    actions.register(app)
    config.register(app)
    intro_buttons.register(app)
    circle_buttons.register(app)
    home_listeners.register(app)
    asks_listeners.register(app)
    profile_listeners.register(app)
    run_confirm.register(app)
    uninstall_listeners.register(app)
    return app


def _oauth_kwargs(container: Container) -> dict[str, Any]:
    # Imported here: token mode never loads slack-sdk's SQLAlchemy stores.
    from serendip.adapters.slack.oauth import oauth_app_kwargs

    assert container.installations is not None
    return oauth_app_kwargs(container.settings, container.db, container.installations)


def _team(body: dict[str, Any]) -> str:
    team = body.get("team_id") or body.get("team") or ""
    return str(team.get("id") if isinstance(team, dict) else team)


def _user(body: dict[str, Any]) -> str:
    user = body.get("user_id") or body.get("user") or ""
    return str(user.get("id") if isinstance(user, dict) else user)
