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

from . import archive
from .base import Event, ParseContext, ParsedNotice, ParseError
from .beside import pair_hosting
from .classify import classify
from .common import (
    Events,
    date_undated,
    events_from_text,
    not_offender_before,
    origin_hop,
    registrable_domain,
    reporter_domains,
    sanitise,
    start_notice,
    url_event,
    warn_once,
)
from .extract import find_domains_at, find_ips, find_urls_at, normalise_ip, refang, url_host
from .labels import declared_category
from .mime import Mail
from .roles import (
    context_ips,
    context_mask,
    context_url,
    labelled_not_offenders,
    same_list,
    stated_ips,
    url_context,
    url_label,
)
from .times import (
    NO_FRAME,
    Frame,
    block_time,
    frame_of,
    has_time_column,
    row_time_noted,
    unzoned_warning,
    vertical_time,
)

FORMAT = "freetext"

_QUOTE_PREFIX = re.compile(r"(?m)^[ \t]*(?:>[ \t]?){1,20}")
_SIGNATURE = re.compile(r"(?m)^-- ?$")
_FORWARD_MARKER = re.compile(
    r"(?im)^[ \t>]*(?:-{2,}\s*(?:forwarded message|original message|doorgestuurd bericht|oorspronkelijk bericht"
    r"|weitergeleitete nachricht|ursprüngliche nachricht|message transféré|mensaje reenviado|mensaje original)"
    r"\s*-{2,}|begin forwarded message:|-{3,}\s*original message\s*-{3,})"
)
_RECEIVED_CONTINUATION = re.compile(r"(?i)^(?:by|with|for|id|via)\s|^;|^\([^()\s]{1,255}\)\s+(?:by|with)\s")
# A line cut after a keyword that needs its value ("... (203.0.113.5) by"): the next line goes on.
_OPEN_CLAUSE = re.compile(r"(?i)\s(?:from|by|with|via|for|id)$")
_CIDR_AFTER = re.compile(r"/(\d{1,3})\b")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]{1,64}@([A-Za-z0-9.-]{1,253})")
_LOG_NAMES = (".log", ".txt", ".csv", ".out")
_PHISHY_CATEGORIES = ("phishing", "malware", "fraud")
# Notices about network activity: a mail attached to one is an earlier notice or the
# sender's table of sightings, not the offending mail, so its Received chain names
# the reporter's own mail path, and its body names the offenders.
_NETWORK_CATEGORIES = ("botnet", "ddos", "scanning", "brute_force", "vulnerable_service")
MAX_LOG_TEXT = 10 * 1024 * 1024  # characters read of one archived log
_SPREADSHEET_XML = re.compile(r"^xl/(?:sharedstrings|worksheets/sheet\d{1,3})\.xml$")
_XML_TAG = re.compile(r"<[^<>]{0,2000}>")


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
        elif current is not None and line.strip() and (
            line[:1] in (" ", "\t") or _RECEIVED_CONTINUATION.match(line)
            or _OPEN_CLAUSE.search(current[-12:])
        ):
            # Quote stripping eats the fold's indentation: "by", "with", "for"
            # and "id" lines still continue the header.
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


# The first line of a pasted mail or header block: the sender's own words end above it.
_PASTED_START = re.compile(r"(?im)^[ \t]*(?:received|return-path|delivered-to|x-[\w-]+|from|to|subject|date"
                           r"|message-id)[ \t]*:")


# A piece of a pasted authentication header without its key ("spf=none (mx: 192.0.2.1 is neither ...").
_AUTH_FRAGMENT = re.compile(r"(?im)^.*(?:\b(?:spf|dkim|dmarc|arc|iprev)=\w|\bdesignates\b|\bpermitted\b).*$")


def _stated_relays(text: str, subject: str, relay_ips: set[str]) -> set[str]:
    """Hops of the attached or pasted chain that the sender names in its own
    words (the subject, the text above the pasted mail) as the source: the
    sender read its own chain, which outranks the hop our walk would pick."""
    if not relay_ips:
        return set()
    m = _PASTED_START.search(text, 0, 200_000)
    own = _AUTH_FRAGMENT.sub("", text[: m.start() if m else 200_000])
    return {ip for ip in stated_ips(subject + "\n" + own) if ip in relay_ips}


