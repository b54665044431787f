"""The fallback: mail written by a person (English, Dutch, German, French,
Spanish), forwarded reports, pasted headers, log excerpts and attachments.

What becomes an event, and what does not:
- URLs and IP addresses in the body, quoted (`> `) and forwarded text, and
  text/log attachments (re-fanged first);
- pasted or attached original mail: the host that handed it to the
  reporter (first external Received: hop), never the reporter's relays;
- not: addresses the text marks as the victim or the observer ("our
  server", "DST=", "destination", "honeypot", "sensor", "-> x"), networks
  mentioned as context ("your network 198.51.100.0/24"), the signature,
  the sender's own domain, e-mail addresses.
Bare domains become events only when no IP and no URL was found.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .classify import classify
from .common import (
    Events,
    events_from_text,
    origin_hop,
    registrable_domain,
    sanitise,
    start_notice,
    url_event,
)
from .extract import find_domains_at, find_ips, find_times, find_urls_at, refang, url_host
from .mime import Mail

FORMAT = "freetext"

_QUOTE_PREFIX = re.compile(r"(?m)^[ \t]*(?:>[ \t]?){1,20}")
_SIGNATURE = re.compile(r"(?m)^-- ?$")
_FORWARD_MARKER = re.compile(
    r"(?im)^[ \t>]*(?:-{2,}\s*(?:forwarded message|original message|doorgestuurd bericht|oorspronkelijk bericht"
    r"|weitergeleitete nachricht|ursprüngliche nachricht|message transféré|mensaje reenviado|mensaje original)"
    r"\s*-{2,}|begin forwarded message:|-{3,}\s*original message\s*-{3,})"
)
# Words right before an address that say it is not the offender.
_NOT_OFFENDER_BEFORE = re.compile(
    r"(?:\bdst\s*[=:]\s*|\bdest(?:ination)?(?:[ _-]?ip)?\s*[=:]?\s*|\btarget(?:ed)?(?:[ _-]?ip)?\s*[=:]?\s*"
    r"|\bvictim\s*[=:]?\s*|\b(?:our|my|ons|onze|mijn|unser(?:e|em)?|mein(?:e|em)?|notre|nuestro)\s+"
    r"(?:\w+\s+){0,2}(?:server|ip|host|address|adres|network|netwerk|netz|honeypot|sensor|machine|system|website)"
    r"\w*\s*(?:\([^)]{0,40}\)\s*)?[=:]?\s*|\bhoneypot\s*[=:]?\s*|\bsensor\s*[=:]?\s*|\bsinkhole\s*[=:]?\s*"
    r"|->\s*|\bto\s*(?:ip\s*)?[=:]\s*|\bdpt\s*=\s*|\bden\s+server\s+|\breporter\s*[=:]?\s*)$",
    re.IGNORECASE,
)
_CIDR_AFTER = re.compile(r"/(\d{1,3})\b")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]{1,64}@([A-Za-z0-9.-]{1,253})")
_LOG_NAMES = (".log", ".txt", ".csv", ".out")
_PHISHY_CATEGORIES = ("phishing", "malware", "fraud")


def _strip_signature(text: str) -> str:
    """Drop a `-- ` signature block up to the next forwarded message."""
    m = _SIGNATURE.search(text)
    if not m:
        return text
    fwd = _FORWARD_MARKER.search(text, m.end())
    return text[: m.start()] + (text[fwd.start():] if fwd else "")


def _pasted_received(text: str) -> list[str]:
    """Received: headers pasted into a body (possibly quoted), unfolded."""
    out: list[str] = []
    current: str | None = None
    for line in text.splitlines()[:20000]:
        if re.match(r"(?i)^received\s*:", line):
            if current is not None:
                out.append(current)
            current = line.split(":", 1)[1].strip()
        elif current is not None and line[:1] in (" ", "\t") and line.strip():
            current += " " + line.strip()
        else:
            if current is not None:
                out.append(current)
            current = None
        if len(out) >= 100:
            break
    if current is not None:
        out.append(current)
    return out


def _line_at(text: str, pos: int, reach: int = 300) -> str:
    """The line around `pos`, at most `reach` characters either side (a
    hostile one-line body must not make this quadratic)."""
    lo = max(0, pos - reach)
    start = text.rfind("\n", lo, pos) + 1 or lo
    end = text.find("\n", pos, pos + reach)
    return text[max(start, lo): end if end != -1 else min(len(text), pos + reach)]


def _ip_events(text: str, category: str, events: Events, skip: set[str], meta: dict) -> None:
    """IPs of the text that are plausibly the subject of the report."""
    found = find_ips(text)
    candidates = []
    for f in found:
        if f.ip in skip:
            continue
        before = text[max(0, f.start - 60): f.start]
        before = before.rsplit("\n", 1)[-1]
        if _NOT_OFFENDER_BEFORE.search(before):
            continue
        cidr = _CIDR_AFTER.match(text, f.end)
        if cidr:
            bits = int(cidr.group(1))
            if bits not in (32, 128):
                # A network named as context ("your network 198.51.100.0/24").
                networks = meta.setdefault("networks_mentioned", [])
                if len(networks) < 50:
                    networks.append(f"{f.ip}/{bits}")
                continue
        candidates.append(f)
    # Internal addresses are only the subject when nothing public is there.
    public = [f for f in candidates if not f.private]
    for f in public or candidates:
        line = _line_at(text, f.start)
        times = find_times(line, limit=1)
        events.add(
            Event(
                category=category,
                ip=f.ip,
                port=f.port,
                observed_at=times[0] if times else None,
                evidence=sanitise(line, 300),
            )
        )


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail)
    _, sender = mail.from_address
    sender_domain = registrable_domain(sender.rsplit("@", 1)[1]) if "@" in sender else ""

    body = mail.body_text
    logs = [
        p.text
        for p in mail.parts
        if p.message is None and p.filename and (p.content_type.startswith("text/") or
                                                 p.filename.lower().endswith(_LOG_NAMES))
    ]
    attached = [p.message for p in mail.parts if p.message is not None]
    if not body.strip() and not logs and not attached and not mail.subject:
        notice.kind = "unparseable"
        notice.errors.append("no readable text in the mail")
        return notice

    text = refang(_QUOTE_PREFIX.sub("", _strip_signature(body)))
    log_text = refang("\n".join(logs))
    sample = "\n".join([mail.subject, text, log_text[:50_000]] +
                       [m.subject + "\n" + m.body_text[:20_000] for m in attached])
    category, confidence = classify(sample)
    notice.category = category or "other"
    notice.confidence = confidence if category else 0.2
    events = Events(notice, context)
    meta: dict = {}

    # Original mails: attached (message/rfc822) or pasted Received: lines.
    relay_ips: set[str] = set()
    origins = []
    for message in attached:
        hop = origin_hop(message.header_all("received"), context)
        if hop:
            origins.append((hop, message.subject))
        for value in message.header_all("received"):
            relay_ips.update(f.ip for f in find_ips(value))
    pasted = _pasted_received(text)
    if pasted:
        hop = origin_hop(pasted, context)
        if hop:
            origins.append((hop, ""))
        for value in pasted:
            relay_ips.update(f.ip for f in find_ips(value))
    for m in re.finditer(r"(?im)^x-originating-ip\s*:\s*\[?([0-9a-f:.]{3,60})", text):
        ips = find_ips(m.group(1))
        if ips:
            events.add(Event(category=notice.category, ip=ips[0].ip, evidence=sanitise(m.group(0), 200)))
    for hop, subject in origins:
        events.add(Event(category=notice.category, ip=hop.from_ip, observed_at=hop.when,
                         evidence=sanitise(f"sent the reported mail{': ' + subject if subject else ''}", 300),
                         extra={"source": "Received"}))
    skip_ips = relay_ips - {hop.from_ip for hop, _ in origins}

    # URLs (not the sender's own), then IPs, in the body and in logs.
    skip_domains = {sender_domain} if sender_domain else set()
    all_text = text + "\n" + log_text
    for url, pos in find_urls_at(all_text):
        host = url_host(url)
        if not host or registrable_domain(host) in skip_domains:
            continue
        events.add(url_event(url, notice.category, evidence=sanitise(_line_at(all_text, pos), 300)))
    if notice.category in _PHISHY_CATEGORIES:
        for message in attached:
            events_from_text(message.body_text, notice.category, events, skip_domains=skip_domains,
                             skip_ips=relay_ips)
    url_hosts = {url_host(e.url) for e in notice.events if e.url}
    _ip_events(text, notice.category, events, skip_ips | url_hosts, meta)
    _ip_events(log_text, notice.category, events, skip_ips | url_hosts, meta)

    if not notice.events:
        emails = {m.group(1).lower() for m in _EMAIL_DOMAIN.finditer(all_text[:1_000_000])}
        for domain, pos in find_domains_at(all_text, limit=200):
            if registrable_domain(domain) in skip_domains or domain in emails:
                continue
            events.add(Event(category=notice.category, domain=domain, evidence=sanitise(_line_at(all_text, pos), 300)))
    if meta:
        notice.meta.update(meta)
    notice.meta["forwarded"] = bool(_FORWARD_MARKER.search(body)) or bool(attached)
    return events.finish()
