"""Choose the format of a notice and run its parser; never raise.

(The parsers helper replaces this placeholder with the real detection
order: ARF, X-ARF, Shadowserver, notifier mails, law enforcement, free text.)
"""

from __future__ import annotations

from .base import KIND_UNPARSEABLE, ParseContext, ParsedNotice


def parse(data: bytes, filename: str | None = None, context: ParseContext | None = None) -> ParsedNotice:
    return ParsedNotice(format="unknown", kind=KIND_UNPARSEABLE, errors=["no parser yet"])
