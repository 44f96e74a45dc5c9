"""HTTP under gunicorn (2 workers) with wrk at 32 connections: the task list, the question page,
saving a standard and the open cycle's dashboard, against the sign-in page as the ceiling."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyotp
from sqlalchemy import delete, select, update

from bench_parts.people import add_person
from bench_parts.second_factor import KEY, SET_UP
from portal.db import Database
from portal.models import Cycle, CycleStatus, PartnershipMember, RecoveryCode, Return, Role, TotpFactor, User

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "benchmark-password-1"
CLIENTS = 32
SECONDS = 10
LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("LAT %d %d %d\\n", latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
"""


class _Form(HTMLParser):
    """The fields of the page's main form (the one that posts to the page itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.radios: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") == "radio":
                self.radios.setdefault(a["name"], []).append(a.get("value", ""))
            elif a.get("type") not in {"submit", "checkbox"}:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, ""))
            self._textarea = None


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie_header()}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def _save_body(html: str) -> str:
    form = _Form()
    form.feed(html)
    values = [(k, v) for k, v in form.fields if not k.endswith(("na_reason", "comment"))]
    evidence = [(k, "Policies reviewed yearly; training log kept.") if "evidence" in k else (k, v)
                for k, v in values]
    grades = [(name, "good" if "good" in options else options[0])
              for name, options in form.radios.items()]
    return urlencode(evidence + grades)


def _prepare_users(database: Database) -> list[tuple[str, int]]:
    from portal.services.accounts import hash_password

    hashed = hash_password(PASSWORD)
    with database.transaction() as session:
        rows = session.execute(
            select(User.id, User.email, Return.id)
            .join(PartnershipMember, PartnershipMember.user_id == User.id)
            .join(Return, Return.agency_id == PartnershipMember.agency_id)
            .join(Cycle, Cycle.id == Return.cycle_id)
            .where(Cycle.label == "2026-27", Return.status != "submitted")
            .order_by(Return.id).limit(CLIENTS)).all()
        session.execute(update(User).where(User.id.in_([r[0] for r in rows]))
                        .values(password_hash=hashed))
    return [(email, return_id) for _, email, return_id in rows]


def _prepare_managers(database: Database) -> tuple[list[str], int]:
    """CLIENTS managers (made once, their authenticator apps forgotten on a kept database so
    that each sets one up again), and the open cycle's id."""
    from portal.services.accounts import hash_password

    hashed = hash_password(PASSWORD)
    emails = [f"bench-http-manager-{i}@example.org" for i in range(CLIENTS)]
    with database.transaction() as session:
        known = set(session.scalars(select(User.email).where(User.email.in_(emails))))
        for email in emails:
            if email not in known:
                add_person(session, email, Role.MANAGER.value, name="Bench HTTP",
                           password_hash=hashed)
        session.flush()
        ids = select(User.id).where(User.email.in_(emails)).scalar_subquery()
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id.in_(ids)))
        session.execute(delete(TotpFactor).where(TotpFactor.user_id.in_(ids)))
        cycle = session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.OPEN.value)
                                .order_by(Cycle.id.desc())).first()
    assert cycle is not None, "the demo has an open cycle"
    return emails, cycle


def _manager_signed_in(port: int, email: str) -> Client:
    """Signed in as a manager is: the password, then an authenticator app set up from the key
    on the set-up page the gate sends them to, and its code."""
    client = _password_signed_in(port, email)
    _, page = client.request("GET", SET_UP)
    key = KEY.search(page)
    if key is None:
        raise RuntimeError(f"no authenticator set-up key for {email}")
    code = pyotp.TOTP(key.group(1).replace(" ", "")).now()
    status, _ = client.request("POST", SET_UP, urlencode({"csrf_token": _csrf(page),
                                                          "code": code}))
    if status != 200:
        raise RuntimeError(f"setting up the app for {email} gave {status}")
    return client


def _password_signed_in(port: int, email: str) -> Client:
    """A client past the sign-in form (the password only)."""
    client = Client(port)
    _, page = client.request("GET", "/sign-in")
    status, _ = client.request("POST", "/sign-in", urlencode(
        {"csrf_token": _csrf(page), "email": email, "password": PASSWORD}))
    if status not in (302, 303):
        raise RuntimeError(f"sign-in for {email} gave {status}")
    return client


