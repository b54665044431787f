"""Choose the format of a notice and run its parser; never raise.

Detection order (first match wins; docs/parsers.md explains why):
1. bare files by content/name: zip and CSV → Shadowserver, JSON → X-ARF,
   XML → ACNS;
2. mail: X-ARF, ARF, a Shadowserver attachment, a DMARC aggregate report, then notifiers by
   sender/structure (mail that is no report at all: bounces, automatic
   replies, acknowledgements, newsletters; then ACNS, Cloudflare, Spamhaus, abuse.ch, SpamCop), then
   classes of notice (hotline, TCO removal order, law enforcement,
   phishing, DMCA), and free text as the fallback.

Whatever goes wrong (over a limit, malformed MIME, a bug in a parser)
becomes `kind="unparseable"` with the reason in `errors`: the notice then
goes to the staff queue instead of being lost.
"""

from __future__ import annotations

from . import (
    abusech,
    acns,
    arf,
    cloudflare,
    dmarc,
    dmca,
    fetched,
    freetext,
    hotline,
    lawenforcement,
    notreport,
    phishing,
    shadowserver,
    simple,
    spamcop,
    spamhaus,
    tco,
    xarf,
)
from .base import CATEGORIES, KIND_UNPARSEABLE, KINDS, ParseContext, ParsedNotice, ParseError
from .common import notifier_from_mail, sanitise
from .feedbase import FeedContext
from .mime import Mail, parse_mail

# Mail formats in detection order. Machine formats first (their structure
# is unambiguous), then notifiers recognised by sender/subject (their
# templates), then the generic classes of human-written notices, most
# urgent and most specific first: a hotline notice before a removal order,
# a removal order (abuse) before a law-enforcement request, a law-enforcement
# request before a phishing or copyright complaint it may quote.
NOTIFIER_FORMATS = [acns, cloudflare, spamhaus, abusech, spamcop]
CLASS_FORMATS = [hotline, tco, lawenforcement, phishing, dmca]


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


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB: not text."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    text_bytes = len(head.translate(None, _CONTROL_BYTES))
    return text_bytes < 0.85 * len(head)


def _parse(data: bytes, filename: str | None, context: ParseContext) -> ParsedNotice:
    if not data.strip():
        return _unparseable("empty input")
    if isinstance(context, FeedContext) and context.feed_format:  # a fetched feed names its format
        return fetched.parse(data, context)
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
    """Report files that are not mail: zip/gzip/CSV (Shadowserver), JSON
    (our web form and simple API notice, X-ARF), XML (ACNS)."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06") or head[:2] == b"\x1f\x8b" or name.endswith(
        (".zip", ".gz", ".csv")
    ):
        return shadowserver.parse_report(data, filename, context)
    if shadowserver.looks_like(filename, head):
        return shadowserver.parse_report(data, filename, context)
    if head[:1] in (b"{", b"[") or name.endswith(".json"):
        notice = simple.parse_json_bytes(data, context) or xarf.parse_json_bytes(data, context)
        return notice or _unparseable("JSON document that is not an X-ARF report", "json")
    if head[:5] == b"<?xml" or head[:12].lower().startswith(b"<infringement") or name.endswith(".xml"):
        notice = acns.parse_xml_bytes(data, context)
        return notice or _unparseable("XML document that is not an ACNS notice", "xml")
    return None


def _shadowserver_attachment(mail: Mail, context: ParseContext) -> ParsedNotice | None:
    """A mail that carries a Shadowserver report (CSV, zipped or gzipped):
    the report is parsed, the mail's sender kept as the notifier."""
    for part in mail.attachments():
        if part.message is not None or not part.payload:
            continue
        if not shadowserver.looks_like(part.filename, part.payload[:64 * 1024]):
            continue
        notice = shadowserver.parse_report(
            part.payload, part.filename, context, report_type=shadowserver.report_type_from_subject(mail.subject)
        )
        notice.notifier = notifier_from_mail(mail, organisation=notice.notifier.organisation, no_reply=True)
        notice.subject = sanitise(mail.subject, 998)
        notice.message_id = sanitise(mail.header("message-id"), 998)
        return notice
    return None


def parse_mail_notice(mail: Mail, context: ParseContext) -> ParsedNotice:
    """Run the first mail format that recognises this mail; free text last."""
    # X-ARF before ARF: many senders wrap their xarf.json in an ARF-shaped
    # multipart/report ("Feedback-Type: xarf"), and the X-ARF report names the type.
    if xarf.looks_like(mail):
        notice = xarf.parse(mail, context)
        # An ARF mail that merely carries an X-ARF header is read as ARF.
        if notice.events or not arf.looks_like(mail):
            return notice
    if arf.looks_like(mail):
        return arf.parse(mail, context)
    shadow = _shadowserver_attachment(mail, context)
    if shadow is not None:
        return shadow
    if dmarc.looks_like(mail):
        return dmarc.parse(mail, context)
    if notreport.looks_like(mail):
        return notreport.parse(mail, context)
    for module in NOTIFIER_FORMATS + CLASS_FORMATS:
        if module.looks_like(mail):
            return module.parse(mail, context)
    return freetext.parse(mail, context)
