"""A job's last successful run: recorded per job, and never moved back by an older run."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from portal.services import operations

MORNING = datetime(2026, 12, 3, 7)


def test_each_job_keeps_its_latest_success(db: Session) -> None:
    operations.record_success(db, "chasers", now=MORNING)
    operations.record_success(db, "backup", now=MORNING.replace(hour=1))
    operations.record_success(db, "chasers", now=MORNING.replace(hour=8))
    operations.record_success(db, "chasers", now=MORNING.replace(hour=6))  # a late, older run
    db.commit()
    assert operations.last_successes(db) == {"chasers": MORNING.replace(hour=8),
                                             "backup": MORNING.replace(hour=1)}


def test_an_unknown_job_is_refused(db: Session) -> None:
    with pytest.raises(ValueError, match="Unknown job"):
        operations.record_success(db, "cron", now=MORNING)
