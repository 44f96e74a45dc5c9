"""flask moderation sample --targeted: part the largest survey gaps, part random, reproducible."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ModerationSample
from portal.services import moderation
from tests.support import survey_fixture


def _draw(app: Flask, *args: str) -> list[str]:
    result = app.test_cli_runner().invoke(args=[
        "moderation", "sample", "--cycle", "2026-27", "--now", "2026-08-03T09:00", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_targeted_sample_picks_the_largest_gaps_first_and_repeats_for_the_same_seed(
        app: Flask, db: Session, tmp_path: Path) -> None:
    survey_fixture.build(db, tmp_path)
    lines = _draw(app, "--rate", "0.6", "--seed", "11", "--targeted", "0.5")
    # 5 submitted returns x 0.6 = 3 places; round(0.5 x 3) = 2 go to the largest gaps (G2: 3, G1: 2)
    assert lines[0] == "Cycle 2026-27: 3 of 5 submitted returns (rate 0.6, seed 11, targeted 0.5)"
    rows = [line.split("\t") for line in lines[1:]]
    targeted = sorted(r[0] for r in rows if r[2] == "largest survey gaps")
    assert targeted == ["GP practices agency G2", "Health agency G1"]
    [random_row] = [r for r in rows if r[2] == "at random"]
    assert random_row[0] in {"Health agency OK", "Health agency N0",
                             "Voluntary and community agency F4"}

    sample = db.scalar(select(ModerationSample))
    assert sample is not None and sample.targeted == 0.5 and len(sample.targeted_chosen) == 2
    assert moderation.rederive(db, sample).matches

    again = _draw(app, "--rate", "0.6", "--seed", "11", "--targeted", "0.5",
                  "--reason", "Checking it repeats")
    assert again == lines


def test_a_fully_targeted_sample_takes_only_agencies_with_gaps_in_gap_order(
        app: Flask, db: Session, tmp_path: Path) -> None:
    survey_fixture.build(db, tmp_path)
    lines = _draw(app, "--rate", "0.2", "--seed", "3", "--targeted", "1")
    assert lines[1:] == ["GP practices agency G2\tGP practices\tlargest survey gaps"]
