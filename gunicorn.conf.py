"""gunicorn reads this file from the working folder: hide the server's name and version, and
never write the public survey's requests to the access log (issue 26: an access log line holds
the address, the time and the browser, which would trace an anonymous answer to a person)."""

from typing import Any

import gunicorn.http.wsgi
from gunicorn.glogging import Logger

gunicorn.http.wsgi.SERVER = ""  # responses said "Server: gunicorn"; now the header is empty
SURVEY_PREFIX = "/survey/"  # the public survey; /survey-results/ (signed-in staff) is logged


class SurveyBlindLogger(Logger):
    """gunicorn's logger, except that requests for the public survey leave no access-log line,
    and its own error-log lines (workers booting, timing out) are JSON when the app's are."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from config import log_format_from_environment

        if log_format_from_environment() == "json":
            from portal.observability import JsonFormatter

            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if str(environ.get("PATH_INFO", "")).startswith(SURVEY_PREFIX):
            return
        super().access(resp, req, environ, request_time)


logger_class = SurveyBlindLogger


def child_exit(server: Any, worker: Any) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (several workers share /metrics' counts through files in
    it), a worker that exits leaves its counters, and its live gauges are dropped."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