def _line_at(text: str, pos: int, reach: int = 300) -> str:
    """The line around `pos`, at most `reach` characters either side (a
    hostile one-line body must not make this quadratic)."""
    lo = max(0, pos - reach)
    start = text.rfind("\n", lo, pos) + 1 or lo
    end = text.find("\n", pos, pos + reach)
    return text[max(start, lo): end if end != -1 else min(len(text), pos + reach)]


_QUOTED_LINE = re.compile(r"(?m)^[ \t]*>.*$")


def _drop_quoted_only(text: str, notice: ParsedNotice, elsewhere: str = "") -> None:
    """A reply's own words name the offender ("still attacks from 203.0.113.9"):
    the addresses only its quoted part ("> 198.51.100.61 has been cleaned")
    names are the earlier conversation, not this report. Without an address
    in its own words, the quoted report is what the sender points at, and stays."""
    if ">" not in text:
        return
    quoted = "\n".join(m.group(0) for m in _QUOTED_LINE.finditer(text))
    if not quoted:
        return
    own = {f.ip for f in find_ips(_QUOTED_LINE.sub("", text) + "\n" + elsewhere)}
    if not any(e.ip in own for e in notice.events if e.ip and not e.url):
        return
    quoted_only = {f.ip for f in find_ips(quoted)} - own
    if quoted_only:
        notice.events[:] = [e for e in notice.events if e.url or e.ip not in quoted_only]


def _ip_events(text: str, category: str, events: Events, skip: set[str], meta: dict,
               frame: Frame = NO_FRAME) -> None:
    """IPs of the text that are plausibly the subject of the report, each with
    the time of the row it stands on, read in `frame` (times.Frame)."""
    found = find_ips(text)
    context = context_ips(text, found)
    victim_end = None
    candidates = []
    seen: set[tuple] = set()
    times: dict[str, object] = {}
    unzoned: dict[str, str] = {}
    tries: dict[str, int] = {}
    vertical = None
    for f in found:
        if f.ip in skip:
            continue
        # A log names the same address on many lines; the first with a
        # readable time gives observed_at (a few lines looked at, no more).
        if f.ip not in times and tries.get(f.ip, 0) < 20:
            tries[f.ip] = tries.get(f.ip, 0) + 1
            when, note = row_time_noted(text, f.start, frame)
            if not when and tries[f.ip] <= 3:
                when, note = _block_time(text, f, found, frame, context)
                if not when and vertical is None:
                    vertical = has_time_column(text)  # once: most notices have no such table
                if not when and vertical:
                    when, note = vertical_time(text, f.start, frame)
            if when:
                times[f.ip] = when
                if note:
                    unzoned[f.ip] = note
        if (f.ip, f.port) in seen:
            continue
        seen.add((f.ip, f.port))
        if f.start in context:
            continue
        if not_offender_before(text, f.start, f.end) or (victim_end is not None and same_list(text, victim_end, f.start)):
            victim_end = f.end  # the next items of a list so labelled are victims too
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
    # An address the text disowns elsewhere ("192.0.2.60 is our server") is none here either.
    labelled = labelled_not_offenders(text, found, {f.ip for f in candidates},
                                      frozenset(f.start for f in candidates)) if candidates else set()
    candidates = [f for f in candidates if f.ip not in labelled]
    # An access log that anonymises its clients writes them with the last octet zeroed ("143.198.50.0 -
    # - [...] \"GET / ...\""); the notice names the client in full elsewhere: the zeroed form is that
    # client, not another host. Only when every line naming it is such a log line (a list of a
    # network's hosts may well hold its .0).
    full = {f.ip.rsplit(".", 1)[0] for f in candidates if "." in f.ip and not f.ip.endswith(".0")}
    zeroed = {f.ip for f in candidates if f.ip.endswith(".0") and ":" not in f.ip and f.ip.rsplit(".", 1)[0] in full}
    if zeroed:
        zeroed -= {f.ip for f in found if f.ip in zeroed and not _ANONYMISED_ROW.match(text, f.end)}
        candidates = [f for f in candidates if f.ip not in zeroed]
    # Internal addresses are only the subject when nothing public is there.
    public = [f for f in candidates if not f.private]
    for f in public or candidates:
        events.add(
            Event(
                category=category,
                ip=f.ip,
                port=f.port,
                observed_at=times.get(f.ip),
                evidence=sanitise(_line_at(text, f.start), 300),
                extra={"time_zone": unzoned[f.ip]} if f.ip in unzoned else {},
            )
        )
    for note in {unzoned[f.ip] for f in public or candidates if f.ip in unzoned}:
        warn_once(events.notice, unzoned_warning(note))


