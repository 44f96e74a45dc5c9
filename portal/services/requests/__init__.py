"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._answering import ANSWER_LIMIT, YES_NO, answer_request, display_value, is_closed
from ._reading import (
    ResponseRow,
    Responses,
    SectorRate,
    answered_count,
    get_request,
    list_requests,
    open_request_count,
    recipient_for,
    requests_following,
    requests_for_agency,
    response_rates,
    responses,
)
from ._reminders import (
    REMINDER_STAGES,
    ReminderStage,
    SentReminder,
    reminder_due_on,
    send_due_reminders,
)
from ._sending import (
    MAX_QUESTIONS,
    QUESTION_LIMIT,
    REQUEST_NUMBER,
    NewQuestion,
    NewRequest,
    PreviewOutdated,
    RequestRejected,
    long_date,
    preview_request,
    send_request,
)

__all__ = [
    "ANSWER_LIMIT",
    "MAX_QUESTIONS",
    "QUESTION_LIMIT",
    "REMINDER_STAGES",
    "REQUEST_NUMBER",
    "YES_NO",
    "NewQuestion",
    "NewRequest",
    "PreviewOutdated",
    "ReminderStage",
    "RequestRejected",
    "ResponseRow",
    "Responses",
    "SectorRate",
    "SentReminder",
    "answer_request",
    "answered_count",
    "display_value",
    "get_request",
    "is_closed",
    "list_requests",
    "long_date",
    "open_request_count",
    "preview_request",
    "recipient_for",
    "reminder_due_on",
    "requests_following",
    "requests_for_agency",
    "response_rates",
    "responses",
    "send_due_reminders",
    "send_request",
]
