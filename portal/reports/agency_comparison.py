"""One agency's answers beside its previous return, as CSV (comparison -> bytes)."""

from __future__ import annotations

import csv
import io

from portal.services.common import csv_text
from portal.services.reporting import AgencyComparison, grade_label


def render_comparison_csv(comparison: AgencyComparison) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["agency", "question", "standard", "text", comparison.cycle,
                     comparison.previous_cycle or "previous", "movement"])
    for row in comparison.rows:
        writer.writerow([csv_text(value) for value in (
            comparison.agency, row.code, row.standard, row.text, grade_label(row.grade),
            grade_label(row.previous_grade) if row.has_previous else "", row.movement)])
    return out.getvalue().encode("utf-8-sig")
