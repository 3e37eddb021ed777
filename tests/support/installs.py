"""OAuth-mode helpers over the sandbox: installs stored the way Bolt's OAuth flow stores them."""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.installations import Installations
from serendip.adapters.slack.scopes import BOT_SCOPES
from serendip.config import Settings
from serendip.entrypoints.local_bot import LocalBot
from serendip_sandbox import SlackEmulator
from serendip_sandbox.faults import CallRecord


def oauth_settings(slack: SlackEmulator, database_url: str, **more: object) -> Settings:
    """Settings of a bot in OAuth mode against the sandbox (no bot token: installs bring them)."""
    return Settings(
        SLACK_CLIENT_ID=slack.client_id,
        SLACK_CLIENT_SECRET=SecretStr(slack.client_secret),
        SLACK_SIGNING_SECRET=SecretStr(slack.signing_secret),
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
        **more,
    )


def installations_on(
    db: Database, slack: SlackEmulator, *, client_secret: str | None = None
) -> Installations:
    """What one process (serve or worker) builds in OAuth mode against the sandbox."""
    return Installations.on(
        db,
        client_id=slack.client_id,
        client_secret=client_secret or slack.client_secret,
        api_url=slack.api_url,
    )


def install(installations: Installations, slack: SlackEmulator, team_or_enterprise_id: str) -> Installation:
    """Install the app in a sandbox workspace (or org-wide in a Grid org) and store what
    oauth.v2.access answered, as Bolt's OAuth flow does (auth.test gives the bot id)."""
    answer: dict[str, Any] = slack.install(team_or_enterprise_id, BOT_SCOPES)
    token = str(answer["access_token"])
    enterprise, team = answer.get("enterprise") or {}, answer.get("team") or {}
    installation = Installation(
        app_id=answer["app_id"],
        enterprise_id=enterprise.get("id"),
        enterprise_name=enterprise.get("name"),
        team_id=team.get("id"),
        team_name=team.get("name"),
        bot_token=token,
        bot_id=WebClient(token=token, base_url=slack.api_url).auth_test()["bot_id"],
        bot_user_id=answer["bot_user_id"],
        bot_scopes=answer["scope"],
        bot_refresh_token=answer.get("refresh_token"),
        bot_token_expires_in=answer.get("expires_in"),
        user_id=answer["authed_user"]["id"],
        is_enterprise_install=bool(answer["is_enterprise_install"]),
        token_type=answer["token_type"],
    )
    installations.store.save(installation)
    return installation


def refreshes(slack: SlackEmulator) -> list[CallRecord]:
    """Every oauth.v2.access call that used a refresh token, oldest first."""
    return [c for c in slack.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]


def start_install(bot: LocalBot) -> tuple[str, str]:
    """Open "Add to Slack": the authorize URL on the page and the state set in the cookie."""
    page = httpx.get(f"{bot.url}/slack/install")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    state = re.search(r"slack-app-oauth-state=([^;]+)", cookie)
    link = re.search(r'href="([^"]+/oauth/v2/authorize\?[^"]+)"', page.text)
    assert state is not None and link is not None
    return link.group(1).replace("&amp;", "&"), state.group(1)


def install_through_the_browser(bot: LocalBot, slack: SlackEmulator, scope_id: str) -> httpx.Response:
    """The whole flow: install page, Slack's consent page, the redirect back with the cookie."""
    slack.set_installer(scope_id)
    url, state = start_install(bot)
    redirect = httpx.get(url)
    assert redirect.status_code == 302, redirect.text
    return httpx.get(redirect.headers["location"], headers={"Cookie": f"slack-app-oauth-state={state}"})
