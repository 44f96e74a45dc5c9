"""Guessable passwords are refused (issue 24): the partnership's and the portal's names, this
service's words and the year count as guesses, and so do commonly used and breached passwords
(the offline list shipped with the portal) and email addresses; a random passphrase passes."""

from __future__ import annotations

import re
import secrets

import pytest
from argon2 import extract_parameters, profiles
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Role, User
from portal.services.accounts import (
    _passwords,
    hash_password,
    password_problem,
    set_password,
    verify_password,
)
from portal.services.accounts._guessable import common_passwords, forms_of
from portal.services.common import Invalid
from portal.services.demo import DEMO_PASSWORD
from tests.support import factories
from tests.support.moderation_factories import AFTER_DEADLINE

PARTNERSHIP = "Anyshire Safeguarding Children Partnership"
ANOTHER_USERS_EMAIL = "sam.patel@anyshire-council.example.org"
GUESSABLE = [DEMO_PASSWORD, "Anyshire2026!", "CompactAudit2026", "Safeguarding2026!",
             "correct horse battery staple", ANOTHER_USERS_EMAIL]


def _problem(password: str) -> str | None:
    return password_problem(password, password, partnership=PARTNERSHIP, year=2026,
                            user_inputs=["Dee Hill", "dee@hillside.example.org"])


@pytest.mark.no_database
@pytest.mark.parametrize("password", GUESSABLE)
def test_each_guessable_password_is_refused_with_advice(password: str) -> None:
    problem = _problem(password)
    assert problem is not None and problem.startswith("Choose a password that is harder to guess")


def _wordlist() -> list[str]:
    """Ordinary but not top-ranked English words (zxcvbn's own Wikipedia list, ranks 5,000 to
    20,000): a passphrase of them is what the advice asks people for."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = FREQUENCY_LISTS["english_wikipedia"][5000:20000]
    return [w for w in words if re.fullmatch(r"[a-z]{5,9}", w)]


@pytest.mark.no_database
def test_random_four_word_passphrases_are_accepted() -> None:
    words = _wordlist()
    assert len(words) > 5000
    for _ in range(20):
        phrase = " ".join(secrets.choice(words) for _ in range(4))
        assert _problem(phrase) is None, phrase


@pytest.mark.no_database
def test_the_deny_list_is_the_common_passwords_lowercased_and_checks_the_stripped_form() -> None:
    listed = common_passwords()
    assert len(listed) == 100_000
    assert {"password", "qwerty123", "iloveyou", "sunshine"} <= listed
    assert all(p == p.lower() for p in listed)
    assert {"sunshine", "sunshine2026!"} <= forms_of("Sunshine2026!")
    problem = _problem("Sunshine2026!!")
    assert problem is not None and "commonly used" in problem


@pytest.mark.no_database
def test_an_email_address_is_refused_whoever_it_belongs_to() -> None:
    problem = _problem("someone.else@another-agency.example.org")
    assert problem is not None and "email address" in problem


def test_setting_a_password_gives_zxcvbn_the_partnership_and_the_year(
    app: Flask, db: Session
) -> None:
    user: User = factories.user(db, Role.MANAGER, password=None, name="Dee Hill")
    # Strong by zxcvbn's dictionaries alone; guessable once it knows the partnership and year.
    assert password_problem("Anyshire Deehill 2018", None) is None
    with pytest.raises(Invalid) as refused:
        set_password(db, user, "Anyshire Deehill 2018", "Anyshire Deehill 2018",
                     now=AFTER_DEADLINE, partnership="Anyshire Partnership")
    assert refused.value.problems[0].field == "password"
    set_password(db, user, "tractor umbrella fiddle swim", "tractor umbrella fiddle swim",
                 now=AFTER_DEADLINE, partnership="Anyshire Partnership")
    assert verify_password(user.password_hash, "tractor umbrella fiddle swim")


@pytest.mark.no_database
@pytest.mark.usefixtures("production_password_cost")
def test_passwords_and_the_unknown_address_check_use_argon2id_at_the_recommended_cost() -> None:
    """The suite hashes at the lowest cost (tests/conftest.py); the app's own parameters are
    RFC 9106's second recommendation: 3 passes over 64 MiB, 4 lanes."""
    for stored in (hash_password("tractor umbrella fiddle swim"), _passwords._dummy_hash()):
        assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
    assert verify_password(None, "tractor umbrella fiddle swim") is False


def test_the_demo_password_only_comes_from_the_demo_load_and_never_in_production(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal import create_app

    assert _problem(DEMO_PASSWORD) is not None  # nobody can choose it
    for name, value in {"SECRET_KEY": "s" * 40, "DATABASE_URL": app.config["DATABASE_URL"],
                        "RATELIMIT_SINGLE_PROCESS": "true"}.items():
        monkeypatch.setenv(name, value)
    production = create_app("production")
    result = production.test_cli_runner().invoke(args=["demo", "load", "--now",
                                                       "2026-11-28T09:00"])
    assert result.exit_code == 0, result.output
    assert "no password" in result.output and DEMO_PASSWORD not in result.output
    db.expire_all()
    demo_users = list(db.query(User).filter(User.email.like("%@demo.example.org")))
    assert demo_users and all(u.password_hash is None for u in demo_users)
