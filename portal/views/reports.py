"""MESC reports: a page per cycle, downloads, and one agency beside its previous return."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from portal.auth import reauthenticated
from portal.db import db_session
from portal.downloads import attachment
from portal.models import Role
from portal.problems import show_problems
from portal.reports import annual as annual_report
from portal.reports.agency_comparison import render_comparison_csv
from portal.reports.formats import render_download
from portal.reports.shading import BANDS, band
from portal.reports.wording import page_words, pct
from portal.services import register, reporting
from portal.services.common import NotFound, ServiceError
from portal.services.reporting import AgencyComparison, SectorReport, grade_label
from portal.views.helpers import db_int, now, survey_settings

bp = Blueprint("reports", __name__, url_prefix="/reports")
readers = roles(Role.MANAGER, Role.COMMITTEE)
manager_only = roles(Role.MANAGER)


@bp.route("/")
@readers
def index() -> str:
    return render_template("reports/index.html", cycles=reporting.report_cycles(db_session()), pct=pct)


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
        "reports/cycle.html", report=report,
        sectors=[s.name for s in register.sectors(session)],
        agencies=reporting.agencies_in_cycle(session, label), questions_shown=QUESTIONS_SHOWN,
        bands=BANDS, band=band, **page_words(report), **_publication(label, version),
    )


def _publication(label: str, version: int | None, *, recount: bool = False) -> dict[str, object]:
    """A closed cycle's published versions, the one shown, and what changed since the latest."""
    found = reporting.publication(db_session(), label, version, recount=recount)
    return {"versions": found.versions, "unpublished": found.unpublished, "shown": found.shown}


@bp.route("/<label>/published/<int:version>.json")
@readers
def published_json(label: str, version: int) -> Response:
    """One published version of a closed cycle's report, exactly as it was stored."""
    stored = reporting.stored_version(db_session(), label, version)
    return attachment(stored.content, "application/json", "mesc-report", label,
                      f"published-v{version}", extension="json")


@bp.route("/<label>/republish", methods=["GET", "POST"])
@manager_only
@reauthenticated
def republish(label: str) -> Response | str:
    """A deliberate new version of a closed cycle's published report; the earlier ones stay."""
    session = db_session()
    cycle = reporting.report_cycle(session, label)
    form = RepublishForm()
    if form.validate_on_submit():
        try:
            version = reporting.republish(session, cycle, reason=form.reason.data or "",
                                          now=now(), user_id=current_user.id,
                                          survey_settings=survey_settings())
        except ServiceError as exc:
            show_problems(form, exc, default="reason")
        else:
            flash(f"The {label} report is republished as version {version.version}. "
                  "The earlier versions are kept.", "success")
            return redirect(url_for("reports.cycle", label=label))
    return render_template("reports/republish.html", cycle=cycle, form=form,
                           **_publication(label, None, recount=True))


@bp.route("/<label>/report.<fmt>")
@readers
def download(label: str, fmt: str) -> Response:
    """The report in one format: a closed cycle's as published (?version=, or the latest)."""
    sector, version = _filters()
    found = reporting.report_download(db_session(), label, fmt, sector=sector, version=version,
                                      now=now(), survey_settings=survey_settings())
    rendered = render_download(found, fmt, partnership=current_app.config["PARTNERSHIP_NAME"])
    published_as = f"published-v{found.version}" if found.version is not None else None
    return attachment(rendered.content, rendered.content_type, "mesc-report", label,
                      found.report.sector, published_as, extension=rendered.extension)


@bp.route("/<label>/annual.<fmt>")
@readers
def annual(label: str, fmt: str) -> Response:
    """The annual report section for the cycle, drafted from the same data as the report."""
    if fmt not in annual_report.FORMATS:
        raise NotFound(f"There is no {fmt} version of the annual report section")
    mimetype, render = annual_report.FORMATS[fmt]
    content = render(reporting.annual_section(db_session(), cycle_label=label, now=now(),
                                              survey_settings=survey_settings()))
    return attachment(content, mimetype, "annual-report-section", label, extension=fmt)


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
    return attachment(render_comparison_csv(comparison), "text/csv", "comparison", label,
                      "agency", agency_id, extension="csv")


def _filters() -> tuple[str | None, int | None]:
    """The sector (?sector=) and published version (?version=) asked for, if any."""
    return (request.args.get("sector") or None, request.args.get("version", type=db_int))


def _report(label: str, sector: str | None, version: int | None = None) -> SectorReport:
    """A closed cycle's report as published (the latest version unless one is asked for);
    any other cycle's as it stands now. A draft cycle has no report."""
    return reporting.cycle_report(db_session(), label, sector, version, now=now(),
                                  survey_settings=survey_settings())


def _comparison(label: str, agency_id: int) -> AgencyComparison:
    return reporting.agency_comparison(db_session(), cycle_label=label, agency_id=agency_id)
