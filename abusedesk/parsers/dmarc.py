"""DMARC aggregate reports (RFC 7489 appendix C): XML, usually zipped or
gzipped, attached to a mail whose subject says "Report Domain: ...".

Each `<record>` names a `source_ip` that sent mail in the reported domain's
name, and whether that mail passed DMARC (`policy_evaluated`: DKIM or SPF
aligned and passing). A source that passes is a server the domain owner
authorised, so no offender; a source that fails both sent mail in a name
not its own (spoofing, usually spam or phishing), and becomes an event
with the number of messages and the report's period as evidence.

A report in which every source passed reports no abuse at all: it is the
routine daily statement that the domain's own servers sent its mail. It
gets `kind="not_report"` (stored, shown in the staff queue of mail that is
no report, never a case and never answered), with that reason.

The XML is read with bounded regular expressions, never with an XML
parser (no entities, no external references: the input is hostile), and
the archives within the limits of archive.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from . import archive
from .base import KIND_NOT_REPORT, Event, ParseContext, ParsedNotice, ParseError
from .common import Events, sanitise, start_notice
from .extract import normalise_ip
from .mime import Mail

FORMAT = "dmarc"
ALL_PASSED = "DMARC aggregate report in which every source passed DMARC (no offender)"

_NAME = re.compile(r"(?i)!\d{9,11}!\d{9,11}(?:![^.]{0,64})?\.(?:xml|zip|gz|xml\.gz)$")
_RECORD = re.compile(r"<record>(.{0,20000}?)</record>", re.S)
_POLICY = re.compile(r"<policy_evaluated>(.{0,2000}?)</policy_evaluated>", re.S)


def _tag(name: str, text: str) -> str:
    m = re.search(rf"<{name}>\s*([^<]{{0,300}}?)\s*</{name}>", text)
    return m.group(1).strip() if m else ""


def _reports(mail: Mail, context: ParseContext) -> list[tuple[str, str]]:
    """(name, XML text) of the DMARC aggregate reports attached to the mail."""
    out = []
    for part in mail.attachments():
        if part.message is not None or not part.payload:
            continue
        name = part.filename or ""
        if not (_NAME.search(name) or part.content_type in ("application/zip", "application/gzip",
                                                            "application/x-gzip", "text/xml", "application/xml")):
            continue
        try:
            members = archive.unpack(part.payload, name, context)
        except ParseError:
            continue
        for member, content in members:
            text = content[:context.max_bytes].decode("utf-8", "replace")
            if "<feedback" in text[:4096] and "<record>" in text:
                out.append((member, text))
    return out


def looks_like(mail: Mail) -> bool:
    if not any(_NAME.search(p.filename or "") for p in mail.attachments()) and \
            "report domain:" not in mail.subject.lower():
        return False
    return bool(_reports(mail, ParseContext()))


def _when(epoch: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="spam")
    notice.notifier.no_reply = True
    events = Events(notice, context)
    passed = failed = 0
    for name, text in _reports(mail, context):
        domain = _tag("domain", text.split("</policy_published>", 1)[0])
        org = _tag("org_name", text)
        end = _when(_tag("end", text))
        notice.notifier.organisation = notice.notifier.organisation or sanitise(org, 200)
        notice.notifier.reference = notice.notifier.reference or sanitise(_tag("report_id", text), 200)
        for m in _RECORD.finditer(text):
            record = m.group(1)
            policy = _POLICY.search(record)
            evaluated = policy.group(1) if policy else ""
            ip = normalise_ip(_tag("source_ip", record))
            if ip is None:
                continue
            if _tag("dkim", evaluated).lower() == "pass" or _tag("spf", evaluated).lower() == "pass":
                passed += 1  # authorised by the domain's owner: not an offender
                continue
            failed += 1
            count = _tag("count", record) or "?"
            events.add(Event(category="spam", ip=ip, observed_at=end, evidence=sanitise(
                f"DMARC aggregate report {name}: {count} message(s) in the name of {domain} failed DMARC "
                f"(header_from {_tag('header_from', record)})", 300)))
    notice.meta["dmarc"] = {"records_passed": passed, "records_failed": failed}
    if passed and not failed:
        notice.kind = KIND_NOT_REPORT
        notice.category = None
        notice.meta["not_report"] = ALL_PASSED
        return notice
    return events.finish()
