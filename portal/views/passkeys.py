"""Passkeys: the account's list, adding (named), renaming and removing one, and signing in with
one, as the only step or as the second factor after a password. The browser's side of each
ceremony is passkeys.js: it asks for options, calls navigator.credentials and posts the JSON."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.passkeys import PasskeyNameForm, RemovePasskeyForm, RenamePasskeyForm, UsePasskeyForm
from portal.access import public, signed_in
from portal.auth import complete_second_factor, second_factor_passed, sign_in_user
from portal.db import db_session
from portal.problems import show_problems
from portal.services import accounts, passkeys
from portal.services.common import Invalid, ServiceError
from portal.views.helpers import client_ip, is_safe_next, now
from portal.web import limiter

bp = Blueprint("passkeys", __name__)
CHALLENGE_KEY = "passkey_challenge"


def _rp() -> passkeys.RelyingParty:
    return passkeys.RelyingParty.from_config(current_app.config)


def _options(options: str, challenge: bytes) -> Response:
    """Keep this ceremony's challenge in the signed session (one at a time) and send the options."""
    session[CHALLENGE_KEY] = base64.urlsafe_b64encode(challenge).decode("ascii")
    return current_app.response_class(options, mimetype="application/json")


def _challenge() -> bytes:
    """The challenge this browser was given last, forgotten now: each is good for one answer."""
    try:
        return base64.urlsafe_b64decode(session.pop(CHALLENGE_KEY, "") or "")
    except (binascii.Error, ValueError):
        return b""  # unpadded, as written before an upgrade: refused as an unknown challenge


def _credential() -> str:
    body = request.get_json(silent=True)
    credential = body.get("credential") if isinstance(body, dict) else None
    return credential if isinstance(credential, str) else ""


def _refusal(error: ServiceError) -> tuple[Response, int]:
    """What the script shows: the message, and the field it belongs to if any."""
    field = error.problems[0].field if isinstance(error, Invalid) else None
    status = 429 if isinstance(error, passkeys.PasskeyThrottled) else 400
    return jsonify(error=str(error), field=field), status


def _other_factors_url() -> str | None:
    """Where else to prove the second factor: the authenticator app's page, for those with one
    (the sign-in's, or after it, before a sensitive action, the re-authenticate page's)."""
    if not accounts.has_totp(db_session(), current_user.id):
        return None
    page = "security.reauthenticate" if second_factor_passed() else "auth.second_factor"
    return url_for(page, next=request.args.get("next"))


def _next_page() -> str:
    target = request.args.get("next")
    return target if target and is_safe_next(target) else url_for("auth.index")


@bp.route("/account/security/passkeys")
@signed_in
def index() -> str:
    return render_template("passkeys/index.html", form=PasskeyNameForm(),
                           passkeys=passkeys.list_passkeys(db_session(), current_user.id))


@bp.route("/account/security/passkeys/options", methods=["POST"])
@signed_in
def registration_options() -> Response:
    options, challenge = passkeys.registration_options(db_session(), current_user, rp=_rp(),
                                                       now=now())
    return _options(options, challenge)


@bp.route("/account/security/passkeys/add", methods=["POST"])
@signed_in
def add() -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    try:
        added = passkeys.add_passkey(
            db_session(), current_user, credential=_credential(), challenge=_challenge(),
            name=name if isinstance(name, str) else "", rp=_rp(), now=now(),
            ip_address=client_ip())
    except ServiceError as exc:
        return _refusal(exc)
    flash(f"Passkey '{added.name}' added. You can use it to sign in.", "success")
    return jsonify(redirect=url_for("passkeys.index"))


@bp.route("/account/security/passkeys/<int:passkey_id>/rename", methods=["GET", "POST"])
@signed_in
def rename(passkey_id: int) -> Response | tuple[str, int]:
    passkey = passkeys.get_passkey(db_session(), user_id=current_user.id, passkey_id=passkey_id)
    form = RenamePasskeyForm(name=passkey.name)
    if form.validate_on_submit():
        try:
            passkeys.rename_passkey(db_session(), user_id=current_user.id,
                                    passkey_id=passkey_id, name=form.name.data or "")
        except ServiceError as exc:
            show_problems(form, exc, default="name")
        else:
            flash("Passkey renamed", "success")
            return redirect(url_for("passkeys.index"))
    return (render_template("passkeys/rename.html", form=form, passkey=passkey),
            400 if form.errors else 200)


@bp.route("/account/security/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@signed_in
def remove(passkey_id: int) -> Response | str:
    passkey = passkeys.get_passkey(db_session(), user_id=current_user.id, passkey_id=passkey_id)
    form = RemovePasskeyForm()
    if form.validate_on_submit():
        name = passkeys.remove_passkey(db_session(), user_id=current_user.id,
                                       passkey_id=passkey_id, now=now(), ip_address=client_ip())
        flash(f"Passkey '{name}' removed", "success")
        return redirect(url_for("passkeys.index"))
    return render_template("passkeys/remove.html", form=form, passkey=passkey)


@bp.route("/sign-in/passkey/options", methods=["POST"])
@public
@limiter.limit("20 per minute")
def sign_in_options() -> Response:
    options, challenge = passkeys.authentication_options(db_session(), rp=_rp(), now=now())
    return _options(options, challenge)


@bp.route("/sign-in/passkey", methods=["POST"])
@public
@limiter.limit("10 per minute")
def sign_in() -> Response | tuple[Response, int]:
    """A discoverable passkey with user verification: both factors in one step."""
    try:
        user = passkeys.verify_passkey(db_session(), credential=_credential(),
                                       challenge=_challenge(), rp=_rp(), now=now(),
                                       ip_address=client_ip())
    except ServiceError as exc:
        return _refusal(exc)
    sign_in_user(user, second_factor="passkey")
    return jsonify(redirect=_next_page())


@bp.route("/sign-in/second-factor/passkey", methods=["GET"])
@signed_in
def second_factor() -> str:
    """After a password: prove the second factor with one of the user's own passkeys."""
    return render_template("passkeys/second_factor.html", form=UsePasskeyForm(),
                           other_factors_url=_other_factors_url(),
                           has_passkey=passkeys.has_passkey(db_session(), current_user.id))


@bp.route("/sign-in/second-factor/passkey/options", methods=["POST"])
@signed_in
def second_factor_options() -> Response:
    options, challenge = passkeys.authentication_options(db_session(), rp=_rp(), now=now(),
                                                         user=current_user)
    return _options(options, challenge)


@bp.route("/sign-in/second-factor/passkey", methods=["POST"])
@signed_in
@limiter.limit("10 per minute")
def verify_second_factor() -> Response | tuple[Response, int]:
    try:
        passkeys.verify_passkey(db_session(), credential=_credential(), challenge=_challenge(),
                                rp=_rp(), now=now(), user=current_user, ip_address=client_ip())
    except ServiceError as exc:
        return _refusal(exc)
    complete_second_factor("passkey")
    return jsonify(redirect=_next_page())