def _signed_in(port: int, email: str, return_id: int) -> tuple[Client, str]:
    client = _password_signed_in(port, email)
    path = f"/agency/returns/{return_id}/standards/1"
    _, page = client.request("GET", path)
    client.request("POST", path, _save_body(page))  # first save: the standard exists
    _, page = client.request("GET", path)  # read it again: the form now marks the saved version
    return client, _save_body(page)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gunicorn(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "b" * 40, "PORTAL_ENV": "production",
           "RATELIMIT_SINGLE_PROCESS": "true",  # limits are off for this instance (wsgi.py)
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir",
         str(ROOT / "scripts" / "bench_parts"), "--log-level", "warning", "wsgi:app"],
        env=env, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _wrk(port: int, requests: list[tuple[str, str, str, str | None]]) -> dict[str, float]:
    """wrk at CLIENTS connections, rotating over (method, path, cookie, body) requests."""
    entries = ",\n".join(
        "{" + ", ".join(_lua_string(x or "") for x in r) + "}" for r in requests)
    script = f"""
local requests = {{
{entries}
}}
local i = 0
request = function()
  i = i % #requests + 1
  local r = requests[i]
  local headers = {{["Cookie"] = r[3]}}
  if r[4] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(r[1], r[2], headers, r[4] ~= "" and r[4] or nil)
end
{LUA_DONE}"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS}s", "-s", lua.name, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True).stdout
    Path(lua.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50, p95, p99 = (int(x) / 1000 for x in re.search(r"LAT (\d+) (\d+) (\d+)", output).groups())  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "p50": p50, "p95": p95, "p99": p99,
            "errors": float(errors.group(1)) if errors else 0.0}


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def measure(url: str, engine: str, size: int, results: Any) -> None:
    if shutil.which("wrk") is None:
        results.add("HTTP", engine, size, "skipped: install Debian's wrk")
        return
    database = Database(url)
    users = _prepare_users(database)
    manager_emails, cycle = _prepare_managers(database)
    database.engine.dispose()
    port = _free_port()
    server = _gunicorn(url, port)
    try:
        clients = [(_signed_in(port, email, return_id), return_id) for email, return_id in users]
        managers = [_manager_signed_in(port, email) for email in manager_emails]
        ceiling = _wrk(port, [("GET", "/sign-in", "", None)])
        _report(results, engine, size, "HTTP sign-in page (the ceiling)", ceiling, None)
        tasks = _wrk(port, [("GET", f"/agency/returns/{rid}", c.cookie_header(), None)
                            for (c, _), rid in clients])
        _report(results, engine, size, "HTTP task list", tasks, ceiling["rate"])
        questions = _wrk(port, [("GET", f"/agency/returns/{rid}/standards/1", c.cookie_header(),
                                 None) for (c, _), rid in clients])
        _report(results, engine, size, "HTTP question page (standard 1)", questions,
                ceiling["rate"], share=0.4)
        saves = _wrk(port, [("POST", f"/agency/returns/{rid}/standards/1", c.cookie_header(), body)
                            for (c, body), rid in clients])
        _report(results, engine, size, "HTTP save a standard", saves, ceiling["rate"])
        dashboards = _wrk(port, [("GET", f"/cycles/{cycle}", m.cookie_header(), None)
                                 for m in managers])
        _report(results, engine, size, "HTTP cycle dashboard, open cycle (32 managers)",
                dashboards, ceiling["rate"], share=0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _report(results: Any, engine: str, size: int, name: str, figures: dict[str, float],
            ceiling: float | None, *, share: float = 0.5) -> None:
    of = f", {figures['rate'] / ceiling:.0%} of ceiling" if ceiling else ""
    errors = f", {figures['errors']:.0f} non-2xx/3xx" if figures["errors"] else ""
    results.add(name, engine, size,
                f"{figures['rate']:.0f} req/s, p50/p95/p99 {figures['p50']:.0f}/{figures['p95']:.0f}/"
                f"{figures['p99']:.0f} ms{of}{errors}",
                f">= {share:.0%} of the sign-in page" if ceiling else "",
                figures["rate"] / ceiling >= share if ceiling else None)
