"""MESC reports: a page per cycle, downloads, and one agency beside its previous return."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.cycles import RepublishForm
from portal.access import roles
from portal.db import db_session
from portal.models import Cycle, CycleStatus, PublishedReport, Role
from portal.reports import annual as annual_report
from portal.reports import published
from portal.reports.agency_comparison import (
    AgencyComparison,
    agencies_in_cycle,
    agency_comparison,
    grade_label,
    render_comparison_csv,
)
from portal.reports.cycle_list import report_cycles
from portal.reports.sector_data import MIN_GRADED, SectorReport
from portal.reports.sector_exports import FORMATS
from portal.reports.shading import BANDS, band
from portal.reports.wording import (
    calibration_sentence,
    change_words,
    pct,
    provisional_line,
    returns_sentence,
    too_few_note,
    top_three_sentence,
    visits_sentence,
)
from portal.services import cycles, publishing, register
from portal.services.common import ServiceError
from portal.views.helpers import db_int, now, survey_settings

bp = Blueprint("reports", __name__, url_prefix="/reports")
readers = roles(Role.MANAGER, Role.COMMITTEE)
manager_only = roles(Role.MANAGER)
PDF = "application/pdf"


@bp.route("/")
@readers
def index() -> str:
    return render_template("reports/index.html", cycles=report_cycles(db_session()), pct=pct)


@bp.route("/<label>")
@readers
def cycle(label: str) -> str:
    from portal.reports.sector_pdf import (
        QUESTIONS_SHOWN,  # lazily: reportlab loads on the first PDF, not at start-up
    )

    session = db_session()
    sector, version = _filters()
    report = _report(label, sector, version)
    return render_template(
        "reports/cycle.html", report=report, pct=pct, change_words=change_words,
        sectors=[s.name for s in register.sectors(session)],
        agencies=agencies_in_cycle(session, label), questions_shown=QUESTIONS_SHOWN,
        top_three=top_three_sentence(report),
        provisional=provisional_line(report), returns_sentence=returns_sentence(report),
        visits=visits_sentence(report.moderation),
        calibration=calibration_sentence(report.moderation),
        too_few_note=too_few_note(report), bands=BANDS, band=band, min_graded=MIN_GRADED,
        **_publication(label, version),
    )


def _publication(label: str, version: int | None) -> dict[str, object]:
    """The published versions of a closed cycle's report, the one shown, and what has changed
    since the latest."""
    session = db_session()
    cycle = _cycle(label)
    if cycle.status != CycleStatus.CLOSED.value:
        return {"versions": [], "unpublished": [], "shown": None}
    return {"versions": publishing.published_versions(session, cycle),
            "unpublished": published.unpublished_changes(session, cycle),
            "shown": published.shown_version(session, cycle, version)}


@bp.route("/<label>/published/<int:version>.json")
@readers
def published_json(label: str, version: int) -> Response:
    """One published version of a closed cycle's report, exactly as it was stored."""
    stored = publishing.published_version(db_session(), _cycle(label), version)
    return _attachment(stored.content.encode(), "application/json",
                       f"mesc-report-{label}-published-v{version}.json")


@bp.route("/<label>/republish", methods=["GET", "POST"])
@manager_only
def republish(label: str) -> Response | str:
    """A deliberate new version of a closed cycle's published report; the earlier ones stay."""
    session = db_session()
    cycle = _cycle(label)
    form = RepublishForm()
    if form.validate_on_submit():
        try:
            version = published.republish(session, cycle, reason=form.reason.data or "",
                                          now=now(), user_id=current_user.id,
                                          survey_settings=survey_settings())
        except ServiceError as exc:
            form.reason.errors = [str(exc)]
        else:
            flash(f"The {label} report is republished as version {version.version}. "
                  "The earlier versions are kept.", "success")
            return redirect(url_for("reports.cycle", label=label))
    return render_template("reports/republish.html", cycle=cycle, form=form,
                           changes=published.unpublished_changes(session, cycle),
                           versions=publishing.published_versions(session, cycle))


