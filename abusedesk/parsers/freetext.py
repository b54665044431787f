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

import ipaddress
import re

from . import archive
from .base import Event, ParseContext, ParsedNotice, ParseError
from .beside import pair_hosting
from .classify import classify
from .cloudflare import is_cloudflare_ip
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
from .extract import find_domains_at, find_ips, find_urls_at, ip_private, normalise_ip, refang, url_host
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
    # "---- Weitergeleitete Nachricht von CERT <info@cert.example> ---": the sender named in the marker.
    r"(?:[ \t]+(?:von|from|van|de)[ \t][^\n]{1,160}?)?\s*-{2,}|begin forwarded message:|-{3,}\s*original message\s*-{3,})"
)
_RECEIVED_CONTINUATION = re.compile(r"(?i)^(?:by|with|for|id|via)\s|^;|^\([^()\s]{1,255}\)\s+(?:by|with)\s")
# A line cut after a keyword that needs its value ("... (203.0.113.5) by"): the next line goes on.
_OPEN_CLAUSE = re.compile(r"(?i)\s(?:from|by|with|via|for|id)$")
_CIDR_AFTER = re.compile(r"/(\d{1,3})\b")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]{1,64}@([A-Za-z0-9.-]{1,253})")
_LOG_NAMES = (".log", ".txt", ".csv", ".tsv", ".out")
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


# A Received header that starts inside a line: a header block whose line breaks were lost in
# the copy (an HTML view pasted as one paragraph: "...+0000 Received: from a.example ...").
_INLINE_RECEIVED = re.compile(r"(?i)(?<![-\w])\s*(?=received:\s?from\s)|(?<=\d)(?=received:\s?from\s)")


_RECEIVED_LINE = re.compile(r"(?i)received\s*:")
_SUBJECT_LINE = re.compile(r"(?i)subject\s*:")


def _header_lines(text: str) -> list[str]:
    """The lines of `text`, a line that holds several Received headers cut before each."""
    out: list[str] = []
    for line in text.splitlines()[:20000]:
        if len(line) > 200 and line.lower().count("received:") > 1:
            out.extend(part for part in _INLINE_RECEIVED.split(line[:200_000]) if part)
        else:
            out.append(line)
    return out


def _pasted_chains(text: str) -> list[list[str]]:
    """The Received: headers of each mail pasted into a body (possibly quoted),
    unfolded, one list per mail. A mail's Received headers stand above its
    Subject: a Received header below a Subject line starts the next pasted mail
    (a notice that pastes the headers of several spam mails, one under another)."""
    chains: list[list[str]] = [[]]
    current: str | None = None
    subject_seen = False
    total = 0
    for line in _header_lines(text):
        if line[:1] in "Rr" and _RECEIVED_LINE.match(line):
            if current is not None:
                chains[-1].append(current)
                total += 1
            if subject_seen and chains[-1]:
                chains.append([])
            subject_seen = False
            current = line.split(":", 1)[1].strip()
        elif current is not None and line.strip() and (
            line[:1] in (" ", "\t") or _RECEIVED_CONTINUATION.match(line)
            or _OPEN_CLAUSE.search(current[-12:])
            or (line.startswith("(") and ";" not in current)
            or current.count("(") > current.count(")")
        ):
            # Quote stripping eats the fold's indentation: "by", "with", "for"
            # and "id" lines still continue the header, and so do the comment
            # of a header not yet ended by its date ("(rdns [198.51.100.7])") and
            # the rest of a comment left open ("(rdns.\n[198.51.100.7])").
            current += " " + line.strip()
        else:
            if current is not None:
                chains[-1].append(current)
                total += 1
            current = None
            if line[:1] in "Ss" and _SUBJECT_LINE.match(line):
                subject_seen = True
        if total >= 100:
            break
    if current is not None and total < 100:
        chains[-1].append(current)
    # A chain that shares a hop's address with the one above is the same mail's headers
    # pasted again (an excerpt, then the full header), not another mail.
    merged: list[tuple[list[str], set[str]]] = []
    for chain in chains:
        ips = {f.ip for value in chain for f in find_ips(value)}
        if merged and ips & merged[-1][1]:
            merged[-1][0].extend(chain)
            merged[-1][1].update(ips)
        elif chain:
            merged.append((chain, ips))
    return [chain for chain, _ in merged]


def _pasted_received(text: str) -> list[str]:
    """Received: headers pasted into a body (possibly quoted), unfolded, of all pasted mails."""
    return [value for chain in _pasted_chains(text) for value in chain]


