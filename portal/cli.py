"""The `flask` commands: each is a thin call into services (see portal/commands/)."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from portal.commands import agencies, db, demo, mail, returns, tools, users

    for module in (db, tools, agencies, users, mail, demo, returns):
        app.cli.add_command(module.group)
