"""What an operator watches: scheduled jobs' last successful runs and the outbox's figures."""

from __future__ import annotations

from ._figures import MonitoringFigures, monitoring_figures
from ._jobs import JOBS, last_successes, record_success

__all__ = ["JOBS", "MonitoringFigures", "last_successes", "monitoring_figures", "record_success"]