# The first line of a pasted mail or header block: the sender's own words end above it.
_PASTED_START = re.compile(r"(?im)^[ \t]*(?:received|return-path|delivered-to|x-[\w-]+|from|to|subject|date"
                           r"|message-id)[ \t]*:")


# A piece of a pasted authentication header without its key ("spf=none (mx: 192.0.2.1 is neither ...").
_AUTH_FRAGMENT = re.compile(r"(?im)^.*(?:\b(?:spf|dkim|dmarc|arc|iprev)=\w|\bdesignates\b|\bpermitted\b).*$")


def _own_stated(text: str, subject: str) -> set[str]:
    """The addresses the sender states as the subject in its own words: the
    subject and the text above a pasted mail (a pasted `spf=` fragment is not
    its words; a forward marker ends them too, also when the header block under
    it lost its line breaks). Only asked when there is an attached or pasted chain."""
    ends = [m.start() for m in (_PASTED_START.search(text, 0, 200_000), _FORWARD_MARKER.search(text, 0, 200_000)) if m]
    own = _AUTH_FRAGMENT.sub("", text[: min(ends, default=200_000)])
    return set(stated_ips(subject + "\n" + own))


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


# A label that names the source of the abuse, on the range's line or as the heading right above
# it ("Source IP Address:", "Attacker IP", "Offending IP range").
_SOURCE_LABEL = re.compile(r"(?i)\b(?:source|attacker|attacking|offending|abusive)[ _-]?ip(?:[ _-]?(?:address(?:es)?|range|"
                           r"network|block))?[ \t]*[:=]?[ \t]*$")


def _source_range(text: str, f, bits: int) -> bool:
    """Is the range at `f` (`bits` its prefix) the value of a source label? Only ranges
    narrower than /16 (IPv4) or /48 (IPv6): a wider one names a provider, not a host."""
    if bits < (16 if ":" not in f.ip else 48):
        return False
    start = text.rfind("\n", max(0, f.start - 200), f.start) + 1
    before = text[start:f.start]
    if not before.strip():
        # The heading above, over one blank line (an HTML form's <h3> and <p> read as text).
        above = [line for line in text[max(0, start - 300): start].split("\n")[-3:-1] if line.strip()]
        before = above[-1] if above else ""
    return bool(_SOURCE_LABEL.search(before))


# A host name written with "[.]" (or "(.)", "[dot]") between its labels.
_DEFANGED_NAME = re.compile(r"(?i)[a-z0-9-]{1,63}(?:(?:\[\.\]|\(\.\)|\[dot\])[a-z0-9-]{1,63}){1,10}")
# A subject template that lost the separator between a name and its address ("Phishing website
# shop.example198.51.100.7"): a top-level label is letters only, so the digits start an address.
_GLUED_ADDRESS = re.compile(r"(\.[A-Za-z]{2,24})(?=\d{1,3}(?:\.\d{1,3}){3}(?![\w.]))")
# "Cloudflare IP's:", "Cloudflare's addresses", not "abuse@cloudflare.com" (whom the sender wrote to).
_CLOUDFLARE_WORD = re.compile(r"(?i)\bcloudflare(?:'s)?[ \t]+(?:ip|address|edge|proxy|proxies)")


def _lines_before(text: str, pos: int) -> str:
    """The address's line up to it and the two lines above."""
    lo, start = max(0, pos - 400), pos
    for _ in range(3):
        found = text.rfind("\n", lo, start)
        if found == -1:
            return text[lo:pos]
        start = found
    return text[start:pos]


