"""A closed cycle's report downloads as published beside the same cycle counted live, each in
its own process (so the published version's first read, a cold one, is counted, as it is for
`flask reports sector` and for the first view after a worker starts): CPU of the work after the
app is built, and the process's peak RSS and the work's peak traced allocation.

    python scripts/bench_parts/published.py URL LABEL FORMAT published|live [--trace]
prints "cpu_seconds peak_rss_mb peak_traced_mb" (traced only with --trace; 0 otherwise)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("pdf", "json")


def _work(url: str, label: str, fmt: str, mode: str) -> bytes:
    from flask import current_app

    from portal.db import get_db
    from portal.models import utcnow
    from portal.reports.formats import render_download
    from portal.services import reporting

    with get_db(current_app).sessionmaker() as session:
        if mode == "published":
            found = reporting.report_download(session, label, fmt, now=utcnow())
        else:
            found = reporting.ReportDownload(reporting.sector_report(session, cycle_label=label))
    return render_download(found, fmt, partnership="Benchmark Partnership").content


def child(url: str, label: str, fmt: str, mode: str, trace: bool) -> None:
    from portal import create_app

    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        if fmt == "pdf":
            import portal.reports.sector_pdf  # noqa: F401  (reportlab: both modes load it)
        if trace:
            import tracemalloc
            tracemalloc.start()
        started = time.process_time()
        content = _work(url, label, fmt, mode)
        cpu = time.process_time() - started
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    assert content
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{cpu:.4f} {rss:.1f} {traced:.1f}")


def run(url: str, label: str, fmt: str, mode: str, *, trace: bool = False) -> tuple[float, ...]:
    """(CPU s, peak RSS MB, peak traced MB) of one download in a fresh process."""
    done = subprocess.run([sys.executable, __file__, url, label, fmt, mode] +
                          (["--trace"] if trace else []), cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return tuple(float(x) for x in done.stdout.split()[-3:])


def measure(url: str, label: str, engine: str, size: int, results: Any, runs: int = 3) -> None:
    """Published vs live, per format: the median CPU of `runs` processes, peak RSS and traced."""
    for fmt in FORMATS:
        figures = {}
        for mode in ("published", "live"):
            cpu = sorted(run(url, label, fmt, mode)[0] for _ in range(runs))[runs // 2]
            _, rss, traced = run(url, label, fmt, mode, trace=True)
            figures[mode] = (cpu, rss, traced)
        (pc, pr, pt), (lc, lr, lt) = figures["published"], figures["live"]
        holds = pc <= lc and pr <= lr and pt <= lt
        results.add(f"closed cycle's {fmt.upper()}: published vs live (fresh process)", engine,
                    size, f"CPU {pc * 1000:.0f} vs {lc * 1000:.0f} ms (x{pc / lc:.2f}); peak RSS "
                    f"{pr:.0f} vs {lr:.0f} MB; peak traced {pt:.1f} vs {lt:.1f} MB",
                    "published <= live (CPU and memory)", holds)


if __name__ == "__main__":
    url_, label_, fmt_, mode_ = sys.argv[1:5]
    child(url_, label_, fmt_, mode_, "--trace" in sys.argv)
