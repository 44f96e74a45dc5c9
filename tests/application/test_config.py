"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from portal import create_app, migrate


@pytest.mark.no_database
def test_development_defaults_to_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings("development")
    assert settings.DATABASE_URL.startswith("sqlite:///")
    assert settings.DATABASE_URL.endswith("instance/portal.sqlite3")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
@pytest.mark.no_database
def test_production_refuses_to_start_without_its_secrets(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        create_app("production")


@pytest.mark.no_database
def test_production_wants_a_long_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings("production")


@pytest.mark.no_database
def test_production_sets_secure_host_only_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["DATABASE_URL"].startswith("postgresql+psycopg://")


@pytest.mark.no_database
def test_mail_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "audit@example.org")
    settings = load_settings("development")
    assert (settings.MAIL_SERVER, settings.MAIL_PORT, settings.MAIL_USE_TLS) == (
        "smtp.example.org", 587, True)
    assert settings.MAIL_DEFAULT_SENDER == "audit@example.org"


@pytest.mark.no_database
def test_a_bad_number_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        load_settings("development")


@pytest.mark.no_database
def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        load_settings("staging")


@pytest.mark.sqlite_pass_only  # its own SQLite file, whatever TEST_DB says
def test_a_sqlite_files_folder_is_created_on_first_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new-folder' / 'portal.sqlite3'}"
    create_app("testing", DATABASE_URL=url)
    migrate.upgrade(url)
    assert (tmp_path / "new-folder" / "portal.sqlite3").exists()


@pytest.mark.no_database
def test_production_refuses_per_process_rate_limits_unless_told_it_is_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(ConfigError, match="memory://"):
        load_settings("production")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
    assert load_settings("production").RATELIMIT_STORAGE_URI == "memory://"


@pytest.mark.no_database
def test_a_lease_shorter_than_three_message_deadlines_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAIL_LEASE_SECONDS", "60")
    monkeypatch.setenv("MAIL_MESSAGE_SECONDS", "30")
    with pytest.raises(ConfigError, match="MAIL_LEASE_SECONDS must be at least 3 times"):
        load_settings("development")
