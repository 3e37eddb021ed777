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
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
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


def test_token_mode_is_the_default_and_needs_the_bot_token() -> None:
    settings = Settings()
    assert not settings.oauth_mode
    with pytest.raises(SettingError, match=r"^SLACK_BOT_TOKEN is not set"):
        settings.require_slack_mode()


def test_client_id_and_secret_turn_on_oauth_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    settings = Settings()
    settings.require_slack_mode()
    assert settings.oauth_mode
    assert "shh" not in repr(settings)


def test_a_bot_token_with_a_client_id_is_one_line_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    with pytest.raises(SettingError) as error:
        Settings().require_slack_mode()
    message = str(error.value)
    assert "SLACK_BOT_TOKEN" in message and "SLACK_CLIENT_ID" in message
    assert "\n" not in message and "xoxb-1" not in message


def test_a_client_id_without_its_secret_names_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    with pytest.raises(SettingError, match=r"^SLACK_CLIENT_SECRET is not set"):
        Settings().require_slack_mode()


def test_oauth_mode_refuses_socket_mode_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    with pytest.raises(SettingError, match="needs HTTP mode: unset SLACK_APP_TOKEN"):
        Settings().require_slack_mode()


def test_empty_client_settings_mean_token_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    settings = Settings()
    settings.require_slack_mode()
    assert not settings.oauth_mode