@bp.route("/<label>/report.<fmt>")
@readers
def download(label: str, fmt: str) -> Response:
    if fmt not in (*FORMATS, "pdf"):
        abort(404)
    sector, version = _filters()
    if fmt == "json" and sector is None:
        stored = _published_json(label, version)
        if stored is not None:  # a closed cycle's report is the one published, as stored
            suffix = f"-published-v{version}" if version is not None else ""
            return _attachment(stored.content.encode(), "application/json",
                               f"mesc-report-{label}{suffix}.json")
    report = _report(label, sector, version)
    if fmt == "pdf":
        from portal.reports.sector_pdf import (
            render_sector_report,  # lazily: reportlab loads on the first PDF, not at start-up
        )

        content = render_sector_report(report, partnership=current_app.config["PARTNERSHIP_NAME"])
        mimetype = PDF
    else:
        mimetype, render = FORMATS[fmt]
        content = render(report)
    shown = published.shown_version(db_session(), _cycle(label), version) if version else None
    return _attachment(content, mimetype, _filename(report, fmt, shown.version if shown else None))


@bp.route("/<label>/annual.<fmt>")
@readers
def annual(label: str, fmt: str) -> Response:
    """The annual report section for the cycle, drafted from the same data as the report."""
    if fmt not in annual_report.FORMATS:
        abort(404)
    mimetype, render = annual_report.FORMATS[fmt]
    _cycle(label)
    content = render(annual_report.annual_section(db_session(), cycle_label=label))
    return _attachment(content, mimetype, f"annual-report-section-{label}.{fmt}")


@bp.route("/<label>/agencies")
@readers
def choose_agency(label: str) -> Response:
    agency_id = request.args.get("agency", type=db_int)
    if agency_id is None:
        return redirect(url_for("reports.cycle", label=label))
    return redirect(url_for("reports.agency", label=label, agency_id=agency_id))


@bp.route("/<label>/agencies/<int:agency_id>")
@readers
def agency(label: str, agency_id: int) -> str:
    comparison = _comparison(label, agency_id)
    return render_template("reports/agency.html", comparison=comparison, label=label,
                           agency_id=agency_id, grade_label=grade_label)


@bp.route("/<label>/agencies/<int:agency_id>.csv")
@readers
def agency_csv(label: str, agency_id: int) -> Response:
    comparison = _comparison(label, agency_id)
    return _attachment(render_comparison_csv(comparison), "text/csv",
                       f"comparison-{label}-agency-{agency_id}.csv")


def _cycle(label: str) -> Cycle:
    cycle = cycles.get_cycle(db_session(), label)
    if cycle.status == CycleStatus.DRAFT.value:
        abort(404)
    return cycle


def _filters() -> tuple[str | None, int | None]:
    """The sector (?sector=) and published version (?version=) asked for, if any."""
    return (request.args.get("sector") or None, request.args.get("version", type=db_int))


def _published_json(label: str, version: int | None) -> PublishedReport | None:
    cycle = _cycle(label)
    if cycle.status != CycleStatus.CLOSED.value:
        return None
    if version is not None:
        return publishing.published_version(db_session(), cycle, version)
    return publishing.latest_published(db_session(), cycle)


def _report(label: str, sector: str | None, version: int | None = None) -> SectorReport:
    """A closed cycle's report as published (the latest version unless one is asked for);
    any other cycle's as it stands now. A draft cycle has no report."""
    return published.report_for(db_session(), _cycle(label), sector, version, now=now(),
                                survey_settings=survey_settings())


def _comparison(label: str, agency_id: int) -> AgencyComparison:
    _cycle(label)
    return agency_comparison(db_session(), cycle_label=label, agency_id=agency_id)


def _filename(report: SectorReport, fmt: str, version: int | None = None) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in (report.sector or "").lower())
    published_as = f"-published-v{version}" if version is not None else ""
    return f"mesc-report-{report.cycle}{'-' + slug if slug else ''}{published_as}.{fmt}"


def _attachment(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
