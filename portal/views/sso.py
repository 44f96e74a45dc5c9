"""Single sign-on with OpenID Connect (Authlib does state, nonce, PKCE and the ID token's
signature); who the person is, and whether they may sign in, is the sso service's rule."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.sso import OrganisationEmailForm
from portal.access import public
from portal.auth import sign_in_user
from portal.db import db_session
from portal.models import IdentityProvider
from portal.services import sso
from portal.services.common import NotFound
from portal.views.helpers import client_ip, now
from portal.web import limiter

bp = Blueprint("sso", __name__, url_prefix="/sso")
log = logging.getLogger(__name__)
BUTTONS_UP_TO = 4  # more providers than this: people find theirs by email address only
SIGNED_OUT_KEY = "sso_signed_out"  # the provider a signed-out page may offer to sign out of
PROVIDER_KEY = "sso_provider"  # the provider this session signed in with
LOGOUT_STATE = "provider-signed-out"  # the provider echoes it back after its own sign-out


def _problem(title: str, message: str, status: int, provider: str | None = None) -> tuple[str, int]:
    return render_template("sso/problem.html", title=title, message=message,
                           provider=provider), status


def _provider(slug: str) -> IdentityProvider:
    """The provider, or the site's 404 page (NotFound) for a slug nobody configured."""
    return sso.get_provider(db_session(), slug)


def _signed_out_of() -> IdentityProvider | None:
    slug = session.get(SIGNED_OUT_KEY)
    try:
        return sso.get_provider(db_session(), str(slug)) if slug else None
    except NotFound:  # removed since
        return None


@bp.route("", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def start() -> Response | str | tuple[str, int]:
    """Sign in with your organisation's account: buttons for a few providers, or by address."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = OrganisationEmailForm()
    chosen = None
    if form.validate_on_submit():
        chosen = sso.provider_for_email(db_session(), form.email.data or "")
        if chosen is None:
            form.email.errors = ["Your organisation does not sign in to the portal with its own "
                                 "account. Sign in with your email address and password instead."]
    providers = sso.list_providers(db_session())
    return (render_template("sso/start.html", form=form, chosen=chosen,
                            buttons=providers if len(providers) <= BUTTONS_UP_TO else [],
                            email=form.email.data if chosen else None),
            400 if form.errors else 200)


@bp.route("/<slug>/login")
@public
def login(slug: str) -> Response | tuple[str, int]:
    provider = _provider(slug)
    hint = request.args.get("login_hint", "")[:254]
    from portal.views import sso_client as oidc  # Authlib, on first use (sso_client.py)
    try:
        return oidc.client_for(provider).authorize_redirect(
            url_for("sso.callback", slug=slug, _external=True), **({"login_hint": hint} if hint else {}))
    except oidc.PROVIDER_ERRORS as exc:
        log.warning("sso login with %s failed: %r", slug, exc)
        return _problem(f"{provider.name} cannot be reached", "The portal could not reach "
                        f"{provider.name}'s sign-in service. Try again later, or sign in with "
                        "your email address and password.", 502, provider.name)


@bp.route("/<slug>/callback")
@public
@limiter.limit("20 per minute")
def callback(slug: str) -> Response | tuple[str, int]:
    provider = _provider(slug)
    from portal.views import sso_client as oidc  # Authlib, on first use (sso_client.py)
    try:
        token = oidc.client_for(provider).authorize_access_token()
        claims = dict(token["userinfo"])
    except oidc.PROVIDER_ERRORS as exc:
        log.warning("sso callback from %s failed: %r", slug, exc)
        return _problem(f"Signing in with {provider.name} did not work",
                        f"{provider.name} did not confirm who you are (you may have cancelled, "
                        "or taken too long). Try again.", 400, provider.name)
    try:
        result = sso.sign_in_with(db_session(), provider, claims, now=now(),
                                  ip_address=client_ip())
    except sso.SignInRefused as exc:
        return _problem(f"You cannot sign in with {provider.name}", str(exc), 403, provider.name)
    sign_in_user(result.user, second_factor="sso" if result.multi_factor else None)
    session[PROVIDER_KEY] = provider.slug
    return redirect(url_for("auth.index"))


def end_session_url(provider: IdentityProvider) -> str | None:
    """The provider's RP-initiated logout address, when its metadata has one."""
    from portal.views import sso_client as oidc  # Authlib, on first use (sso_client.py)
    try:
        metadata = oidc.client_for(provider).load_server_metadata()
    except oidc.PROVIDER_ERRORS:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": provider.client_id, "state": LOGOUT_STATE,
                       "post_logout_redirect_uri": url_for("sso.signed_out", _external=True)})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


@bp.route("/signed-out")
@public
def signed_out() -> Response | str:
    """The portal session has ended; offer to sign out of the provider too (until the person
    comes back from doing so)."""
    if request.args.get("state") == LOGOUT_STATE:
        session.pop(SIGNED_OUT_KEY, None)
    provider = _signed_out_of()
    return render_template("sso/signed_out.html", provider=provider,
                           logout_url=end_session_url(provider) if provider else None)
