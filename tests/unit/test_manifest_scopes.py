"""Every bot scope in slack-manifest.yml is needed by a Web API method the code calls, and every
method the code calls has its scope in the manifest; both manifests (single-workspace and
distributed) list exactly the scopes the OAuth flow asks for. Scopes per method are from Slack's
method docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from serendip.adapters.slack.scopes import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "src" / "serendip"

# slack_sdk method -> the bot scopes Slack accepts for it (any one suffices; None: no scope needed).
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "auth_teams_list": frozenset(),  # an org-wide token's workspaces; Slack asks no scope for it
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    # The bot reads only its own group DMs' history, to find its intro posts after a crash.
    "conversations_history": frozenset({"mpim:history"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "conversations_members": frozenset({"channels:read", "groups:read"}),
    "conversations_open": frozenset({"im:write", "mpim:write"}),
    "files_upload_v2": frozenset({"files:write"}),
    # Grid local ids -> org-wide ids; Slack's docs name tokens.basic, which every token carries.
    "migration_exchange": frozenset(),
    "team_profile_get": frozenset({"users.profile:read"}),
    "users_info": frozenset({"users:read"}),
    "users_list": frozenset({"users:read"}),
    "users_profile_get": frozenset({"users.profile:read"}),
    "views_open": frozenset(),
    "views_publish": frozenset(),
    "views_update": frozenset(),
}
# Scopes that come with a feature rather than a method.
FEATURE_SCOPES = {
    "commands": "the /coffee slash command",
    "users:read.email": "users.list / users.info return e-mail addresses (people CSV matched by email)",
}


MANIFESTS = ("slack-manifest.yml", "slack-manifest.distributed.yml")


def manifest(name: str = "slack-manifest.yml") -> dict[str, Any]:
    """A manifest, parsed."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return loaded


def manifest_scopes() -> set[str]:
    """The bot scopes the manifest requests."""
    return set(manifest()["oauth_config"]["scopes"]["bot"])


def methods_called() -> set[str]:
    """Every Web API method the bot's code calls on a WebClient (`client.x(`; our own `.users_page(` is not one)."""
    names = set()
    pattern = re.compile(
        r"client\.(" + "|".join(re.escape(m) for m in METHOD_SCOPES) + r"|[a-z]+_[A-Za-z_]+)\("
    )
    for path in CODE.rglob("*.py"):
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            prefix = name.split("_", 1)[0]
            if prefix in {"auth", "chat", "conversations", "files", "migration", "team", "users", "views"}:
                names.add(name)
    return names


def test_every_method_the_code_calls_is_known_to_this_test() -> None:
    assert methods_called() <= set(METHOD_SCOPES), methods_called() - set(METHOD_SCOPES)


def test_every_scope_in_the_manifest_is_used_by_the_code() -> None:
    used = set().union(*(METHOD_SCOPES[m] for m in methods_called() if m in METHOD_SCOPES))
    unused = manifest_scopes() - used - set(FEATURE_SCOPES)
    assert unused == set(), f"scopes requested but not used: {sorted(unused)}"


def test_every_method_the_code_calls_has_a_scope_in_the_manifest() -> None:
    scopes = manifest_scopes()
    for method in methods_called() & set(METHOD_SCOPES):
        needed = METHOD_SCOPES[method]
        assert not needed or needed & scopes, f"{method} needs one of {sorted(needed)}"


def test_the_privacy_page_says_why_each_scope_is_requested() -> None:
    privacy = (ROOT / "docs" / "privacy.md").read_text()
    for scope in manifest_scopes():
        assert f"`{scope}`" in privacy, scope


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_lists_exactly_the_scopes_the_oauth_flow_asks_for(name: str) -> None:
    scopes = manifest(name)["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(BOT_SCOPES) and len(scopes) == len(set(scopes))


def test_the_distributed_manifest_redirects_rotates_tokens_and_deploys_org_wide() -> None:
    distributed = manifest("slack-manifest.distributed.yml")
    assert [url.rsplit("/", 2)[-2:] for url in distributed["oauth_config"]["redirect_urls"]] == [
        ["slack", "oauth_redirect"]
    ]
    settings = distributed["settings"]
    assert settings["token_rotation_enabled"] is True and settings["org_deploy_enabled"] is True
    assert settings["socket_mode_enabled"] is False  # OAuth mode serves its install pages over HTTP
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked", "team_access_revoked"} <= events


def test_the_two_manifests_differ_only_in_distribution() -> None:
    single, distributed = manifest(), manifest("slack-manifest.distributed.yml")
    assert single["features"] == distributed["features"]
    assert set(single["settings"]["event_subscriptions"]["bot_events"]) <= set(
        distributed["settings"]["event_subscriptions"]["bot_events"]
    )
    assert single["settings"]["token_rotation_enabled"] is False
    assert "redirect_urls" not in single["oauth_config"]
