"""ACNS (Automated Copyright Notice System) XML notices, namespace
http://www.acns.net/ACNS, sent by rights holders' agents for P2P sharing.

<Infringement> holds <Case><ID>, <Complainant><Entity>, <Source> with the
offender (<TimeStamp>, <IP_Address>, <Port>, <Type>) and <Content><Item>
(<TimeStamp>, <Title>, <FileName>, <Hash>, <URL_Base>). The XML arrives
inline in a mail body (surrounded by prose), as an attachment, or bare.

A transit provider that forwards a bundle of complaints (one line per ticket:
"[Ticket 101] Reporting Abuse (Exploited/Compromised) for IP address: ...",
each complaint attached) may bundle other types beside the ACNS notices: a
ticket line whose address no ACNS notice names becomes an event of its own,
with the category its type names.

It is read with forward-only searches and tag regexes, not an XML parser:
we need a handful of leaf values, and an attacker's DOCTYPE then cannot
expand entities at all.
"""

from __future__ import annotations

import html
import re

from .base import Event, NotifierInfo, ParseContext, ParsedNotice
from .common import NO_TARGET, Events, sanitise, start_notice, url_event
from .extract import find_ips, normalise_ip, parse_when
from .labels import known_label
from .mime import Mail

FORMAT = "acns"
MAX_XML = 2 * 1024 * 1024
_OPEN = re.compile(r"<(?:\w{1,20}:)?Infringement\b[^>]{0,2000}>", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:\w{1,20}:)?Infringement\s*>", re.IGNORECASE)
_TICKET_LINE = re.compile(r"(?im)^[ \t>]*\[ticket[ \t]*#?([\w-]{1,30})\][ \t]*reporting abuse[ \t]*\(([^)\n]{1,80})\)"
                          r"[ \t]*for ip address[ \t]*:[ \t]*([0-9A-Fa-f:.]{3,45})")


def _block(xml: str, tag: str) -> str:
    m = re.search(rf"<(?:\w{{1,20}}:)?{tag}\b[^>]{{0,500}}>", xml, re.IGNORECASE)
    if not m:
        return ""
    end = re.compile(rf"</(?:\w{{1,20}}:)?{tag}\s*>", re.IGNORECASE).search(xml, m.end())
    return xml[m.end(): end.start() if end else len(xml)]


def _leaf(xml: str, tag: str) -> str:
    m = re.search(rf"<(?:\w{{1,20}}:)?{tag}\b[^>/]{{0,500}}>([^<]{{0,4096}})</", xml, re.IGNORECASE)
    return html.unescape(m.group(1)).strip() if m else ""


def _attr(xml: str, tag: str, attr: str) -> str:
    m = re.search(rf"<(?:\w{{1,20}}:)?{tag}\b([^>]{{0,500}})>", xml, re.IGNORECASE)
    if not m:
        return ""
    a = re.search(rf"""\b{attr}\s*=\s*["']([^"']{{0,200}})["']""", m.group(1), re.IGNORECASE)
    return html.unescape(a.group(1)) if a else ""


def infringements(text: str) -> list[str]:
    """The <Infringement> elements in a text, as strings."""
    out = []
    pos = 0
    text = text[:MAX_XML]
    while len(out) < 1000:
        m = _OPEN.search(text, pos)
        if not m:
            break
        end = _CLOSE.search(text, m.end())
        out.append(text[m.start(): end.end() if end else len(text)])
        pos = end.end() if end else len(text)
    return out


def _texts(mail: Mail) -> list[str]:
    return [p.raw_text for p in mail.parts if p.message is None and p.is_text]


def looks_like(mail: Mail) -> bool:
    return any("<Infringement" in t[:MAX_XML] or "acns.net/ACNS" in t[:MAX_XML] for t in _texts(mail)) and any(
        infringements(t) for t in _texts(mail))