_ANONYMISED_ROW = re.compile(r" - \S{1,64} \[[^\]\n]{6,40}\] \"")


def _block_time(text: str, f, found: list, frame: Frame, context: set[int] = frozenset()):
    """The time of a labelled block ("IP: x", "Time: ...") that names `f` and no other
    address but the victim's ("Target: 192.0.2.1", "Server IP: ...")."""
    when, note, start, end = block_time(text, f.start, frame)
    if when and any(g.ip != f.ip and g.start not in context and not not_offender_before(text, g.start, g.end)
                    for g in found if start <= g.start < end):
        return None, ""
    return when, note


def _row_peers(text: str) -> set[str]:
    """Addresses that the text names only as the far end of log rows."""
    found = find_ips(text)
    context = context_ips(text, found)
    return {f.ip for f in found if f.start in context} - {f.ip for f in found if f.start not in context}


# A salutation naming the recipient by its domain ("Dear provider.example,", "Sehr geehrte(r) x").
_GREETING = re.compile(r"(?i)(?:\bdear|\bhello|\bhi|\battn\.?:?|\bgeachte|\bgeehrte\(?r?\)?|\bbonjour)\s*$")


_DESK_MAILBOX = re.compile(r"(?i)\b(?:abuse|security|noc|cert|csirt|soc|dmca|copyright|legal|support|"
                           r"postmaster|hostmaster|admin)[\w.+-]*@")


def _to_abuse_desk(mail: Mail) -> bool:
    """Is the mail addressed to an abuse desk (or has no recipient line)?"""
    to = " ".join(mail.header_all("to") + mail.header_all("cc"))
    return not to.strip() or bool(_DESK_MAILBOX.search(to)) or "undisclosed" in to.lower()


_FOR_RECIPIENT = re.compile(r"(?i)\bfor\s+<([^<>\s]{3,254})>")


def _delivery_hop(received: list[str], mail: Mail) -> int:
    """Index of the topmost Received: line that delivered the mail to its own
    recipient ("for <trap@...>"): the hops above it are the forwarding of the
    trap's catch to the abuse desk, not the way the spam came; 0 if none says so."""
    to = " ".join(mail.header_all("to")).lower()
    for i, value in enumerate(received[:100]):
        m = _FOR_RECIPIENT.search(value)
        if m and m.group(1).lower() in to:
            return i
    return 0


_ADDRESS_DOMAIN = re.compile(r"@([A-Za-z0-9.-]{1,253})")


def _trap_domains(mail: Mail) -> set[str]:
    """Registrable domains of the mailboxes a caught mail was addressed to: the trap's
    own mail servers (its MX, which then forwarded the catch) are named in them."""
    to = " ".join(mail.header_all("to"))[:2000]
    return {registrable_domain(m.group(1).lower().rstrip(".")) for m in _ADDRESS_DOMAIN.finditer(to)} - {""}


def _archived_texts(part, context: ParseContext) -> list[str]:
    """Text members (CSV, logs, JSON) of a zipped or gzipped attachment,
    unpacked within the archive limits; nothing if it is over them."""
    if not part.payload or not (archive.is_zip(part.payload) or archive.is_gzip(part.payload)):
        return []
    try:
        members = archive.unpack(part.payload, part.filename, context)
    except ParseError:
        return []
    texts = []
    for name, content in members:
        lowered = name.lower()
        if lowered.endswith(_LOG_NAMES + (".json",)) and b"\x00" not in content[:4096]:
            texts.append(content[:MAX_LOG_TEXT].decode("utf-8", "replace"))
        elif _SPREADSHEET_XML.search(lowered):
            # An .xlsx is a zip: its cells are in these XML files (other Office
            # XML is schema names and version numbers, not evidence).
            texts.append(_XML_TAG.sub(" ", content[:MAX_LOG_TEXT].decode("utf-8", "replace")))
    return texts


