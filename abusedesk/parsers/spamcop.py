"""SpamCop reports.

The report header says where the spam came from and when:
`Email from 198.51.100.23 / Wed, 6 Mar 2024 13:58:40 +0000`; a spamvertised
site appears as `Spamvertised web site: http://...`. Everything below
`[ Offending message ]` is the reported mail, whose Received: headers are the
reporter's and SpamCop's relays: those are never offenders, so IPs are only
taken from the report lines.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .common import Events, sanitise, sender_domain, start_notice, url_event
from .extract import find_ips, find_urls, parse_when, refang, url_host
from .mime import Mail

FORMAT = "spamcop"
_EMAIL_FROM = re.compile(r"(?im)^\s*(?:email|e-mail|spam|mail) (?:from|relayed by|source)\s*:?\s*"
                         r"([0-9A-Fa-f:.]{3,60})\s*(?:/\s*(.{5,60}))?$")
_SOURCE_IP = re.compile(r"(?im)^\s*(?:reported )?source ip(?: address)?\s*:?\s*([0-9A-Fa-f:.]{3,60})")
_SPAMVERTISED = re.compile(r"(?im)^\s*spamvertised (?:web ?site|url)\s*:?\s*(\S+)")
_RESOLVED = re.compile(r"(?im)^\s*(\S{8,2048}) is ([0-9A-Fa-f:.]{3,60});")
_QUOTE = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
_SUMMARY_ROW = re.compile(r"(?m)^\s*([0-9A-Fa-f:.]{7,60})\s+[A-Z][a-z]{2}\s+\d{1,2}\b.*$")
_ID = re.compile(r"\bid:\s?(\d{3,20})")


def _wrapped_head(report: str, pos: int) -> str:
    """The start of a URL the mailer wrapped, when the resolved line at `pos`
    ("<tail> is 203.0.113.150; <date>") begins with its tail: the lines above,
    back to the one the URL starts on (a few at most)."""
    lines = report[:pos].rstrip("\n").split("\n")[-4:]
    for i in range(len(lines) - 1, -1, -1):
        at = lines[i].rfind("://")
        if at != -1:
            start = max(lines[i].rfind(" ", 0, at), lines[i].rfind("\t", 0, at)) + 1
            return "".join(line.strip() for line in [lines[i][start:]] + lines[i + 1:])
        if not lines[i].strip() or " " in lines[i].strip():
            return ""  # a blank line or a sentence: no URL runs on into the resolved line
    return ""


def _source_texts(mail: Mail) -> str:
    """The mail's own text, and a SpamCop report a provider forwarded as an
    attached message (the forwarder's body is a banner or a disclaimer)."""
    texts = [mail.body_text]
    for part in mail.parts:
        if part.message is not None and sender_domain(part.message) == "spamcop.net":
            texts.append(part.message.body_text)
    return "\n".join(texts)


def looks_like(mail: Mail) -> bool:
    if sender_domain(mail) == "spamcop.net":
        return True
    if "[ spamcop v" in mail.body_text[:4000].lower():
        return True
    # A provider forwarding SpamCop's report as an attached message, saying so in the subject.
    return "spamcop" in mail.subject.lower() and any(
        p.message is not None and sender_domain(p.message) == "spamcop.net" for p in mail.parts)


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="spam")
    notice.notifier.organisation = "SpamCop"
    ref = _ID.search(mail.subject)
    notice.notifier.reference = ref.group(1) if ref else ""
    # A SpamCop report forwarded by a person arrives quoted ("> "); the lines are the same.
    body = _QUOTE.sub("", refang(_source_texts(mail)))
    # The report is above the offending message; nothing below it is a target.
    report = re.split(r"(?im)^\s*\[\s*offending message\s*\]", body, maxsplit=1)[0]
    events = Events(notice, context)
    when = None
    for m in _EMAIL_FROM.finditer(report):
        ips = find_ips(m.group(1))
        when = parse_when(m.group(2)) if m.group(2) else when
        if ips:
            events.add(Event(category="spam", ip=ips[0].ip, observed_at=when, evidence=sanitise(m.group(0), 200),
                             source_ref=notice.notifier.reference or None))
    for m in _SOURCE_IP.finditer(report):
        ips = find_ips(m.group(1))
        if ips:
            events.add(Event(category="spam", ip=ips[0].ip, observed_at=when, evidence=sanitise(m.group(0), 200),
                             source_ref=notice.notifier.reference or None))
    # SpamCop resolves spamvertised hosts: "http://site/ is 203.0.113.150; <date>".
    resolved = {}
    by_host: dict[str, set[str]] = {}
    for m in _RESOLVED.finditer(report):
        ips = find_ips(m.group(2))
        if ips:
            target = m.group(1) if "://" in m.group(1) else _wrapped_head(report, m.start()) + m.group(1)
            resolved[target] = ips[0].ip
            for url in find_urls(target):
                by_host.setdefault(url_host(url) or "", set()).add(ips[0].ip)
    for m in _SPAMVERTISED.finditer(report):
        for url in find_urls(m.group(1)):
            event = url_event(url, "spam", observed_at=when, evidence=sanitise(m.group(0), 200),
                              extra={"spamvertised": True})
            same_host = by_host.get(url_host(url) or "", set())
            event.ip = event.ip or resolved.get(url) or (next(iter(same_host)) if len(same_host) == 1 else None)
            events.add(event)
    if not len(events):
        # The spamvertised line wrapped or cut: the resolved sites still name their hosts.
        for url, ip in resolved.items():
            for found in find_urls(url):
                event = url_event(found, "spam", observed_at=when, extra={"spamvertised": True})
                event.ip = event.ip or ip
                events.add(event)
            if not find_urls(url):
                events.add(Event(category="spam", ip=ip, observed_at=when, extra={"spamvertised": True}))
    if not len(events):
        # A summary report: one row per listed address ("198.51.100.7 Feb  6 18h/6  29 ...").
        for m in _SUMMARY_ROW.finditer(report):
            ips = find_ips(m.group(1))
            if ips:
                events.add(Event(category="spam", ip=ips[0].ip, evidence=sanitise(m.group(0), 200)))
    notice.meta = {"spamcop_id": notice.notifier.reference}
    return events.finish()
