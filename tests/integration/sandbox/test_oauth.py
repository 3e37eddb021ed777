"""OAuth v2 against the emulator: the consent page, oauth.v2.access, its errors, and token rotation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import AuthorizeUrlGenerator
from slack_sdk.oauth.installation_store import FileInstallationStore, Installation
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from serendip_sandbox import SlackEmulator, Workspace

REDIRECT_URI = "http://serendip.test/slack/oauth_redirect"
SCOPES = ["commands", "chat:write", "users:read"]


def error_of(call: object) -> str:
    """Run a WebClient call that must fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as failure:
        call()  # type: ignore[operator]
    return str(failure.value.response["error"])


def authorize(emulator: SlackEmulator, state: str = "state-1", **extra: str) -> httpx.Response:
    """Open the consent page with the URL slack_sdk builds, without following its redirect."""
    url = AuthorizeUrlGenerator(
        client_id=extra.pop("client_id", emulator.client_id),
        scopes=SCOPES,
        redirect_uri=REDIRECT_URI,
        authorization_url=emulator.authorize_url,
    ).generate(state, team=extra.pop("team", None))
    return httpx.get(url, follow_redirects=False)


def code_from(answer: httpx.Response) -> str:
    """The ``code`` the consent page redirected with."""
    assert answer.status_code == 302, answer.text
    return parse_qs(urlparse(answer.headers["location"]).query)["code"][0]


def exchange(emulator: SlackEmulator, code: str, **overrides: str) -> dict[str, object]:
    """Call oauth.v2.access the way slack_sdk does (client credentials as HTTP Basic)."""
    values = {"client_id": emulator.client_id, "client_secret": emulator.client_secret} | overrides
    return (
        WebClient(base_url=emulator.api_url)
        .oauth_v2_access(
            client_id=values["client_id"],
            client_secret=values["client_secret"],
            code=code,
            redirect_uri=overrides.get("redirect_uri", REDIRECT_URI),
        )
        .data
    )  # type: ignore[return-value]