def readable_texts(mail: Mail, context: ParseContext | None = None) -> tuple[str, str, list[Mail]]:
    """(body without signature and quote markers, text/log/JSON attachments
    and the text files in zipped or gzipped ones, attached messages), re-fanged."""
    context = context or ParseContext()
    logs = []
    for p in mail.parts:
        if p.message is not None or not p.filename:
            continue
        if p.content_type.startswith("text/") or p.content_type == "application/json" or \
                p.filename.lower().endswith(_LOG_NAMES + (".json",)):
            logs.append(p.text)
        else:
            logs.extend(_archived_texts(p, context))
    attached = [p.message for p in mail.parts if p.message is not None]
    text = refang(_QUOTE_PREFIX.sub("", _strip_signature(mail.body_text)))
    return text, refang("\n".join(logs)), attached


def collect_targets(mail: Mail, notice: ParsedNotice, events: Events, context: ParseContext,
                    skip_domains: set[str] = frozenset(), with_domains: bool = True,
                    texts: tuple[str, str, list[Mail]] | None = None) -> None:
    """Add the offenders a human-written mail names to `events` (see the
    module docstring for what counts). Used by the free-text parser and by
    parsers of other human-written notices (law enforcement, DMCA)."""
    text, log_text, attached = texts or readable_texts(mail, context)
    skip_domains = set(skip_domains) | reporter_domains(mail)
    category = notice.category or "other"

    # Original mails: attached (message/rfc822) or pasted Received: lines.
    relay_ips: set[str] = set()
    origins = []
    for message in attached:
        # The reporter's own mail servers received the attached mail: hops named in its
        # domain are its relays (a forwarding spam trap), the origin is the hop before them.
        hop = origin_hop(message.header_all("received"), context, reporter_domains(mail))
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
        if ips and ips[0].ip in relay_ips and ips[0].ip not in {hop.from_ip for hop, _ in origins}:
            # A server of the sender's own chain (its webmail host, below the hop that
            # handed the mail over), not the client: the origin hop names that provider.
            continue
        if ips:
            events.add(Event(category=category, ip=ips[0].ip, evidence=sanitise(m.group(0), 200)))
    stated = _stated_relays(text, refang(mail.subject), relay_ips)
    if stated:
        origins = [(hop, subject) for hop, subject in origins if hop.from_ip in stated]
    attached_notices = category in _NETWORK_CATEGORIES and bool(attached)
    deferred = []
    for hop, subject in origins:
        event = Event(category=category, ip=hop.from_ip, observed_at=hop.when,
                      evidence=sanitise(f"sent the reported mail{': ' + subject if subject else ''}", 300),
                      extra={"source": "Received"})
        if attached_notices:
            deferred.append(event)  # only if nothing else names an offender (below)
        else:
            events.add(event)
    skip_ips = relay_ips - ({hop.from_ip for hop, _ in origins} if not attached_notices else set()) - stated

    # URLs (not the sender's own), then IPs, in the body and in logs; whois
    # output, pasted headers and the destination side of log rows are context.
    text, log_text = context_mask(text), context_mask(log_text)
    all_text = text + "\n" + log_text
    # Times without a zone are in the zone the text states ("All times are in US Central"),
    # in its own rows and in the logs attached to it.
    frame = frame_of(text, mail.header("date"))
    peers = None
    for url, pos in find_urls_at(all_text):
        host = url_host(url)
        if not host or registrable_domain(host) in skip_domains or context_url(host, url_label(all_text, pos), url_context(all_text, pos)):
            continue
        if normalise_ip(host):
            # A linked address is still the far end of its log row ("a:p <http://b>:p").
            peers = _row_peers(all_text) if peers is None else peers
            if normalise_ip(host) in peers:
                continue
        # A URL on a row with a time (a log, a table of sightings) gets that row's time.
        when, note = row_time_noted(all_text, pos, frame)
        if events.add(url_event(url, category, evidence=sanitise(_line_at(all_text, pos), 300), observed_at=when,
                                extra={"time_zone": note} if when and note else {})) and when and note:
            warn_once(notice, unzoned_warning(note))
    if category in _PHISHY_CATEGORIES:
        for message in attached:
            events_from_text(message.body_text, category, events, skip_domains=skip_domains, skip_ips=relay_ips)
    url_hosts = {url_host(e.url) for e in notice.events if e.url}
    _ip_events(text, category, events, skip_ips | url_hosts, notice.meta, frame)
    _ip_events(log_text, category, events, skip_ips | url_hosts, notice.meta, frame)
    # The mail as written (readable_texts took the quote marks off).
    _drop_quoted_only(refang(mail.body_text), notice, log_text)
    if attached_notices and not any(e.ip for e in notice.events):
        # The notice's own text names no address: the attached notice or table does.
        for message in attached:
            _ip_events(context_mask(refang(message.body_text)), category, events, skip_ips | url_hosts,
                       notice.meta, frame)
        if not any(e.ip for e in notice.events):
            for event in deferred:
                events.add(event)

    if not any(e.ip for e in notice.events) and mail.subject:
        # The body names no address (a table in an image, a link to a portal, only the
        # URL): the subject is the sender's headline ("Phishing on 198.51.100.7").
        subject = refang(mail.subject)
        _ip_events(subject, category, events, skip_ips | url_hosts, notice.meta, frame)
        if not notice.events:
            for url, _ in find_urls_at(subject):
                events.add(url_event(url, category, evidence=sanitise(subject, 300)))

    if with_domains and not notice.events:
        emails = {m.group(1).lower() for m in _EMAIL_DOMAIN.finditer(all_text[:1_000_000])}
        for domain, pos in find_domains_at(all_text, limit=200):
            if registrable_domain(domain) in skip_domains or domain in emails:
                continue
            if re.search(r"(?i)(?:https?|ftps?)://$", all_text[max(0, pos - 8):pos]):
                continue  # the host of a link the roles above judged context (no link became an event)
            label = url_label(all_text, pos)
            if _GREETING.search(label[-40:]) or context_url(domain, label, url_context(all_text, pos)):
                continue  # "Dear provider.example,", "(official website: brand.example)"
            events.add(Event(category=category, domain=domain, evidence=sanitise(_line_at(all_text, pos), 300)))

    # The hosting address stated beside a reported URL belongs to the URL's event.
    pair_hosting(all_text, notice)

    if not any(e.ip for e in notice.events) and not attached and not _to_abuse_desk(mail):
        # Mail addressed to somebody else that reached the abuse desk as it was (a spam
        # trap forwarding what it caught): the mail is the complaint, its own Received
        # chain names the sender.
        received = mail.header_all("received")
        hop = origin_hop(received[_delivery_hop(received, mail):], context, _trap_domains(mail))
        if hop:
            events.add(Event(category=category, ip=hop.from_ip, observed_at=hop.when,
                             evidence="sent this mail to a spam trap", extra={"source": "Received"}))
    notice.meta["forwarded"] = bool(_FORWARD_MARKER.search(mail.body_text)) or bool(attached)


