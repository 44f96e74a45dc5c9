"""The visit pack at the edge: rendered for a download or for the invitation's attachment."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.db import db_session
from portal.downloads import PDF, attachment
from portal.models import Visit
from portal.services.reporting import visit_pack
from portal.views.helpers import link_settings


def pack_renderer(session: Session) -> Callable[[Visit], bytes]:
    # lazily: reportlab loads on the first pack, not at start-up
    from portal.reports.visit_pack import render_visit_pack

    partnership = link_settings().partnership
    return lambda visit: render_visit_pack(visit_pack(session, visit), partnership=partnership)


def pack_download(visit: Visit) -> Response:
    return attachment(pack_renderer(db_session())(visit), PDF, "visit-pack",
                      visit.return_.agency.name, extension="pdf")
