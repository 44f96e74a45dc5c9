"""SQLAlchemy 2 typed models, one module per aggregate."""

from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.chaser import Chaser, ChaserMessage, ChaserStage
from portal.models.cycle import Action, Answer, Cycle, Evidence, Return
from portal.models.escalation import Escalation
from portal.models.information_request import (
    InformationRequest,
    RequestAnswer,
    RequestQuestion,
    RequestRecipient,
    RequestReminder,
)
from portal.models.job_run import JobRun
from portal.models.mail import MailPause, OutboxAttachment, OutboxMessage
from portal.models.mfa import RecoveryCode, TotpFactor
from portal.models.moderation import Finding, ModerationSample, Visit, VisitSlot
from portal.models.organisation import (
    DEFAULT_SECTOR_VARIANTS,
    DEFAULT_SECTORS,
    Agency,
    Contact,
    Sector,
)
from portal.models.partnership import FIRST_PARTNERSHIP_ID, Partnership, PartnershipOwned
from portal.models.passkey import Passkey, PasskeyChallenge
from portal.models.published import PublishedFigures, PublishedReport
from portal.models.recommendation import Recommendation, RecommendationUpdate
from portal.models.security import Throttle, UserSession
from portal.models.sso import IdentityProvider, IdentityProviderDomain, LinkedIdentity
from portal.models.survey import (
    SurveyAnswerRow,
    SurveyLink,
    SurveyResponse,
    SurveyStatement,
    SurveyStatementQuestion,
)
from portal.models.tool import GradeDescriptor, Question, Standard, ToolVersion
from portal.models.user import NO_ROLE, PartnershipMember, User
from portal.vocabulary import (
    Cohort,
    CycleStatus,
    Grade,
    OutboxStatus,
    OwnerKind,
    RecommendationStatus,
    RequestAudience,
    RequestQuestionKind,
    ReturnStatus,
    Role,
    Variant,
    VisitStatus,
)

__all__ = [
    "DEFAULT_SECTORS",
    "DEFAULT_SECTOR_VARIANTS",
    "FIRST_PARTNERSHIP_ID",
    "NO_ROLE",
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
    "Grade",
    "GradeDescriptor",
    "IdentityProvider",
    "IdentityProviderDomain",
    "InformationRequest",
    "JobRun",
    "LinkedIdentity",
    "MailPause",
    "ModerationSample",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "OwnerKind",
    "Partnership",
    "PartnershipMember",
    "PartnershipOwned",
    "Passkey",
    "PasskeyChallenge",
    "PublishedFigures",
    "PublishedReport",
    "Question",
    "Recommendation",
    "RecommendationStatus",
    "RecommendationUpdate",
    "RecoveryCode",
    "RequestAnswer",
    "RequestAudience",
    "RequestQuestion",
    "RequestQuestionKind",
    "RequestRecipient",
    "RequestReminder",
    "Return",
    "ReturnStatus",
    "Role",
    "Sector",
    "Standard",
    "SurveyAnswerRow",
    "SurveyLink",
    "SurveyResponse",
    "SurveyStatement",
    "SurveyStatementQuestion",
    "Throttle",
    "ToolVersion",
    "TotpFactor",
    "User",
    "UserSession",
    "Variant",
    "Visit",
    "VisitSlot",
    "VisitStatus",
    "utcnow",
]
