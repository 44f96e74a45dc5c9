"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._bulk import chase_list, chase_targets, preview_bulk
from ._history import bounced_contacts, chaser_history, cycle_chasing, stage_label
from ._sending import (
    ChaserRun,
    Rules,
    addressee_for,
    chase_all_overdue,
    record_chaser,
    refuse_closed,
    send_adhoc_chaser,
    send_due_chasers,
    wording_stage,
)
from ._stages import (
    DEFAULT_STAGES,
    PLACEHOLDERS,
    Addressee,
    check_wording,
    describe_timing,
    due_on,
    ensure_default_stages,
    get_stage,
    preview_email,
    render_chaser_email,
    return_of_stage,
    stages_of,
    template_problem,
    update_stage,
)

__all__ = [
    "DEFAULT_STAGES",
    "PLACEHOLDERS",
    "Addressee",
    "ChaserRun",
    "Rules",
    "addressee_for",
    "bounced_contacts",
    "chase_all_overdue",
    "chase_list",
    "chase_targets",
    "chaser_history",
    "check_wording",
    "cycle_chasing",
    "describe_timing",
    "due_on",
    "ensure_default_stages",
    "get_stage",
    "preview_bulk",
    "preview_email",
    "record_chaser",
    "refuse_closed",
    "render_chaser_email",
    "return_of_stage",
    "send_adhoc_chaser",
    "send_due_chasers",
    "stage_label",
    "stages_of",
    "template_problem",
    "update_stage",
    "wording_stage",
]
