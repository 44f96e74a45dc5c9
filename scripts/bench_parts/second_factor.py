"""Benchmarks sign staff in as people do: the password, then (the second-factor gate asks it of
managers, committee members and moderators) an authenticator app set up from the key on the
set-up page, and its code. Flask test clients, with or without CSRF."""

from __future__ import annotations

import re
from typing import Any

import pyotp

SET_UP = "/account/security/set-up"
KEY = re.compile(r'id="setup-key">([^<]+)<')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pass_gate(client: Any) -> None:
    """After the password: set up an authenticator app if the gate sends this client to do so."""
    response = client.get("/")  # on to the user's home, where the gate acts
    while response.status_code in (301, 302, 303) and SET_UP not in response.location:
        response = client.get(response.location)
    if response.status_code not in (301, 302, 303):
        return  # an agency user, or a factor already passed
    page = client.get(SET_UP).get_data(as_text=True)
    key = KEY.search(page)
    assert key, "no set-up key on the page"
    data = {"code": pyotp.TOTP(key.group(1).replace(" ", "")).now()}
    token = CSRF.search(page)
    if token:
        data["csrf_token"] = token.group(1)
    done = client.post(SET_UP, data=data)
    assert done.status_code == 200, done.status_code  # the page of recovery codes
