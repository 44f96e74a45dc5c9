"""Users: creation with a set-password link, sign-in, forgotten passwords."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from portal.models import FIRST_PARTNERSHIP_ID, Agency, PartnershipMember, Role, User
from portal.services import audit, mail
from portal.services.common import (
    Invalid,
    NotFound,
    Refused,
    Scope,
    ServiceError,
    check_texts,
    text_problems,
)
from portal.services.mail import Email, render_email

from ._passwords import (
    hash_password,
    make_password_token,
    password_problem,
    read_password_token,
    verify_password,
)
from ._sessions import end_all_sessions
from ._throttle import PASSWORD_RESET, SIGN_IN, clear_attempts, is_blocked, record_attempt


@dataclass(frozen=True)
class LinkSettings:
    """What a set-password email needs to know about the deployment."""

    secret_key: str
    base_url: str
    hours: int
    partnership: str
    help_email: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LinkSettings:
        return cls(secret_key=config["SECRET_KEY"], base_url=config["SERVER_NAME_FOR_LINKS"],
                   hours=int(config["PASSWORD_LINK_HOURS"]),
                   partnership=config["PARTNERSHIP_NAME"], help_email=config["HELP_EMAIL"])


def normalise_email(email: str) -> str:
    from email_validator import (  # lazily: its tables cost 20 ms of every start
        EmailNotValidError,
        validate_email,
    )

    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid.at("email", "Enter an email address in the correct format, "
                                  "like name@example.com") from exc


def _members(scope: Scope):
    """Users with their membership of `scope` (members only), its agency loaded alongside."""
    return (select(User, PartnershipMember)
            .join(PartnershipMember, and_(PartnershipMember.user_id == User.id,
                                          PartnershipMember.partnership_id == scope.id))
            .options(joinedload(PartnershipMember.agency)))


def placed(rows: Any, scope: Scope) -> list[User]:
    """(user, membership) rows as users placed in `scope`."""
    return [user.place(scope.id, membership) for user, membership in rows]


def list_users(session: Session, *, scope: Scope) -> list[User]:
    """The partnership's people, by role, placed in it (one query)."""
    return placed(session.execute(
        _members(scope).order_by(PartnershipMember.role, User.email)).all(), scope)


def get_user(session: Session, user_id: int, *, scope: Scope) -> User:
    """One of the partnership's people, placed in it (NotFound for anyone else)."""
    found = placed(session.execute(_members(scope).where(User.id == user_id)).all(), scope)
    if not found:
        raise NotFound("No such user")
    return found[0]


def place_in(session: Session, user: User, *, scope: Scope) -> User:
    """Read `user`'s role and agency in `scope` from now on (one query)."""
    return _place_by_id(session, user, scope.id)


def _place_by_id(session: Session, user: User, partnership_id: int) -> User:
    membership = session.scalar(
        select(PartnershipMember).options(joinedload(PartnershipMember.agency))
        .where(PartnershipMember.user_id == user.id,
               PartnershipMember.partnership_id == partnership_id))
    return user.place(partnership_id, membership)


def set_active(session: Session, user: User, active: bool, *, by_user_id: int | None,
               now: datetime) -> None:
    """Deactivate (sign-in refused, sessions ended) or reactivate an account; never your own
    (`by_user_id` None: from the command line, by whoever runs the server)."""
    if user.id == by_user_id:
        raise Refused("You cannot deactivate your own account")
    user.active = active
    user.session_generation += 1  # spends set-password links
    end_all_sessions(session, user_id=user.id, now=now)
    audit.record(session, action="user.activated" if active else "user.deactivated",
                 entity_type="user", entity_id=user.id, user_id=by_user_id)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session, *, email: str, role: str, links: LinkSettings, now: datetime, scope: Scope,
    name: str = "", agency_name: str | None = None, created_by_id: int | None = None,
) -> User:
    """Give a person a role in the partnership: a new account with a set-password email, or a
    membership for someone who already has an account elsewhere on the service (emailed a link
    only if they never set a password). The user comes back placed in `scope`."""
    check_texts(text_problems("name", name, label="The name", kind="name"),
                text_problems("agency", agency_name, label="The agency", kind="name"))
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise Invalid.at("role", f"Role must be one of {', '.join(r.value for r in Role)}")
    agency = _agency_for(session, role, agency_name)
    user = find_user(session, email)
    if user is not None and place_in(session, user, scope=scope).membership is not None:
        raise Invalid.at("email", f"A user with email {email} already exists")
    new = user is None
    if user is None:
        user = User(email=email, name=name.strip(), created_at=now)
        session.add(user)
        session.flush()
    membership = PartnershipMember(user_id=user.id, partnership_id=scope.id, role=role,
                                   agency=agency, created_at=now)
    session.add(membership)
    session.flush()
    user.place(scope.id, membership)
    audit.record(session, action="user.created" if new else "user.added_to_partnership",
                 entity_type="user", entity_id=user.id, user_id=created_by_id, role=role,
                 agency=agency.name if agency else None, partnership=scope.slug,
                 partnership_id=scope.id)
    if user.password_hash is None:
        send_password_link(session, user, links=links, now=now, new_account=True)
    return user


def _agency_for(session: Session, role: str, agency_name: str | None) -> Agency | None:
    if role != Role.AGENCY.value:
        if agency_name:
            raise Invalid.at("agency", "Only agency users belong to an agency: leave the agency blank")
        return None
    if not agency_name:
        raise Invalid.at("agency", "Enter the agency an agency user belongs to")
    agency = session.scalar(select(Agency).where(func.lower(Agency.name) == agency_name.lower()))
    if agency is None:
        raise Invalid.at("agency", f"There is no agency called {agency_name} in the register")
    return agency


