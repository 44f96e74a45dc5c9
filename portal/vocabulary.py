"""Closed vocabularies, stored as short strings with CHECK constraints."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENCY = "agency"
    MANAGER = "manager"
    MODERATOR = "moderator"
    COMMITTEE = "committee"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.AGENCY: "Agency user",
    Role.MANAGER: "Partnerships manager",
    Role.MODERATOR: "Board or committee member (moderator)",
    Role.COMMITTEE: "Scrutiny committee (MESC) member",
}


class Variant(StrEnum):
    FULL = "full"
    SCHOOLS = "schools"
    SHORT = "short"


class Cohort(StrEnum):
    A = "A"
    B = "B"


class Grade(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def is_weak(self) -> bool:
        return self in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)

    @property
    def rank(self) -> int:
        """Higher is better; not applicable has no rank."""
        return GRADE_RANK.get(self, -1)


GRADE_LABELS = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement",
    Grade.INADEQUATE: "Inadequate",
    Grade.NOT_APPLICABLE: "Not applicable",
}
GRADE_RANK = {
    Grade.INADEQUATE: 0,
    Grade.REQUIRES_IMPROVEMENT: 1,
    Grade.GOOD: 2,
    Grade.OUTSTANDING: 3,
}
QUALITY_GRADES = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)


class CycleStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ReturnStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OutboxStatus(StrEnum):
    PENDING = "pending"  # queued: due for an attempt at next_attempt_at
    SENDING = "sending"  # claimed by one sender until lease_until
    SENT = "sent"  # the server accepted DATA
    FAILED = "failed"  # refused for good (a recipient 5xx, or a message that cannot be built)
    UNDELIVERED = "undelivered"  # still not sent when its retry window ended: shown to managers


class VisitStatus(StrEnum):
    PLANNED = "planned"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def check_in(column: str, values: type[StrEnum]) -> str:
    """SQL for a CHECK constraint limiting a column to an enum's values."""
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class RecommendationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_live(self) -> bool:
        """Still to be done: can be overdue."""
        return self in (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


class OwnerKind(StrEnum):
    CHAIR = "chair"
    COMMITTEE = "committee"
    AGENCY = "agency"
    SECTOR = "sector"

    @property
    def label(self) -> str:
        return {"chair": "The Chair", "committee": "A committee", "agency": "An agency",
                "sector": "A sector"}[self.value]


class RequestAudience(StrEnum):
    ALL = "all"
    SECTOR = "sector"
    CHOSEN = "chosen"


class RequestQuestionKind(StrEnum):
    TEXT = "text"
    YES_NO = "yes_no"
    CHOICE = "choice"

    @property
    def label(self) -> str:
        return {"text": "Free text", "yes_no": "Yes or no", "choice": "A choice"}[self.value]


class SurveyAnswer(StrEnum):
    """A practitioner's answer to one survey statement."""

    AGREE = "agree"
    PARTLY = "partly"
    DISAGREE = "disagree"
    DONT_KNOW = "dont_know"


SURVEY_ANSWER_LABELS = {
    SurveyAnswer.AGREE: "Agree",
    SurveyAnswer.PARTLY: "Partly",
    SurveyAnswer.DISAGREE: "Disagree",
    SurveyAnswer.DONT_KNOW: "Don't know",
}

# Optional bands a practitioner may give; nothing finer is ever asked or stored.
SURVEY_ROLE_BANDS = {
    "frontline": "Front-line practitioner",
    "manager": "Manager or supervisor",
    "volunteer": "Volunteer",
    "other": "Other role",
}
SURVEY_SERVICE_BANDS = {
    "under_1": "Less than 1 year",
    "1_to_5": "1 to 5 years",
    "over_5": "More than 5 years",
}


DB_INT_MAX = 2**31 - 1  # the largest value an INTEGER column holds on PostgreSQL (and ids here)
