"""SQLAlchemy 2 typed models, one module per aggregate."""

from .audit import AuditEvent
from .base import Base, utcnow
from .chaser import Chaser, ChaserMessage, ChaserStage
from .cycle import Action, Answer, Cycle, Evidence, Return
from .enums import (
    Cohort,
    CycleStatus,
    Grade,
    OutboxStatus,
    ReturnStatus,
    Role,
    Variant,
    VisitStatus,
)
from .escalation import Escalation
from .mail import OutboxAttachment, OutboxMessage
from .moderation import Finding, ModerationSample, Visit
from .organisation import DEFAULT_SECTORS, Agency, Contact, Sector
from .stash import FormStash
from .tool import GradeDescriptor, Question, Standard, ToolVersion
from .user import User

__all__ = [
    "DEFAULT_SECTORS",
    "Action",
    "Agency",
    "Answer",
    "AuditEvent",
    "Base",
    "Chaser",
    "ChaserMessage",
    "ChaserStage",
    "Cohort",
    "Contact",
    "Cycle",
    "CycleStatus",
    "Escalation",
    "Evidence",
    "Finding",
    "FormStash",
    "Grade",
    "GradeDescriptor",
    "ModerationSample",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "Question",
    "Return",
    "ReturnStatus",
    "Role",
    "Sector",
    "Standard",
    "ToolVersion",
    "User",
    "Variant",
    "Visit",
    "VisitStatus",
    "utcnow",
]
