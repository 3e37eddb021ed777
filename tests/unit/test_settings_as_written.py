"""An empty value means unset for every optional setting, and .env.example runs HTTP mode as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from serendip.config import Settings

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "SERENDIP_DEPARTMENT_FIELD",
    "SERENDIP_HOST",
    "SERENDIP_PORT",
    "SERENDIP_LOG_LEVEL",
    "SERENDIP_LOG_FORMAT",
    "SERENDIP_ALLOW_MEMBER_SETUP",
    "SERENDIP_RETENTION_DAYS",
    "SERENDIP_UNINSTALL_GRACE_DAYS",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in OPTIONAL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def _defaults() -> dict[str, object]:
    settings = Settings()
    return {info.alias: getattr(settings, field) for field, info in Settings.model_fields.items()}


def test_every_setting_is_covered_by_this_test() -> None:
    assert {info.alias for info in Settings.model_fields.values()} == set(OPTIONAL)


@pytest.mark.parametrize("name", OPTIONAL)
def test_an_empty_environment_variable_means_unset(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _defaults()[name]
    monkeypatch.setenv(name, "")
    settings = Settings()
    field = next(f for f, info in Settings.model_fields.items() if info.alias == name)
    assert getattr(settings, field) == expected


def test_env_example_with_the_two_secrets_filled_in_runs_http_mode(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    text = text.replace("SLACK_BOT_TOKEN=\n", "SLACK_BOT_TOKEN=xoxb-1-example\n")
    text = text.replace("SLACK_SIGNING_SECRET=\n", "SLACK_SIGNING_SECRET=abc123\n")
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    settings = Settings()
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    assert settings.slack_app_token is None  # HTTP mode, not Socket Mode with an empty token
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.host, settings.port, settings.log_format.value) == ("127.0.0.1", 3000, "text")
    assert settings.retention_days == 730


def test_env_example_names_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in OPTIONAL:
        assert f"{name}=" in text, name


def test_a_copy_of_env_example_left_unfilled_still_parses(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    assert Settings().slack_bot_token is None
