"""Flask-Login wiring: the session cookie names a user and the generation of their password."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from portal.db import db_session
from portal.models import User

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db_session().get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def register_login(app: Flask) -> None:
    login_manager.init_app(app)
