"""`make smoke`: the production shape, end to end over HTTPS (issue 30).

It follows docs/deploy.md: `deploy/install.sh` (with --root, into a scratch folder, since no
systemd runs here; the database role on the PostgreSQL of scripts/postgres.sh), `flask db
upgrade`, then each installed unit's ExecStart with its environment (portal-web: gunicorn with 2
workers, production, TRUSTED_PROXIES=1, Redis limits; portal-mail-worker), nginx with the
installed site and its self-signed certificate, Redis, and a local SMTP sink. Chromium drives
a newcomer's journey over HTTPS: invitation email, set password, save, submit, emailed copy.
Then it checks the __Host-session cookie, HSTS, the real client address in the audit log, the
request id of a failing request in the JSON log, and /metrics. Readiness is polled, never slept;
every process is stopped at the end, and the database dropped.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
HOST = "portal.smoke"
CLIENT = "127.0.0.1"  # Chromium's (and this script's) address, as nginx sees it
PROXY = "127.0.0.3"  # nginx reaches gunicorn from this one, so the two differ in the audit log
EMAIL = "lead@brookside.example.org"
PASSWORD = "river bicycle lantern porridge"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", f"--host-resolver-rules=MAP {HOST} {CLIENT}"]
LIMIT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > end:
            raise SystemExit(f"smoke: gave up waiting for {what}")
        time.sleep(0.1)  # a poll interval, not a wait for something to happen


class Sink:
    """A local SMTP server that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def first(self, what: Callable[[EmailMessage], bool], name: str) -> EmailMessage:
        wait_until(lambda: any(what(m) for m in self.messages), name, timeout=60)
        return next(m for m in self.messages if what(m))


