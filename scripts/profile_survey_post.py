"""CPU and Python function calls per survey POST, in-process (no server, no network): the figure
that does not depend on how loaded the machine is. Each post is a fresh WSGI call to the app, as
gunicorn makes one, with its own form token, from its own address, rotating over many links.

    .venv/bin/python scripts/profile_survey_post.py [--engine sqlite|postgresql] [--limits memory|redis|off]
        [--posts 600] [--agencies 300] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.test import EnvironBuilder  # noqa: E402

from scripts.bench_survey import ANSWERS, SECRET_KEY, arrange, free_port  # noqa: E402


def environs(paths: list[str], posts: int) -> list[dict[str, Any]]:
    from portal.views.survey import form_token

    out = []
    for n in range(posts):
        path = paths[n % len(paths)]
        body = {f"S{i}": ANSWERS[(n + i) % len(ANSWERS)] for i in range(1, 13)}
        body["form_token"] = form_token(path.rsplit("/", 1)[1], secret_key=SECRET_KEY)
        body["role_band"] = ["frontline", "manager", "volunteer", ""][n % 4]
        builder = EnvironBuilder(
            path=path, method="POST", data=urlencode(body),
            content_type="application/x-www-form-urlencoded",
            headers={"Cookie": f"bench={n}", "User-Agent": "wrk"},
            environ_base={"REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"})
        out.append(builder.get_environ())
    return out


def call(app: Any, environ: dict[str, Any]) -> str:
    status: list[str] = []

    def start_response(s: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(s)
        return lambda _data: None

    body = app(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return status[0]


@contextmanager
def redis_server() -> Iterator[str]:
    port = free_port()
    subprocess.run(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--pidfile", f"/tmp/profile-survey-redis-{port}.pid"],
                   check=True, capture_output=True)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}"
    finally:
        pid = Path(f"/tmp/profile-survey-redis-{port}.pid").read_text().strip()
        os.kill(int(pid), 15)


@contextmanager
def database(engine: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'profile.sqlite3'}"
    else:
        from tests.support import scratch_postgres_database

        with scratch_postgres_database(os.environ["TEST_POSTGRES_URL"]) as url:
            yield url


def _cpu(app: Any, block: list[dict[str, Any]], statuses: list[str]) -> float:
    started = time.process_time()
    statuses += [call(app, e) for e in block]
    return (time.process_time() - started) / len(block)


def measure(args: argparse.Namespace, url: str, storage: str | None) -> None:
    from portal import create_app

    paths = arrange(url, args.agencies, Path("."))
    overrides: dict[str, Any] = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
                                 "RATELIMIT_ENABLED": storage is not None}
    if storage:
        # production's limits, but per day: every post of the run falls in one window
        overrides |= {"RATELIMIT_STORAGE_URI": storage, "SURVEY_LINK_RATE_LIMIT": "100000 per day"}
    app = create_app("development", **overrides)
    warm = environs(paths, 100)
    requests = environs(paths[::-1], args.posts)  # fresh tokens and addresses
    statuses = [call(app, e) for e in warm]
    half = args.posts // 2
    blocks = [requests[i:half:5] for i in range(5)]  # the best of 5 blocks: the least disturbed
    cpu = min(_cpu(app, block, statuses) for block in blocks)
    profile = cProfile.Profile(time.process_time)  # CPU, not waiting for the disk or server
    profile.enable()
    statuses += [call(app, e) for e in requests[half:]]
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls / (args.posts - half)  # type: ignore[attr-defined]
    bad = [s for s in statuses if not s.startswith("302")]
    print(f"{args.engine:<10} limits {args.limits:<6} {cpu * 1000:6.2f} ms CPU a post "
          f"(best of 5 blocks, no profiler), {calls:7.0f} function calls a post; "
          f"{len(bad)} not 302 {bad[:3]}")
    if args.by_package:
        by_package(stats, args.posts - half)
    if args.top:
        out = io.StringIO()
        shown = pstats.Stats(profile, stream=out).sort_stats(args.sort)
        if args.callers:
            shown.print_callers(args.callers)
        else:
            shown.print_stats(args.top)
        print(out.getvalue())


def by_package(stats: pstats.Stats, posts: int) -> None:
    """Calls and CPU a post, summed by the package the function is in."""
    totals: dict[str, list[float]] = {}
    for (filename, _line, _name), (_cc, calls, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        match = (re.search(r"site-packages/([A-Za-z_]+)", filename)
                 or re.search(r"/(portal|forms|config|scripts)/", filename)
                 or re.search(r"python3\.\d+/([A-Za-z_]+)", filename))
        package = match.group(1) if match else ("builtins" if filename == "~" else filename[:20])
        row = totals.setdefault(package, [0, 0.0])
        row[0] += calls
        row[1] += own
    for package, (calls, own) in sorted(totals.items(), key=lambda kv: -kv[1][0])[:20]:
        print(f"  {package:<20} {calls / posts:7.0f} calls  {own / posts * 1000:6.2f} ms (profiled)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--limits", choices=["off", "memory", "redis"], default="memory")
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--by-package", action="store_true")
    parser.add_argument("--callers", default=None, help="show who calls functions matching this")
    args = parser.parse_args()
    with database(args.engine) as url:
        if args.limits == "redis":
            with redis_server() as storage:
                measure(args, url, storage)
        else:
            measure(args, url, None if args.limits == "off" else "memory://")


if __name__ == "__main__":
    main()
