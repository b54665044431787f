"""The text of a PDF attachment: authorities send their orders and demands as PDFs (a scanned
letter has no text: nothing is read from it, and staff complete the request by hand).

A PDF is attacker-controlled like everything in a notice. pypdf is pure Python and never runs
what a PDF carries (JavaScript, forms, embedded files are not touched: only the pages' text);
its own limits cap every decompressed stream (75 MB); on top of those, only a PDF up to
MAX_PDF_BYTES is opened, only its first MAX_PAGES pages are read, and the text stops at
MAX_TEXT characters. A PDF that cannot be read gives no text and a warning, never an error.
"""

from __future__ import annotations

import io
import logging

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
MAX_TEXT = 400_000

log = logging.getLogger(__name__)


def is_pdf(content_type: str, filename: str | None, data: bytes) -> bool:
    named = content_type == "application/pdf" or (filename or "").lower().endswith(".pdf")
    return named and b"%PDF-" in data[:1024]


def text_of(data: bytes) -> tuple[str, str]:
    """(the text of the PDF's first pages, a warning or "")."""
    if len(data) > MAX_PDF_BYTES:
        return "", f"PDF of {len(data)} bytes not read (over {MAX_PDF_BYTES})"
    from pypdf import PdfReader  # imported when a PDF comes: most notices have none

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return "", "PDF is encrypted with a password: not read"
        chunks, size = [], 0
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES:
                break
            text = page.extract_text() or ""
            chunks.append(text)
            size += len(text)
            if size >= MAX_TEXT:
                break
    except Exception as exc:  # a malformed or hostile PDF: no text, the notice goes on
        log.info("PDF not readable: %s: %s", type(exc).__name__, exc)
        return "", f"PDF not readable ({type(exc).__name__})"
    return "\n\n".join(chunks)[:MAX_TEXT], ""
