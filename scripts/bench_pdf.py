"""How long the PDF copy of a full-limit return takes to make (issue 24): every question of the
2026.2 tool inadequate with its comment and action at their limits, every standard's evidence at
its limit, in the artefact tests' hostile text (long unbroken words, Welsh, Polish, emoji,
right-to-left scripts, markup characters). Pure rendering, no database. Prints figures; asserts
nothing.

    .venv/bin/python scripts/bench_pdf.py [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.reports.return_pdf import render_return_pdf
from portal.services.returns import (
    EVIDENCE_LIMIT,
    TEXT_LIMIT,
    ActionInput,
    AnswerInput,
    DocQuestion,
    DocStandard,
    ReturnDocument,
)
from portal.services.returns._rules import WHO_LIMIT
from tests.support.maximal_content import PIECES

TOOL = Path(__file__).resolve().parent.parent / "portal" / "tools" / "compact-audit-2026.2.json"
HOSTILE = " ".join(PIECES)


def text(length: int) -> str:
    return (HOSTILE * (length // len(HOSTILE) + 1))[:length]


def full_limit_return() -> ReturnDocument:
    tool = json.loads(TOOL.read_text())
    standards = [DocStandard(s["code"], s["title"], text(EVIDENCE_LIMIT), [
        DocQuestion(q["code"], q["text"], AnswerInput(
            q["code"], "inadequate", comment=text(TEXT_LIMIT),
            action=ActionInput(text(TEXT_LIMIT), text(WHO_LIMIT).replace("\n", " "),
                               date(2027, 6, 1))))
        for q in s["questions"]]) for s in tool["standards"]]
    return ReturnDocument(
        return_id=1, agency="Polska Szkoła Sobotnia", sector="Voluntary and community",
        cycle="2026-27", deadline=date(2027, 1, 29), status="Submitted",
        submitted_at=datetime(2027, 1, 10, 14, 5), submitted_by="Ŵyn Jones",
        declaration_name="Ŵyn Jones", declaration_role="Chair", standards=standards)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    args = parser.parse_args()
    doc = full_limit_return()
    characters = sum(len(s.evidence) + sum(len(q.answer.comment) + len(q.answer.action.what)
                                           for q in s.questions) for s in doc.standards)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(render_return_pdf, doc, partnership="Cyngor Gwynedd")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    times, cpu, size = [], [], 0
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(render_return_pdf(doc, partnership="Cyngor Gwynedd"))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"Full-limit return PDF ({len(doc.standards)} standards, "
          f"{sum(len(s.questions) for s in doc.standards)} questions, {characters:,} characters "
          f"of answers): median {statistics.median(times):.2f} s of {args.repeat} "
          f"(fastest {min(times):.2f} s; CPU {statistics.median(cpu):.2f} s), "
          f"{size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
