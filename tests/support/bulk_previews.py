"""A bulk send's preview page read back (components/bulk_preview.html), and the check that a
message which arrived at the SMTP server is the one previewed."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from bs4 import BeautifulSoup


@dataclass(frozen=True)
class Previewed:
    to: str
    subject: str
    text: str
    html: str | None
    count: int
    recipients: list[str]


def previewed(html: str) -> Previewed:
    """The message a preview page shows, its count and its recipient list."""
    soup = BeautifulSoup(html, "lxml")
    shown = soup.select_one("#bulk-message")
    assert shown is not None, "no message on the preview page"
    frame = shown.select_one('[data-part="html"]')
    count = soup.select_one("#bulk-message-count")
    assert count is not None
    return Previewed(
        to=shown.select_one('[data-part="to"]').get_text(),  # type: ignore[union-attr]
        subject=shown.select_one('[data-part="subject"]').get_text(),  # type: ignore[union-attr]
        text=shown.select_one('[data-part="text"]').get_text(),  # type: ignore[union-attr]
        html=str(frame["srcdoc"]) if frame is not None else None,
        count=int(count.get_text().split()[0]),
        recipients=[li.get_text().replace(" (shown below)", "").strip()
                    for li in soup.select("#bulk-recipients li")])


def assert_arrived_as_previewed(message: EmailMessage, preview: Previewed) -> None:
    """Subject, plain text and HTML parts equal. On the wire lines end in CRLF and MIME ends
    every text part with a line end, so the parts are compared with lines ending in LF and
    one added to the preview's when it lacks it."""
    assert message["To"] == preview.to
    assert " ".join(str(message["Subject"]).split()) == preview.subject
    plain = message.get_body(("plain",))
    assert plain is not None
    assert _lf(plain.get_content()) == _mime_text(preview.text)
    html = message.get_body(("html",))
    if preview.html is None:
        assert html is None or html.get_content_subtype() != "html"
    else:
        assert html is not None and _lf(html.get_content()) == _mime_text(preview.html)


def _mime_text(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def with_personal_links_hidden(message: EmailMessage, placeholder: str) -> EmailMessage:
    """The message with its personal links (set-password and survey tokens, made only when it
    is queued) replaced by the placeholder its preview shows."""
    return _replaced(message, r"/(set-password|survey)/[A-Za-z0-9_.\-]+",
                     lambda m: f"/{m.group(1)}/{placeholder}")


def with_request_number_hidden(message: EmailMessage, placeholder: str) -> EmailMessage:
    """The message with its request's number (given when it is stored) shown as its preview
    shows it."""
    return _replaced(message, r"/agency/requests/\d+", lambda m: f"/agency/requests/{placeholder}")


def _replaced(message: EmailMessage, pattern: str,
              replace: Callable[[re.Match[str]], str]) -> EmailMessage:
    hidden = copy.deepcopy(message)
    for part in (hidden.get_body(("plain",)), hidden.get_body(("html",))):
        if part is not None:
            subtype = part.get_content_subtype()
            part.set_content(re.sub(pattern, replace, _lf(part.get_content())), subtype=subtype)
    return hidden
