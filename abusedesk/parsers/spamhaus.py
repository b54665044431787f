"""Spamhaus SBL listing notices.

A notice names one SBL record (`SBL123456`) and what is listed: a single
address or a range. Only what is listed becomes an event; a /24 listing is
one event for the range (network address in `ip`, the prefix in
extra["prefix"]), never one per address. Ranges that are only mentioned
(the whois excerpt, "your network ...") are context. The record's own
links (check.spamhaus.org) are not targets.
"""

from __future__ import annotations

import ipaddress
import re

from .base import Event, ParseContext, ParsedNotice
from .common import Events, sanitise, sender_domain, start_notice
from .extract import normalise_ip, parse_when
from .mime import Mail

FORMAT = "spamhaus"
_SBL_REF = re.compile(r"\bSBL ?(\d{3,9})\b")
_CIDR = re.compile(r"(?<![\w.:])([0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:]{2,39}:[0-9A-Fa-f:.]*)(?:/(\d{1,3}))?(?![\w.:])")
_LISTED_LINE = re.compile(
    r"(?im)^.{0,200}\b(?:listed|listing|is in the sbl|added to the sbl|sbl record|ip/range|ip/cidr|range|netblock)\b.{0,300}$"
)
_RECORD_HEADER = re.compile(r"(?m)^[ \t]*(\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? (?:GMT|UTC))[ \t]*\|")
_WHOIS_LINE = re.compile(r"(?i)^\s*(?:inetnum|inet6num|route6?|netrange|cidr|net-name|netname|origin|descr)\s*:")


def looks_like(mail: Mail) -> bool:
    domain = sender_domain(mail)
    if domain in ("spamhaus.org", "spamhaus.com"):
        return True
    return bool(_SBL_REF.search(mail.subject)) and "spamhaus" in (mail.subject + mail.body_text[:5000]).lower()


def _listed(text: str) -> list[tuple[str, int | None]]:
    """(address, prefix length) of what the notice says is listed."""
    out = []
    for line in _LISTED_LINE.finditer(text):
        if _WHOIS_LINE.match(line.group(0)):
            continue
        for m in _CIDR.finditer(line.group(0)):
            ip = normalise_ip(m.group(1))
            if ip is None:
                continue
            bits = int(m.group(2)) if m.group(2) else None
            out.append((ip, bits))
    return out


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="blocklist")
    notice.notifier.organisation = "Spamhaus"
    body = mail.body_text
    ref = _SBL_REF.search(mail.subject) or _SBL_REF.search(body)
    reference = f"SBL{ref.group(1)}" if ref else ""
    notice.notifier.reference = reference
    events = Events(notice, context)
    candidates = _listed(mail.subject) + _listed(body)
    when = None
    for label in ("listed on", "date listed", "created", "listing date", "date"):
        m = re.search(rf"(?im)^\s*{label}\s*:\s*(.+)$", body)
        if m and (when := parse_when(m.group(1).strip())):
            break
    if when is None and (m := _RECORD_HEADER.search(body)):
        when = parse_when(m.group(1))  # the SBL record's own header: "<listed at> | <listed by>"
    for ip, bits in candidates:
        addr = ipaddress.ip_address(ip)
        full = 32 if addr.version == 4 else 128
        if bits is None or bits == full:
            events.add(Event(category="blocklist", ip=ip, observed_at=when, evidence=sanitise(
                f"{reference} lists {ip}", 200), source_ref=reference or None))
            continue
        try:
            network = ipaddress.ip_network(f"{ip}/{bits}", strict=False)
        except ValueError:
            continue
        events.add(Event(category="blocklist", ip=str(network.network_address), observed_at=when,
                         evidence=sanitise(f"{reference} lists {network}", 200), source_ref=reference or None,
                         extra={"prefix": str(network)}))
    reason = re.search(r"(?ims)^\s*(?:reason|listing reason|description)\s*:\s*(.+?)(?:\n\s*\n|\Z)", body)
    notice.meta = {"sbl": reference, "reason": sanitise(reason.group(1), 500) if reason else ""}
    if not reference:
        notice.warnings.append("no SBL reference found")
    return events.finish()