def send_password_link(
    session: Session, user: User, *, links: LinkSettings, now: datetime, new_account: bool
) -> None:
    """Queue a time-limited, single-use set-password link."""
    mail.queue_email(session, password_link_email(user, links=links, new_account=new_account),
                     kind="set_password", now=now, partnership_id=user.placed_in)


def password_link(user: User, *, links: LinkSettings) -> str:
    """A fresh set-password link for the user: it works once (setting a password ends its
    generation) and for `links.hours` hours."""
    token = make_password_token(links.secret_key, user_id=user.id,
                                generation=user.session_generation)
    return f"{links.base_url.rstrip('/')}/set-password/{token}"


def password_link_email(user: User, *, links: LinkSettings, new_account: bool) -> Email:
    """The set-password (or reset) email for a user, with a fresh single-use link."""
    intro = (f"An account has been created for you on the {links.partnership}'s Compact Audit "
             "portal." if new_account else
             "Somebody (hopefully you) asked to reset your Compact Audit portal password.")
    subject = "Set your Compact Audit password" if new_account else "Reset your Compact Audit password"
    return render_email(
        "set_password", to=user.email, subject=subject, name=user.name, intro=intro,
        link=password_link(user, links=links), hours=links.hours,
        agency=user.agency.name if user.agency else None, partnership=links.partnership,
        help_email=links.help_email,
    )


def request_password_reset(
    session: Session, email: str, *, links: LinkSettings, now: datetime
) -> None:
    """Send a reset link if the address belongs to an active user; say nothing either way.

    Each address gets a few links an hour, whichever address or worker asks (stored counts).
    Both answers do the same work, so the time taken says nothing: the email is made (for a
    stand-in when nobody has the address), put in the outbox (and, for the stand-in, taken
    out again) and the request audited. Nothing is sent during the request."""
    if is_blocked(session, PASSWORD_RESET, email, now=now):
        return
    record_attempt(session, PASSWORD_RESET, email, now=now)
    user = find_user(session, email)
    known = user is not None and user.active
    recipient = user if user is not None and known else _stand_in(email)
    # the agency the email names, read the same way for both (the first partnership's, the
    # bridge until a reset names its partnership)
    _place_by_id(session, recipient, FIRST_PARTNERSHIP_ID)
    message = password_link_email(recipient, links=links, new_account=False)
    mail.queue_email_if(session, message, send=known, kind="set_password", now=now)
    audit.record(session, action="user.reset_requested" if known else "user.reset_unknown",
                 entity_type="user", entity_id=recipient.id if known else None,
                 email=email.strip().lower()[:254])
    session.flush()


def _stand_in(email: str) -> User:
    """A user who is never saved, for making the email nobody is sent."""
    return User(id=0, email=email.strip().lower()[:254], name="", session_generation=0)


def user_for_token(session: Session, token: str, *, links: LinkSettings) -> User | None:
    """The user a valid, unexpired, unspent link belongs to."""
    data = read_password_token(links.secret_key, token, max_age_hours=links.hours)
    if data is None:
        return None
    user = session.get(User, data[0])
    if user is None or not user.active or user.session_generation != data[1]:
        return None  # a changed password spends every earlier link
    return user


def set_password(session: Session, user: User, password: str, confirm: str, *,
                 now: datetime, partnership: str = "") -> None:
    """Set a new password, which ends every session of the user and spends old links.

    Guessable ones are refused: zxcvbn is told the user's names, the partnership's and the
    year, so "Anyshire2026!" or the user's own address count as the guesses they are."""
    problem = password_problem(password, confirm, partnership=partnership, year=now.year,
                               user_inputs=[user.email, user.name, *user.email.split("@")])
    if problem:
        raise Invalid.at("password", problem)
    user.password_hash = hash_password(password)
    user.session_generation += 1
    end_all_sessions(session, user_id=user.id, now=now)
    clear_attempts(session, SIGN_IN, user.email)
    audit.record(session, action="user.password_set", entity_type="user", entity_id=user.id,
                 user_id=user.id)


class SignInThrottled(ServiceError):
    """Too many failed sign-ins for this address lately (known or not: the answer is the same)."""


def authenticate(
    session: Session, email: str, password: str, *, now: datetime, ip_address: str | None = None
) -> User | None:
    """The active user with these credentials, recording the attempt either way.

    Raises SignInThrottled after repeated failures for the address, on every worker alike.
    The password hash is checked even without a user, so the time taken says nothing."""
    if is_blocked(session, SIGN_IN, email, now=now):
        raise SignInThrottled("You have tried to sign in too many times. Wait 15 minutes and "
                              "try again, or reset your password.")
    user = find_user(session, email)
    matches = verify_password(user.password_hash if user else None, password)
    ok = user is not None and user.active and matches
    if ok:
        clear_attempts(session, SIGN_IN, email)
    else:
        record_attempt(session, SIGN_IN, email, now=now)
    audit.record(session, action="user.sign_in" if ok else "user.sign_in_failed",
                 entity_type="user", entity_id=user.id if user else None,
                 user_id=user.id if ok and user else None, ip_address=ip_address,
                 email=email.strip().lower()[:254])
    if not ok or user is None:
        return None
    user.last_sign_in_at = now
    return user
