"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations and cancellations: a pure event -> bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icalendar

PRODID = "-//Compact Audit Portal//Moderation visits//EN"


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    contact_id: int | None = None


@dataclass(frozen=True)
class CalendarEvent:
    """One visit as a calendar event; times are naive UTC."""

    uid: str
    sequence: int
    method: str  # REQUEST or CANCEL
    stamp: datetime
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    place: str
    organiser: Attendee
    attendees: list[Attendee] = field(default_factory=list)


def _address(person: Attendee, **params: str) -> icalendar.vCalAddress:
    import icalendar  # lazily: 20 ms of every start, for the few processes that send invitations

    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = person.name or person.email
    for key, value in params.items():
        address.params[key] = value
    return address


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def visit_calendar(event: CalendarEvent) -> bytes:
    """The .ics file for an event: METHOD, one VEVENT with UID, SEQUENCE and attendees."""
    import icalendar  # lazily, as above

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", event.method)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", _utc(event.stamp))
    vevent.add("dtstart", _utc(event.starts_at))
    vevent.add("dtend", _utc(event.ends_at))
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    vevent.add("location", event.place)
    vevent.add("status", "CANCELLED" if event.method == "CANCEL" else "CONFIRMED")
    vevent.add("organizer", _address(event.organiser))
    seen: set[str] = set()
    for person in event.attendees:
        if person.email.lower() in seen:
            continue
        seen.add(person.email.lower())
        vevent.add("attendee", _address(person, role="REQ-PARTICIPANT",
                                        partstat="NEEDS-ACTION", rsvp="TRUE"))
    calendar.add_component(vevent)
    return bytes(calendar.to_ical())