class Smoke:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.sink = Sink()
        self.https = free_port()
        self.web = free_port()
        self.redis = free_port()
        self.db_name = f"portal_smoke_{os.getpid()}"
        self.admin = os.environ["TEST_POSTGRES_URL"]
        self.base = f"https://{HOST}:{self.https}"
        self.env: dict[str, str] = {}

    # ---- the steps of docs/deploy.md -------------------------------------------------------
    def install(self) -> None:
        settings = {"PORTAL_BASE_URL": self.base, "MAIL_SERVER": "127.0.0.1",
                    "MAIL_PORT": str(self.sink.port), "WEB_CONCURRENCY": "2",
                    "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.redis}"}
        command = [str(ROOT / "deploy/install.sh"), "--root", str(self.work), "--server-name", HOST,
                   "--db-admin-url", self.admin, "--db-name", self.db_name]
        for name, value in settings.items():
            command += ["--set", f"{name}={value}"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        self.env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(self.work)}
        self.env |= read_env_file(self.work / "etc/portal/portal.env")
        assert self.env["PORTAL_ENV"] == "production" and self.env["TRUSTED_PROXIES"] == "1"

    def flask(self, *args: str) -> str:
        result = subprocess.run([str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, capture_output=True,
                                text=True, env={**self.env, "FLASK_APP": "app"}, timeout=120)
        if result.returncode != 0:
            raise SystemExit(f"smoke: flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None,
              cwd: Path = ROOT) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115  # closed with the process
        process = subprocess.Popen(command, cwd=cwd, env=env or self.env, stdout=log,
                                   stderr=subprocess.STDOUT)
        self.processes.append((name, process))
        return process

    def start_unit(self, unit: str, replace: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Run an installed unit's ExecStart as systemd would: its folder and environment."""
        text = (self.work / "etc/systemd/system" / unit).read_text()
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(text)
        service = parser["Service"]
        env = dict(self.env)
        for assignment in shlex.split(service.get("Environment", "")):
            key, _, value = assignment.partition("=")
            env[key] = value
        runtime = service.get("RuntimeDirectory")
        if runtime:
            folder = self.work / "run" / runtime
            folder.mkdir(parents=True, exist_ok=True)
            env = {k: v.replace(f"/run/{runtime}", str(folder)) for k, v in env.items()}
        return self.start(unit, shlex.split(service["ExecStart"]), env,
                          Path(service.get("WorkingDirectory", str(ROOT))))

    def run_timer_jobs(self) -> None:
        """What the timers start: the chasers, then the backup (into the scratch folder)."""
        backups = str(self.work / "backups")
        for unit in ("portal-chasers.service", "portal-backup.service", "portal-retention.service"):
            process = self.start_unit(unit, {"/var/backups/portal": backups})
            assert process.wait(120) == 0, (self.work / f"{unit}.log").read_text()
        assert any(Path(backups).glob("portal-*.dump")), "the backup made no copy"

    def start_nginx(self) -> None:
        site = (self.work / "etc/nginx/sites-available/portal").read_text()
        site = (site.replace("listen 443 ssl", f"listen {self.https} ssl")
                .replace("listen [::]:443 ssl", f"listen [::]:{self.https} ssl")
                .replace("listen 80;", f"listen {free_port()};").replace("listen [::]:80;", "")
                .replace("127.0.0.1:8000", f"127.0.0.1:{self.web}")
                .replace("proxy_http_version 1.1;", f"proxy_http_version 1.1;\n    proxy_bind {PROXY};")
                .replace("/etc/ssl/portal", str(self.work / "etc/ssl/portal"))
                .replace("/var/log/nginx", str(self.work)))
        (self.work / "site.conf").write_text(site)
        (self.work / "nginx.conf").write_text(
            f"daemon off;\npid {self.work}/nginx.pid;\nerror_log {self.work}/nginx-error.log;\n"
            f"events {{}}\nhttp {{\n  client_body_temp_path {self.work}/body;\n"
            f"  proxy_temp_path {self.work}/proxy;\n  include {self.work}/site.conf;\n}}\n")
        self.start("nginx", ["nginx", "-c", str(self.work / "nginx.conf"), "-p", str(self.work)])

    def start_everything(self) -> None:
        self.sink.controller.start()
        self.start("redis", ["redis-server", "--port", str(self.redis), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"])
        self.start_unit("portal-web.service", {"127.0.0.1:8000": f"127.0.0.1:{self.web}"})
        self.start_unit("portal-mail-worker.service")
        self.start_nginx()
        wait_until(lambda: self.get("/healthz")[0] == 200, "nginx and gunicorn to answer", 90)

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for name, process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                print(f"smoke: {name} did not stop on SIGTERM: killed", file=sys.stderr)
                process.kill()
                process.wait()
        if self.sink.controller.loop.is_running():
            self.sink.controller.stop()
        with psycopg.connect(self.admin.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    # ---- HTTPS from this machine (127.0.0.1) --------------------------------------------------
    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the installed self-signed certificate
        request = urllib.request.Request(f"https://127.0.0.1:{self.https}{path}",
                                         headers={"Host": f"{HOST}:{self.https}", **(headers or {})})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except OSError:
            return 0, {}, ""

    # ---- the journey -----------------------------------------------------------------------
    def arrange(self) -> None:
        self.flask("tools", "load")
        agencies = self.work / "agencies.csv"
        agencies.write_text("name,sector,email,contact_name,cohort,variant\n"
                            f"Brookside Youth Club,Voluntary and community,{EMAIL},Bo Chan,A,short\n")
        self.flask("agencies", "import", str(agencies))
        deadline = (date.today() + timedelta(days=60)).isoformat()
        self.flask("cycles", "open", "--label", "2026-27", "--cohort", "A", "--deadline", deadline)

    def journey(self) -> dict[str, Any]:
        from playwright.sync_api import sync_playwright

        invitation = self.sink.first(lambda m: "/set-password/" in _text(m), "the invitation")
        link = re.search(r"setting your password for the Compact Audit portal: (\S+)",
                         _text(invitation))
        assert link, "no link in the invitation email"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(ignore_https_errors=True)
                page = context.new_page()
                seen = self.newcomer(page, link.group(1))
                seen["cookies"] = context.cookies()
                self.sign_in(browser.new_context(ignore_https_errors=True).new_page())
            finally:
                browser.close()
        return seen

    def newcomer(self, page: Any, link: str) -> dict[str, Any]:
        """Follow the invitation's link, which opens the page to set a password, then sign in."""
        first = page.goto(link)
        seen = {"hsts": first.headers.get("strict-transport-security", "")}
        assert page.get_by_label("New password", exact=True).count(), (
            f"the invitation's link led to {page.url}, not to setting a password")
        page.get_by_label("New password", exact=True).fill(PASSWORD)
        page.get_by_label("Confirm new password").fill(PASSWORD)
        page.get_by_role("button", name="Set password").click()
        page.wait_for_load_state()
        if urlparse(page.url).path == "/sign-in":
            page.get_by_label("Email address").fill(EMAIL)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
        if page.get_by_role("link", name="Start the 2026-27 return").count():
            page.get_by_role("link", name="Start the 2026-27 return").click()
        page.get_by_role("link", name="Who is in charge, and your rules").click()
        for index in range(4):
            for radio in page.locator('input[type="radio"][value="good"]').all():
                radio.check()
            if index == 3:
                page.get_by_label("What could you show us to back up your answers?").fill(
                    "Our written rules, the list of who has had training, and our meeting notes.")
            page.get_by_role("button", name="Save and continue").click()
        page.get_by_label("Your full name").fill("Bo Chan")
        page.get_by_label("Your role").fill("Volunteer lead")
        page.get_by_role("button", name="Accept and submit").click()
        assert "Return submitted" in page.locator(".govuk-panel").inner_text()
        return seen

    def sign_in(self, page: Any) -> None:
        """Sign in again from a fresh browser: the audit log records the address."""
        page.goto(f"{self.base}/sign-in")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert urlparse(page.url).path != "/sign-in", page.url

    # ---- the checks ----------------------------------------------------------------------------
    def check(self, seen: dict[str, Any]) -> None:
        copy = self.sink.first(lambda m: "submitted" in str(m["Subject"]).lower(), "the emailed copy")
        assert any(part.get_content_type() == "application/pdf" for part in copy.iter_attachments())
        [session] = [c for c in seen["cookies"] if c["name"] == "__Host-session"]
        assert session["secure"] and session["path"] == "/" and not session.get("domain", "").startswith(".")
        assert seen["hsts"].startswith("max-age="), seen
        self.check_audit_address()
        self.check_failing_request()
        self.check_metrics()

    def check_audit_address(self) -> None:
        # as the tables' owner: the app's role sees no partnership's rows outside a transaction
        # that names one (row-level security)
        url = self.env["DATABASE_OWNER_URL"].replace("+psycopg", "")
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT action, ip_address FROM audit_events "
                                "WHERE action LIKE 'user.sign_in%'").fetchall()
            sessions = conn.execute("SELECT ip_address FROM user_sessions").fetchall()
        assert rows and {ip for _, ip in rows} == {CLIENT}, rows
        assert sessions and {ip for (ip,) in sessions} == {CLIENT}, sessions

    def check_failing_request(self) -> None:
        status, headers, _ = self.get("/no-such-page")
        assert status == 404, status
        request_id = headers["X-Request-ID"]
        log = self.work / "portal-web.service.log"
        wait_until(lambda: request_id in log.read_text(), "the failing request's log line", 10)
        lines = [json.loads(line) for line in log.read_text().splitlines()
                 if line.startswith("{") and request_id in line]
        assert any(line.get("status") == 404 and line["request_id"] == request_id for line in lines)

    def check_metrics(self) -> None:
        status, _, body = self.get("/metrics")
        assert status == 200, status
        assert re.search(r'^portal_outbox_messages\{status="pending"\} \d', body, re.MULTILINE)
        assert re.search(r'^portal_http_requests_total\{endpoint="auth.set_password",'
                         r'method="POST",status="302"\} [1-9]', body, re.MULTILINE), body[:2000]
        # nginx replaces a client's own X-Forwarded-For: this is still this machine's request
        assert self.get("/metrics", {"X-Forwarded-For": "203.0.113.7"})[0] == 200


    def check_jobs(self) -> None:
        body = self.get("/metrics")[2]
        for job in ("chasers", "backup"):
            assert re.search(rf'^portal_job_last_success_timestamp_seconds{{job="{job}"}} \d',
                             body, re.MULTILINE), f"no {job} run on /metrics"


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body else ""


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def main() -> None:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="portal-smoke-"))
    smoke = Smoke(work)
    ok = False
    def step(name: str, action: Callable[[], object]) -> None:
        before = time.monotonic()
        action()
        print(f"smoke: {name} ({time.monotonic() - before:.1f} s)")

    try:
        step("install.sh", smoke.install)
        step("flask db upgrade", lambda: smoke.flask("db", "upgrade"))
        step("services started", smoke.start_everything)
        step("tool, agency and cycle", smoke.arrange)
        step("newcomer's journey and checks", lambda: smoke.check(smoke.journey()))
        step("timer jobs", smoke.run_timer_jobs)
        step("job runs on /metrics", smoke.check_jobs)
        ok = True
    finally:
        smoke.stop()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"smoke: FAILED; logs kept in {work}", file=sys.stderr)
    seconds = time.monotonic() - started
    print(f"smoke: the newcomer's journey over HTTPS passed in {seconds:.0f} s")
    if seconds > LIMIT_SECONDS:
        raise SystemExit(f"smoke: took {seconds:.0f} s, over {LIMIT_SECONDS} s")


if __name__ == "__main__":
    main()