def _drop_internal_links(notice: ParsedNotice) -> None:
    """Internal addresses are only the subject when nothing public is there, links to them
    too: a CERT's signature linking its intranet ("<http://10.1.2.3:3000/templates>") is
    not a reported site when the notice names a public one."""
    if not any(e.url and e.ip and ip_private(e.ip) for e in notice.events):
        return
    if any((e.ip and not ip_private(e.ip)) or (e.domain and not e.ip) for e in notice.events):
        notice.events[:] = [e for e in notice.events if not (e.url and e.ip and ip_private(e.ip))]


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
    ranges: dict[str, str] = {}  # written address -> the range a source label names
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
            if bits not in (32, 128) and _source_range(text, f, bits):
                # "Source IP Address: 198.51.100.0/24": the sender names the range as the
                # source. One event for it, as Spamhaus lists one (network address, prefix).
                ranges[f.ip] = str(ipaddress.ip_network(f"{f.ip}/{bits}", strict=False))
                candidates.append(f)
                continue
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
    # Cloudflare's edge addresses the notice itself calls Cloudflare's ("Cloudflare IP's: a / b",
    # then "REAL IP: x is hosted at ..."): the proxy in front of the site, not its host.
    edge = {f.ip for f in public if is_cloudflare_ip(f.ip) and _CLOUDFLARE_WORD.search(_lines_before(text, f.start))} \
        if "loudflare" in text else set()
    if edge and any(f.ip not in edge for f in public):
        public = [f for f in public if f.ip not in edge]
        candidates = [f for f in candidates if f.ip not in edge]
    for f in public or candidates:
        extra = {"time_zone": unzoned[f.ip]} if f.ip in unzoned else {}
        if f.ip in ranges:
            extra["prefix"] = ranges[f.ip]
        events.add(
            Event(
                category=category,
                ip=ranges[f.ip].split("/")[0] if f.ip in ranges else f.ip,
                port=f.port,
                observed_at=times.get(f.ip),
                evidence=sanitise(_line_at(text, f.start), 300),
                extra=extra,
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
    # A no-break space is a space: mail clients write a copied header's fold indentation
    # (and the gaps between its words) as U+00A0 in HTML.
    text = refang(_QUOTE_PREFIX.sub("", _strip_signature(mail.body_text.replace("\xa0", " "))))
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
    chain_ips: dict[int, set[str]] = {}  # the addresses of each origin's own chain
    for message in attached:
        # The reporter's own mail servers received the attached mail: hops named in its
        # domain are its relays (a forwarding spam trap), the origin is the hop before them.
        hop = origin_hop(message.header_all("received"), context, reporter_domains(mail))
        if hop:
            origins.append((hop, message.subject))
            chain_ips[id(hop)] = {f.ip for value in message.header_all("received") for f in find_ips(value)}
        for value in message.header_all("received"):
            relay_ips.update(f.ip for f in find_ips(value))
    for pasted in _pasted_chains(text):
        hop = origin_hop(pasted, context)
        if hop:
            origins.append((hop, ""))
            chain_ips[id(hop)] = {f.ip for value in pasted for f in find_ips(value)}
        for value in pasted:
            relay_ips.update(f.ip for f in find_ips(value))
    own_stated = _own_stated(text, refang(mail.subject)) if relay_ips else set()
    stated = own_stated & relay_ips
    # The sender names the offender in its own words ("Your customer x (198.51.100.7) is
    # spamming", "SPAMMER: http://198.51.100.7/..."), an address outside the chain: the
    # pasted or attached mail is its evidence, and neither the hop that carried it (a
    # mailbox provider's or a list's relay) nor its webmail client is a second offender.
    # When the words name a hop of a chain instead, the sender read that chain: the hop
    # it names outranks the one our walk would pick there.
    named_outside = bool(own_stated) and not stated
    walked = {hop.from_ip for hop, _ in origins}
    kept = []
    for hop, subject in origins:
        own_chain = chain_ips.get(id(hop), set())
        if own_chain & stated:
            if hop.from_ip in stated:
                kept.append((hop, subject))
        elif not (own_stated - relay_ips):
            # A chain the words do not name, with no offender named outside the chains
            # (a notice that lists each pasted mail's sender above it): its own origin.
            kept.append((hop, subject))
    origins = kept
    for m in [] if named_outside else re.finditer(r"(?im)^x-originating-ip\s*:\s*\[?([0-9a-f:.]{3,60})", text):
        ips = find_ips(m.group(1))
        if ips and ips[0].ip in relay_ips and ips[0].ip not in walked:
            # A server of the sender's own chain (its webmail host, below the hop that
            # handed the mail over), not the client: the origin hop names that provider.
            continue
        if ips:
            events.add(Event(category=category, ip=ips[0].ip, evidence=sanitise(m.group(0), 200)))
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
        subject = _GLUED_ADDRESS.sub(r"\1 ", refang(mail.subject))
        _ip_events(subject, category, events, skip_ips | url_hosts, notice.meta, frame)
        if not notice.events:
            for url, _ in find_urls_at(subject):
                events.add(url_event(url, category, evidence=sanitise(subject, 300)))
        if not notice.events and with_domains:
            # A name the sender defanged in its subject ("phishing site reported: shop[.]example"):
            # defanged because it is the dangerous one, the reported site.
            for m in _DEFANGED_NAME.finditer(mail.subject):
                for domain, _ in find_domains_at(refang(m.group(0)), limit=5):
                    events.add(Event(category=category, domain=domain, evidence=sanitise(mail.subject, 300)))

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

    _drop_internal_links(notice)
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
