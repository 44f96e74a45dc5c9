"""The `flask` commands: each is a thin call into services (see portal/commands/)."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

COMMAND_MODULES = (
    "db",
    "tools",
    "agencies",
    "users",
    "mail",
    "jobs",
    "demo",
    "cycles",
    "reports",
    "moderation",
    "chasers",
    "returns",
    "requests",
    "survey",
    "backup",
    "retention",
    "people",
    "sso",
    "partnerships",
)


def register_commands(app: Flask) -> None:
    for name in COMMAND_MODULES:
        module = import_module(f"portal.commands.{name}")
        app.cli.add_command(getattr(module, "group", None) or module.command)
