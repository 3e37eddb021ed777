"""OAuth mode's Bolt settings: "Add to Slack" on /slack/install, Slack's redirect back to
/slack/oauth_redirect, Slack's URLs beside SLACK_API_URL, and our stores and locked rotation."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.installations import Installations
from serendip.adapters.slack.installations.authorize import RotatingAuthorize
from serendip.adapters.slack.installations.record import record_installation
from serendip.adapters.slack.scopes import BOT_SCOPES
from serendip.config import Settings

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
_REASON = re.compile(r"[a-z_]{1,40}")


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside the Web API: https://slack.com/api/ -> https://slack.com/oauth/v2/authorize."""
    return urljoin(api_url, "../oauth/v2/authorize")


def oauth_app_kwargs(settings: Settings, db: Database, installations: Installations) -> dict[str, Any]:
    """What `App(...)` takes in OAuth mode: the OAuth settings and our rotating authorize."""
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=installations.store,
        state_store=installations.states,
        state_expiration_seconds=installations.states.expiration_seconds,
        token_rotation_expiration_minutes=installations.rotation.margin_minutes,
        callback_options=CallbackOptions(success=_success(db), failure=_failure),
        logger=_bolt_oauth_logger(),
    )
    # Bolt uses an `Authorize` instance given with oauth_settings instead of its own (unlocked) one.
    return {"oauth_settings": oauth_settings, "authorize": RotatingAuthorize(installations.rotation)}


class RedactOAuthCode(logging.Filter):
    """Bolt logs the one-time OAuth code when the exchange fails: keep it out of every log."""

    # `code: X`, `code=X`, `'code': 'X'` and `'code': ['X']` (Bolt logs the query as a dict).
    _CODE = re.compile(r"""(\bcode['"]?\s*[:=]\s*\[?\s*['"]?)[^'"\s,;)\]]+""")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with any `code: ...` value replaced by [redacted]."""
        message = record.getMessage()
        if "code" in message:
            record.msg, record.args = self._CODE.sub(r"\1[redacted]", message), ()
        return True


def _bolt_oauth_logger() -> logging.Logger:
    logger = logging.getLogger("serendip.bolt")
    if not any(isinstance(f, RedactOAuthCode) for f in logger.filters):
        logger.addFilter(RedactOAuthCode())
    return logger


def _success(db: Database) -> Callable[[SuccessArgs], BoltResponse]:
    def on_success(args: SuccessArgs) -> BoltResponse:
        record_installation(db, args.installation)
        return args.default.success(args)

    return on_success


def _failure(args: FailureArgs) -> BoltResponse:
    # The reason may be the `error` query parameter of the redirect: log it only when it looks like Slack's.
    reason = args.reason if _REASON.fullmatch(args.reason or "") else "other"
    error = type(args.error).__name__ if args.error is not None else "-"
    log.warning("install.failed reason=%s status=%d error=%s", reason, args.suggested_status_code, error)
    return args.default.failure(args)
