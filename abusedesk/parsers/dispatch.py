"""Choose the format of a notice and run its parser; never raise.

Detection order (first match wins; docs/parsers.md explains why):
1. bare files by content/name: zip and CSV → Shadowserver, JSON → X-ARF,
   XML → ACNS;
2. mail: ARF, X-ARF, Shadowserver attachment, ACNS, then the notifier mails
   recognised by sender/subject/structure, law-enforcement requests, and
   free text as the fallback.

Whatever goes wrong (over a limit, malformed MIME, a bug in a parser)
becomes `kind="unparseable"` with the reason in `errors`: the notice then
goes to the staff queue instead of being lost.
"""

from __future__ import annotations

import re

from . import arf, freetext
from .base import CATEGORIES, KIND_UNPARSEABLE, KINDS, ParseContext, ParsedNotice, ParseError
from .mime import Mail, parse_mail

# Mail formats in detection order: specific structures before notifier
# templates, notifier templates before the generic classes of mail.
MAIL_FORMATS = [arf]


def _unparseable(reason: str, fmt: str = "unknown") -> ParsedNotice:
    return ParsedNotice(format=fmt, kind=KIND_UNPARSEABLE, errors=[reason])


def parse(data: bytes, filename: str | None = None, context: ParseContext | None = None) -> ParsedNotice:
    """Parse one notice (raw mail or a bare report file). Never raises."""
    context = context or ParseContext()
    try:
        if not isinstance(data, bytes | bytearray | memoryview):
            return _unparseable(f"input is {type(data).__name__}, not bytes")
        notice = _parse(bytes(data), filename, context)
    except ParseError as exc:
        notice = _unparseable(str(exc)[:500])
    except RecursionError:
        notice = _unparseable("malformed input: nested too deeply")
    except MemoryError:
        notice = _unparseable("input too large to parse in memory")
    except Exception as exc:  # a parser bug must never lose a notice: staff see it instead
        notice = _unparseable(f"parser failed ({type(exc).__name__}); the notice needs a human")
    return _checked(notice)


def _checked(notice: ParsedNotice) -> ParsedNotice:
    """Keep the contract even if a parser slipped: known kind and categories."""
    if notice.kind not in KINDS:
        notice.kind = KIND_UNPARSEABLE
    if notice.category is not None and notice.category not in CATEGORIES:
        notice.category = "other"
    for event in notice.events:
        if event.category not in CATEGORIES:
            event.category = notice.category or "other"
    if notice.kind == KIND_UNPARSEABLE and not notice.errors:
        notice.errors.append("not understood")
    return notice


_PRINTABLE = re.compile(rb"[\t\n\r\x20-\x7e\x80-\xff]")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    printable = len(_PRINTABLE.findall(head))
    return printable < 0.85 * len(head)


def _parse(data: bytes, filename: str | None, context: ParseContext) -> ParsedNotice:
    if not data.strip():
        return _unparseable("empty input")
    if len(data) > context.max_bytes:
        return _unparseable(f"input is {len(data)} bytes, over the limit of {context.max_bytes}")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    name = (filename or "").lower()

    bare = _parse_bare_file(data, head, name, filename, context)
    if bare is not None:
        return bare
    if _looks_binary(data):
        return _unparseable("binary data: not a mail and not a known report format")

    mail = parse_mail(data, context)
    if not mail.parts and not mail.has_headers:
        return _unparseable("no mail headers and no readable text")
    return parse_mail_notice(mail, context)


def _parse_bare_file(data, head, name, filename, context) -> ParsedNotice | None:
    """Report files that are not mail: zip/CSV (Shadowserver)."""
    if head[:4] == b"PK\x03\x04" or name.endswith(".zip"):
        return _shadowserver_archive(data, filename, context)
    shadowserver = _shadowserver()
    if shadowserver is not None:
        try:
            if shadowserver.looks_like(filename, head):
                return shadowserver.parse_report(data, filename, context)
        except ParseError:
            raise
    if name.endswith(".csv"):
        if shadowserver is None:
            return _unparseable("CSV report, but the Shadowserver parser is not installed", "shadowserver")
        return shadowserver.parse_report(data, filename, context)
    return None


def _shadowserver():
    """The feed parser lives on another branch; import it lazily so that the
    mail formats work (and are tested) without it."""
    try:
        from . import shadowserver
    except ImportError:
        return None
    return shadowserver


def _archive():
    try:
        from . import archive
    except ImportError:
        return None
    return archive


def _shadowserver_archive(data: bytes, filename: str | None, context: ParseContext) -> ParsedNotice:
    archive, shadowserver = _archive(), _shadowserver()
    if archive is None or shadowserver is None:
        return _unparseable("zip archive, but the archive/Shadowserver parsers are not installed", "shadowserver")
    members = archive.safe_unzip(data, context)
    result = None
    for member_name, member in members:
        if not shadowserver.looks_like(member_name, member[:4096]) and not member_name.lower().endswith(".csv"):
            continue
        notice = shadowserver.parse_report(member, member_name, context)
        if result is None:
            result = notice
        else:
            result.events.extend(notice.events)
            result.errors.extend(notice.errors)
            result.warnings.extend(notice.warnings)
    if result is None:
        return _unparseable("zip archive without a Shadowserver CSV report", "shadowserver")
    if len(result.events) > context.max_events:
        dropped = len(result.events) - context.max_events
        del result.events[context.max_events:]
        result.warnings.append(f"{dropped} more events not kept: the limit is {context.max_events} events")
    return result


def _shadowserver_attachment(mail: Mail, context: ParseContext) -> ParsedNotice | None:
    """A mail that carries a Shadowserver CSV (or zipped CSV) report."""
    shadowserver = _shadowserver()
    if shadowserver is None:
        return None
    for part in mail.attachments():
        if part.message is not None:
            continue
        fname = (part.filename or "").lower()
        if part.payload[:4] == b"PK\x03\x04" or fname.endswith(".zip"):
            notice = _shadowserver_archive(part.payload, part.filename, context)
            if notice.kind == KIND_UNPARSEABLE and "without a Shadowserver" in " ".join(notice.errors):
                continue
        elif shadowserver.looks_like(part.filename, part.payload[:4096]):
            notice = shadowserver.parse_report(part.payload, part.filename, context)
        else:
            continue
        from .common import notifier_from_mail, sanitise

        notice.notifier = notifier_from_mail(mail, no_reply=True)
        notice.subject = sanitise(mail.subject, 998)
        notice.message_id = sanitise(mail.header("message-id"), 998)
        return notice
    return None


def parse_mail_notice(mail: Mail, context: ParseContext) -> ParsedNotice:
    """Run the first mail format that recognises this mail; free text last."""
    for module in MAIL_FORMATS:
        if module.looks_like(mail):
            return module.parse(mail, context)
    shadow = _shadowserver_attachment(mail, context)
    if shadow is not None:
        return shadow
    return freetext.parse(mail, context)
