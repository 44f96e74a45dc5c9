"""The service navigation each role sees."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

NAVIGATION: dict[str, list[tuple[str, str]]] = {
    "agency": [("Your returns", "agency.home"), ("Information requests", "agency_requests.index")],
    "manager": [
        ("Home", "manager.home"),
        ("Agencies", "manager.agencies"),
        ("Cycles", "cycles.index"),
        ("Returns", "manager_returns.index"),
        ("Chasers", "chasers.index"),
        ("Moderation", "moderation_admin.index"),
        ("Reports", "reports.index"),
        ("Survey", "survey_results.index"),
        ("Recommendations", "recommendations.index"),
        ("Requests", "requests.index"),
        ("Users", "manager.users"),
    ],
    "moderator": [("Your visits", "moderation.home")],
    "committee": [
        ("Home", "committee.home"),
        ("Cycles", "cycles.index"),
        ("Reports", "reports.index"),
        ("Survey", "survey_results.index"),
        ("Recommendations", "recommendations.index"),
        ("Requests", "requests.index"),
    ],
}


def navigation_for(user: Any) -> list[dict[str, Any]]:
    """GOV.UK service navigation items for a user, marking the current section."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    for text, endpoint in NAVIGATION.get(user.role, []):
        href = url_for(endpoint)
        active = request.path == href or (
            href.rstrip("/").count("/") > 1 and request.path.startswith(href)
        )
        items.append({"text": text, "href": href, "active": active})
    items.append({"text": "Sign out", "href": url_for("auth.sign_out")})
    return items
