"""Settings: exactly PRODUCT.md's variables and defaults, with one clear line when one is wrong."""

from __future__ import annotations

import pytest

from serendip.config import SettingError, Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "SERENDIP_DEPARTMENT_FIELD",
        "SERENDIP_HOST",
        "SERENDIP_PORT",
        "SERENDIP_LOG_LEVEL",
        "SERENDIP_UNINSTALL_GRACE_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


def test_defaults_are_the_ones_product_md_lists() -> None:
    settings = Settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///serendip.db"
    assert settings.department_field == "Department"
    assert (settings.host, settings.port, settings.log_level.value) == ("127.0.0.1", 3000, "INFO")
    assert settings.slack_bot_token is None


def test_a_missing_required_setting_is_named() -> None:
    with pytest.raises(SettingError, match="SLACK_BOT_TOKEN is not set"):
        Settings().require("SLACK_BOT_TOKEN")


def test_an_invalid_setting_is_named_without_echoing_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERENDIP_PORT", "xoxb-secret-looking-value")
    with pytest.raises(SettingError) as error:
        load_settings()
    assert "SERENDIP_PORT" in str(error.value)
    assert "xoxb" not in str(error.value)


def test_api_url_gets_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    assert Settings().slack_api_url == "http://127.0.0.1:9999/api/"


def test_tokens_are_hidden_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    assert "very-secret" not in repr(Settings())


def test_plain_postgresql_urls_use_psycopg_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/serendip")
    assert Settings().database_url == "postgresql+psycopg://u:p@db/serendip"


def test_uninstall_grace_is_thirty_days_by_default_and_may_be_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().uninstall_grace_days == 30
    monkeypatch.setenv("SERENDIP_UNINSTALL_GRACE_DAYS", "0")
    assert Settings().uninstall_grace_days == 0


def test_a_negative_uninstall_grace_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERENDIP_UNINSTALL_GRACE_DAYS", "-1")
    with pytest.raises(SettingError, match="SERENDIP_UNINSTALL_GRACE_DAYS is invalid"):
        load_settings()