def _fill(notice: ParsedNotice, texts: list[str], context: ParseContext) -> ParsedNotice:
    events = Events(notice, context)
    cases, titles = [], []
    for text in texts:
        for xml in infringements(text):
            source = _block(xml, "Source")
            item = _block(_block(xml, "Content"), "Item")
            case_id = _leaf(_block(xml, "Case"), "ID")
            entity = _leaf(_block(xml, "Complainant"), "Entity")
            title = _leaf(item, "Title")
            when = parse_when(_leaf(source, "TimeStamp")) or parse_when(_leaf(item, "TimeStamp"))
            ips = find_ips(_leaf(source, "IP_Address"))
            port_text = _leaf(source, "Port")
            port = int(port_text) if port_text.isdigit() and 0 < int(port_text) < 65536 else None
            protocol = _attr(source, "SubType", "Protocol") or _leaf(source, "Type")
            if ips:
                events.add(Event(
                    category="copyright", ip=ips[0].ip, port=port, observed_at=when, source_ref=case_id or None,
                    evidence=sanitise(f"{entity}: {title} via {protocol} ({_leaf(item, 'FileName')})", 300),
                    extra={"hash": sanitise(_leaf(item, "Hash"), 200), "url_base": sanitise(_leaf(item, "URL_Base"), 500)},
                ))
            else:
                # A web infringement without an address (a CDN, a hosting platform): the
                # content's URL is the location.
                url = next((v for v in (_leaf(item, "URL_Base"), _leaf(item, "FileName"), _leaf(source, "URL_Base"))
                            if re.match(r"(?i)^(?:https?|ftp)://\S+$", v)), None)
                if url:
                    events.add(url_event(url, "copyright", observed_at=when, source_ref=case_id or None,
                                         evidence=sanitise(f"{entity}: {title} ({url})", 300)))
            if case_id:
                cases.append(case_id)
            if title:
                titles.append(title)
            if entity and not cases[1:]:
                # The complainant named in the notice (the mail may come from its agent).
                notice.notifier.organisation = sanitise(entity, 200)
                email = _leaf(_block(xml, "Complainant"), "Email")
                notice.notifier.email = notice.notifier.email or sanitise(email, 254).lower()
    notice.notifier.reference = sanitise(cases[0], 200) if cases else ""
    notice.meta = {"case_ids": [sanitise(c, 100) for c in cases[:100]],
                   "titles": [sanitise(t, 200) for t in titles[:20]]}
    return events.finish()


def _forwarded_tickets(notice: ParsedNotice, mail: Mail) -> None:
    """Events for the ticket lines of a forwarder's bundle whose address no ACNS
    notice of the bundle names (module docstring)."""
    known = {e.ip for e in notice.events}
    for m in _TICKET_LINE.finditer(mail.body_text[:200_000]):
        ip = normalise_ip(m.group(3).rstrip(".:"))
        if not ip or ip in known or len(notice.events) >= 1000:
            continue
        known.add(ip)
        category = next((c for c in map(known_label, re.split(r"[/,{]", m.group(2))) if c), "other")
        notice.events.append(Event(category=category, ip=ip, source_ref=sanitise(m.group(1), 100),
                                   evidence=sanitise(f"forwarded ticket {m.group(1)}: {m.group(2)}", 300)))
    if notice.events and NO_TARGET in notice.errors:
        notice.errors.remove(NO_TARGET)


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, category="copyright")
    notice = _fill(notice, _texts(mail), context)
    _forwarded_tickets(notice, mail)
    return notice


def parse_xml_bytes(data: bytes, context: ParseContext) -> ParsedNotice | None:
    """A bare ACNS XML file; None if it holds no <Infringement>."""
    text = data[:MAX_XML].decode("utf-8", "replace")
    if not infringements(text):
        return None
    notice = ParsedNotice(format=FORMAT, category="copyright", notifier=NotifierInfo())
    return _fill(notice, [text], context)
