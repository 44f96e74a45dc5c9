"""Reading a PDF back: its text as poppler's pdftotext gives it, and the fonts its pages use."""

from __future__ import annotations

import io
import shutil
import subprocess  # nosec B404: pdftotext, on a PDF the test made

from pypdf import PdfReader


def poppler_text(content: bytes) -> str:
    """The PDF's text by `pdftotext` (poppler-utils, which scripts/setup.sh --test installs)."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils (scripts/setup.sh --test)"
    return subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode("utf-8")  # nosec B603


def fonts(content: bytes) -> set[str]:
    """The base names of every font the PDF's pages use, subset tags removed."""
    found: set[str] = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return found


def embedded_fonts_only(content: bytes) -> bool:
    """Every font is the portal's embedded DejaVu Sans: none of reportlab's standard fonts,
    which hold only Latin-1-like letters."""
    return bool(fonts(content)) and all(f.startswith("DejaVuSans") for f in fonts(content))