_FRAUD_WORD = re.compile(r"(?i)fraud|scam|betrug|oplichting|estafa|arnaque|escroquerie")


def _scam_mail_is_spam(notice: ParsedNotice, subject: str) -> None:
    """A forwarded scam mail ("2.8 million donation for you", "confirm your purchase") whose
    sending host is the offender: the words counted were the scam's, the complaint is that the
    host sent it, which is spam (as "Scam e-mail report" is, labels.py). The hosts that sent it
    become spam; links in it keep the category the words gave. A sender whose subject calls
    it fraud ("Forwarded fraud email received ...") is taken at its word."""
    if notice.category != "fraud" or _FRAUD_WORD.search(subject or ""):
        return
    senders = [e for e in notice.events if e.extra.get("source") == "Received"]
    if senders:
        notice.category = "spam"
        for event in senders:
            event.category = "spam"


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail)
    text, log_text, attached = readable_texts(mail, context)
    if not text.strip() and not log_text.strip() and not attached and not mail.subject:
        notice.kind = "unparseable"
        notice.errors.append("no readable text in the mail")
        return notice
    sample = "\n".join([mail.subject, text, log_text[:50_000]] +
                        [m.subject + "\n" + m.body_text[:20_000] for m in attached])
    declared = declared_category(mail.subject, text)
    category, confidence = (declared, 0.9) if declared else classify(sample)
    if not category and (attached or _FORWARD_MARKER.search(mail.body_text) or _pasted_received(text)):
        # A mail forwarded without a word of its own: the unwanted mail is the complaint.
        category, confidence = "spam", 0.5
    notice.category = category or "other"
    notice.confidence = confidence if category else 0.2
    events = Events(notice, context)
    collect_targets(mail, notice, events, context, texts=(text, log_text, attached))
    if not declared:
        _scam_mail_is_spam(notice, mail.subject)
    date_undated(notice, text, mail)
    return events.finish()
