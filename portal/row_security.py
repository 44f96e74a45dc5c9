"""Row-level security on PostgreSQL: the partnership a transaction may see (issue 28,
docs/architecture.md, "Defence in depth on PostgreSQL").

Every partnership-owned table has a policy that shows and accepts only the rows of the
partnership named by the transaction's `portal.partnership` setting. The migrations secure the
tables with `secure(op, table)`; the app's sessions set the value per transaction (portal.db).
A transaction that names no partnership, or 0 (ids start at 1), sees none of the owned rows and
may write none. SQLite has no row-level security: there the app's own scoping is all there is."""

from __future__ import annotations

from typing import Protocol

SETTING = "portal.partnership"
POLICY = "partnership_isolation"

# The tables migration 0019 gave `partnership_id`, which 0020 secures. Frozen, as migrations are:
# a later migration that adds an owned table (memberships) calls `secure(op, table)` itself, and
# tests/application/test_row_level_security.py checks on PostgreSQL that every owned table is.
FIRST_OWNED = (
    "cycles", "returns", "answers", "evidence", "actions",
    "chaser_stages", "chasers", "chaser_messages", "escalations",
    "survey_links", "survey_responses", "survey_answers",
    "moderation_samples", "visits", "visit_slots", "findings",
    "recommendations", "recommendation_updates",
    "information_requests", "request_questions", "request_recipients", "request_answers",
    "request_reminders",
    "published_reports", "published_figures", "audit_events",
    "outbox_messages", "outbox_attachments",
)

# Owned, yet read across partnerships, so under no policy: a person's memberships (which
# partnerships they may enter, and whether any staff role there asks a second factor of them)
# are read before, and whatever, the partnership a request works in. They hold no return data.
READ_ACROSS = ("partnership_members",)

# What the app's transactions run first (portal.db): the partnership a session names, or else
# the installation's only one, worked out in the same statement, or 0 (none) when it has several.
SET_NAMED = "SELECT set_config('portal.partnership', CAST(:id AS text), true)"
SET_ONLY = ("SELECT set_config('portal.partnership', COALESCE((SELECT CAST(min(id) AS text) "
            "FROM partnerships HAVING count(*) = 1), '0'), true)")

# An unset custom setting reads as NULL, and as '' once a transaction on the connection has set
# and ended it: both mean "no partnership" (no rows), never an error.
_CURRENT = f"NULLIF(current_setting('{SETTING}', true), '')::int"
_RULE = f"partnership_id = {_CURRENT}"


class Operations(Protocol):
    """What a migration's `op` offers that this module uses."""

    def execute(self, sqltext: str) -> object: ...

    def get_bind(self) -> object: ...


def secure_statements(table: str) -> list[str]:
    return [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",  # its owner too, unless BYPASSRLS
            f"CREATE POLICY {POLICY} ON {table} USING ({_RULE}) WITH CHECK ({_RULE})"]


def unsecure_statements(table: str) -> list[str]:
    return [f"DROP POLICY IF EXISTS {POLICY} ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"]


def secure(op: Operations, table: str) -> None:
    """Put a partnership-owned table under the policy (PostgreSQL; nothing on SQLite)."""
    if _on_postgresql(op):
        for statement in secure_statements(table):
            op.execute(statement)


def unsecure(op: Operations, table: str) -> None:
    if _on_postgresql(op):
        for statement in unsecure_statements(table):
            op.execute(statement)


def _on_postgresql(op: Operations) -> bool:
    return getattr(getattr(op.get_bind(), "dialect", None), "name", None) == "postgresql"
