"""Figures for the security hardening (issue 11): sign-in time for a real and an unknown account,
how fast and how small the refusal of a spreadsheet bomb is, and (issue 23: timings the tests no
longer assert) a 100 MB spreadsheet refused through the web and a 5,000-agency cycle opened
through the web. Uses a scratch SQLite database and the app in-process. Prints figures; asserts
nothing.

    .venv/bin/python scripts/bench_security.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_parts.people import add_person
from bench_parts.second_factor import pass_gate

from portal import create_app, migrate
from portal.db import get_db
from portal.models import Return, Role
from portal.services import tools
from portal.services.accounts import hash_password
from portal.services.common import ImportRejected
from portal.services.cycles import create_cycle
from portal.services.returns import read_workbook, return_workbook
from tests.support import bomb, csrf_from, factories, register_agencies, rezip
from tests.support.returns_helpers import issue, return_of

PASSWORD = "purple walrus kettle drum"


def sign_in_times(app, repeat: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    known, unknown = [], []
    for n in range(repeat):  # a new address each time: the per-account throttle stays out of it
        for email, times in ((f"real{n}@example.org", known), (f"ghost{n}@example.org", unknown)):
            started = time.perf_counter()
            client.post("/sign-in", data={"csrf_token": token, "email": email,
                                          "password": "not the password"})
            times.append(time.perf_counter() - started)
    return known, unknown


def timed(work):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def web_figures(app, return_id: int, agencies: int) -> None:  # type: ignore[no-untyped-def]
    """A manager's web client (its own address: the sign-in timings throttle theirs)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.23"
    with get_db(app).transaction() as session:
        register_agencies(session, agencies, "B")
        cycle_id = create_cycle(session, label="2040-41", cohort="B", deadline=date(2041, 6, 28),
                                now=datetime(2040, 4, 1)).id
        add_person(session, "bench-manager@example.org", "manager", name="Manager",
                   password_hash=hash_password(PASSWORD))
        add_person(session, "bench-agency@example.org", "agency", name="Lead",
                   agency_id=session.get(Return, return_id).agency_id,  # type: ignore[union-attr]
                   password_hash=hash_password(PASSWORD))
    post_form(client, "/sign-in", {"email": "bench-agency@example.org", "password": PASSWORD})
    workbook = client.get(f"/agency/returns/{return_id}/spreadsheet").data
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><si><t>' + b"e" * 100_000_000 + b"</t></si></sst>")
    upload = rezip(workbook, {"xl/sharedStrings.xml": strings})
    url = f"/agency/returns/{return_id}/spreadsheet/upload"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response, seconds = timed(lambda: client.post(url, data={
        "csrf_token": token, "file": (io.BytesIO(upload), "return.xlsx")},
        content_type="multipart/form-data"))
    print(f"100 MB of evidence in a {len(upload) / 1024:.0f} KB spreadsheet, through the web: "
          f"{response.status_code} in {seconds * 1000:.0f} ms")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.24"
    post_form(client, "/sign-in", {"email": "bench-manager@example.org", "password": PASSWORD})
    pass_gate(client)
    response, seconds = timed(lambda: post_form(
        client, f"/cycles/{cycle_id}/open", {}, get_url=f"/cycles/{cycle_id}/preview"))
    print(f"opening a {agencies:,}-agency cycle through the web: {response.status_code} in "
          f"{seconds:.1f} s (gunicorn's worker timeout: 30 s)")


def post_form(client, url: str, data: dict, get_url: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(get_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--agencies", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app("testing", DATABASE_URL=url, SECRET_KEY="bench-" * 8)
        with get_db(app).transaction() as session:
            tools.load_tool(session)
            for n in range(args.repeat):
                add_person(session, f"real{n}@example.org", "manager", name="Real",
                           password_hash=hash_password(PASSWORD))
            agency = factories.agency(session, "Hillside Scouts", variant="short")
            factories.user(session, Role.AGENCY, agency=agency)
            return_id = return_of(session, agency, issue(session)).id
        known, unknown = sign_in_times(app, args.repeat)
        print(f"wrong password, real account:    median {statistics.median(known) * 1000:6.0f} ms")
        print(f"wrong password, unknown account: median {statistics.median(unknown) * 1000:6.0f} ms"
              f"  (ratio {statistics.median(known) / statistics.median(unknown):.2f})")
        with get_db(app).transaction() as session:
            return_ = session.get(Return, return_id)
            assert return_ is not None
            for megabytes in (60, 1000):
                bomb_file = bomb(return_workbook(session, return_), megabytes)
                tracemalloc.start()
                started = time.perf_counter()
                with contextlib.suppress(ImportRejected):  # refused: that is the point
                    read_workbook(session, return_, bomb_file, user_id=None,
                                  now=datetime(2026, 12, 1))
                seconds = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                print(f"bomb: {len(bomb_file) / 1024:6.0f} KB unpacking to {megabytes} MB refused in "
                      f"{seconds * 1000:5.0f} ms, peak Python memory {peak / 1e6:5.1f} MB")
        web_figures(app, return_id, args.agencies)


if __name__ == "__main__":
    main()
