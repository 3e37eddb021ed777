"""Every bot scope in slack-manifest.yml is needed by a Web API method the code calls, and every
method the code calls has its scope in the manifest. Scopes per method are from Slack's method docs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "src" / "serendip"

# slack_sdk method -> the bot scopes Slack accepts for it (any one suffices; None: no scope needed).
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    # The bot reads only its own group DMs' history, to find its intro posts after a crash.
    "conversations_history": frozenset({"mpim:history"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "conversations_members": frozenset({"channels:read", "groups:read"}),
    "conversations_open": frozenset({"im:write", "mpim:write"}),
    "files_upload_v2": frozenset({"files:write"}),
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


def manifest_scopes() -> set[str]:
    """The bot scopes the manifest requests."""
    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text())
    return set(manifest["oauth_config"]["scopes"]["bot"])


def methods_called() -> set[str]:
    """Every Web API method the bot's code calls on a WebClient (`client.x(`; our own `.users_page(` is not one)."""
    names = set()
    pattern = re.compile(
        r"client\.(" + "|".join(re.escape(m) for m in METHOD_SCOPES) + r"|[a-z]+_[A-Za-z_]+)\("
    )
    for path in CODE.rglob("*.py"):
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            prefix = name.split("_", 1)[0]
            if prefix in {"auth", "chat", "conversations", "files", "team", "users", "views"}:
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