def test_the_consenting_admin_redirects_with_a_code_that_installs_the_chosen_workspace(
    emulator: SlackEmulator, other_workspace: Workspace
) -> None:
    emulator.set_installer(other_workspace.team.id)
    answer = authorize(emulator, state="s-42")
    location = urlparse(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    assert parse_qs(location.query)["state"] == ["s-42"]
    installed = exchange(emulator, code_from(answer))
    admin = next(u.id for u in other_workspace.humans() if u.is_admin)
    assert installed == {
        "ok": True,
        "access_token": installed["access_token"],
        "token_type": "bot",
        "scope": "commands,chat:write,users:read",
        "bot_user_id": other_workspace.bot.id,
        "app_id": other_workspace.app_id,
        "team": {"id": other_workspace.team.id, "name": other_workspace.team.name},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": admin},
    }
    client = WebClient(token=str(installed["access_token"]), base_url=emulator.api_url)
    assert client.auth_test()["team_id"] == other_workspace.team.id


def test_the_team_parameter_picks_the_installing_workspace(
    emulator: SlackEmulator, other_workspace: Workspace
) -> None:
    installed = exchange(emulator, code_from(authorize(emulator, team=other_workspace.team.id)))
    assert installed["team"] == {"id": other_workspace.team.id, "name": other_workspace.team.name}


def test_a_code_works_once_and_expires_after_ten_minutes(emulator: SlackEmulator) -> None:
    code = code_from(authorize(emulator))
    assert exchange(emulator, code)["ok"]
    assert error_of(lambda: exchange(emulator, code)) == "invalid_code"
    late = code_from(authorize(emulator))
    emulator.advance_clock(601)
    assert error_of(lambda: exchange(emulator, late)) == "invalid_code"
    assert error_of(lambda: exchange(emulator, "1.2.never-issued")) == "invalid_code"


def test_wrong_client_credentials_redirects_and_grant_types_get_slacks_errors(
    emulator: SlackEmulator,
) -> None:
    code = code_from(authorize(emulator))
    assert error_of(lambda: exchange(emulator, code, client_id="111.222")) == "invalid_client_id"
    assert error_of(lambda: exchange(emulator, code, client_secret="0" * 32)) == "bad_client_secret"
    assert (
        error_of(lambda: exchange(emulator, code, redirect_uri="http://evil.test/cb")) == "bad_redirect_uri"
    )
    bogus = httpx.post(
        f"{emulator.api_url}oauth.v2.access",
        data={
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "grant_type": "password",
        },
    )
    assert bogus.json() == {"ok": False, "error": "invalid_grant_type"}
    # None of the failures used the code up: credentials sent as form fields exchange it.
    form = httpx.post(
        f"{emulator.api_url}oauth.v2.access",
        data={"client_id": emulator.client_id, "client_secret": emulator.client_secret, "code": code},
    )
    assert form.json()["ok"]
    assert "client_secret" not in emulator.calls_to("oauth.v2.access")[-1].params


def test_the_consent_page_refuses_unknown_apps_missing_scopes_and_foreign_redirects(
    emulator: SlackEmulator,
) -> None:
    unknown = authorize(emulator, client_id="999.999")
    assert (unknown.status_code, unknown.text) == (400, "invalid_client_id")
    no_scopes = httpx.get(emulator.authorize_url, params={"client_id": emulator.client_id, "state": "s"})
    assert (no_scopes.status_code, no_scopes.text) == (400, "no_scopes")
    emulator.redirect_urls.append("http://serendip.example/slack/")
    foreign = authorize(emulator)
    assert (foreign.status_code, foreign.text) == (400, "bad_redirect_uri")


def test_an_admin_who_cancels_is_sent_back_with_access_denied(emulator: SlackEmulator) -> None:
    emulator.set_installer(approve=False)
    answer = authorize(emulator, state="s-7")
    assert answer.status_code == 302
    assert parse_qs(urlparse(answer.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["s-7"],
    }


def test_with_rotation_each_refresh_token_works_once_and_access_tokens_expire(
    emulator: SlackEmulator, workspace: Workspace
) -> None:
    emulator.token_rotation = True
    installed = exchange(emulator, code_from(authorize(emulator)))
    assert installed["expires_in"] == 43_200
    first_access, first_refresh = str(installed["access_token"]), str(installed["refresh_token"])
    assert first_access.startswith("xoxe.xoxb-1-") and first_refresh.startswith("xoxe-1-")
    oauth = WebClient(base_url=emulator.api_url)

    def refresh(token: str) -> dict[str, object]:
        return oauth.oauth_v2_access(
            client_id=emulator.client_id,
            client_secret=emulator.client_secret,
            grant_type="refresh_token",
            refresh_token=token,
        ).data  # type: ignore[return-value]

    renewed = refresh(first_refresh)
    assert renewed["token_type"] == "bot" and renewed["expires_in"] == 43_200
    assert renewed["team"] == {"id": workspace.team.id, "name": workspace.team.name}
    assert renewed["access_token"] != first_access and renewed["refresh_token"] != first_refresh
    assert error_of(lambda: refresh(first_refresh)) == "invalid_refresh_token"
    emulator.advance_clock(43_200)
    assert error_of(WebClient(token=first_access, base_url=emulator.api_url).auth_test) == "token_expired"
    later = refresh(str(renewed["refresh_token"]))
    assert WebClient(token=str(later["access_token"]), base_url=emulator.api_url).auth_test()["ok"]


def test_slack_sdks_token_rotator_renews_an_expiring_install(emulator: SlackEmulator) -> None:
    emulator.token_rotation = True
    emulator.token_lifetime = 3_600  # under the rotator's two-hour margin: it renews at once
    installed = exchange(emulator, code_from(authorize(emulator)))
    installation = Installation(
        user_id="U0INSTALLER",
        team_id=emulator.workspace.team.id,
        bot_token=str(installed["access_token"]),
        bot_refresh_token=str(installed["refresh_token"]),
        bot_token_expires_in=int(installed["expires_in"]),  # type: ignore[call-overload]
    )
    rotator = TokenRotator(
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        client=WebClient(base_url=emulator.api_url),
    )
    rotated = rotator.perform_token_rotation(installation=installation)
    assert rotated is not None and rotated.bot_token != installation.bot_token
    assert WebClient(token=rotated.bot_token, base_url=emulator.api_url).auth_test()["ok"]
    assert emulator.count("oauth.v2.access", ok=True) == 2


def test_bolts_oauth_flow_installs_through_the_sandbox(emulator: SlackEmulator, tmp_path: Path) -> None:
    store = FileInstallationStore(base_dir=str(tmp_path / "installations"))
    flow = OAuthFlow(
        client=WebClient(base_url=emulator.api_url),
        settings=OAuthSettings(
            client_id=emulator.client_id,
            client_secret=emulator.client_secret,
            scopes=SCOPES,
            redirect_uri=REDIRECT_URI,
            install_page_rendering_enabled=False,
            authorization_url=emulator.authorize_url,
            installation_store=store,
            state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(tmp_path / "states")),
        ),
    )
    started = flow.handle_installation(BoltRequest(body="", query="", headers={}))
    assert started.status == 302
    consent = httpx.get(started.headers["location"][0], follow_redirects=False)
    cookie = started.headers["set-cookie"][0].split(";")[0]  # the browser sends the state cookie back
    finished = flow.handle_callback(
        BoltRequest(body="", query=urlparse(consent.headers["location"]).query, headers={"cookie": cookie})
    )
    assert finished.status == 200, finished.body
    stored = store.find_installation(enterprise_id=None, team_id=emulator.workspace.team.id)
    assert stored is not None and stored.bot_id == emulator.workspace.bot.bot_id
    assert WebClient(token=stored.bot_token, base_url=emulator.api_url).auth_test()["ok"]
