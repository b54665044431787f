"""Helpers every mail-format parser shares: who sent it, collecting events
without duplicates or beyond the cap, and the Received-chain walk."""

from __future__ import annotations

import email.utils
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from .base import Event, NotifierInfo, ParseContext, ParsedNotice
from .extract import (
    find_domains,
    find_ips,
    find_urls,
    ip_private,
    ip_usable,
    normalise_ip,
    parse_when,
    refang,
    registrable_domain,
    url_host,
)
from .mime import Mail
from .times import frame_of, stated_time_noted, unzoned_warning

NO_TARGET = "no IP address, URL or domain found"

_NOREPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|mailer[-_.]?daemon|bounces?|auto|autoreply"
    r"|notifications?|notify|alerts?|feeds?|fbl|feedback[-_.]?loop|arf|scomp|reports?|staff)(?:[-_.+].*)?$"
)


def is_auto_generated(mail: Mail) -> bool:
    """RFC 3834 Auto-Submitted, bulk precedence, or a no-reply sender."""
    auto = mail.header("auto-submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if mail.header("precedence").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    _, addr = mail.from_address
    local = addr.split("@", 1)[0]
    return bool(_NOREPLY_LOCAL.match(local))


def notifier_from_mail(mail: Mail, *, organisation: str = "", no_reply: bool | None = None) -> NotifierInfo:
    name, addr = mail.from_address
    org = organisation
    if not org and addr and "@" in addr:
        org = registrable_domain(addr.rsplit("@", 1)[1])
    return NotifierInfo(
        name=sanitise(name, 200),
        email=addr[:254],
        organisation=sanitise(org, 200),
        no_reply=is_auto_generated(mail) if no_reply is None else no_reply,
    )


def start_notice(fmt: str, mail: Mail | None, **kwargs) -> ParsedNotice:
    """A ParsedNotice with the mail's subject, Message-ID, Date and notifier."""
    notice = ParsedNotice(format=fmt, **kwargs)
    if mail is not None:
        notice.subject = sanitise(mail.subject, 998)
        notice.message_id = sanitise(mail.header("message-id"), 998)
        notice.date = parse_when(mail.header("date"))
        notice.notifier = notifier_from_mail(mail)
        notice.warnings.extend(mail.warnings)
    return notice


_WS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def sanitise(text: str | None, limit: int = 500) -> str:
    """Plain, short, one-paragraph text safe to show and store: no control
    or bidi-override characters, length capped."""
    if not text:
        return ""
    text = _WS.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class Events:
    """Collects events in order: identical ip+url+port (and domain) once,
    no more than `context.max_events` (a warning says how many were cut)."""

    def __init__(self, notice: ParsedNotice, context: ParseContext):
        self.notice = notice
        self.max = context.max_events
        self.seen: set[tuple] = set()
        self.dropped = 0

    def add(self, event: Event) -> bool:
        key = (event.ip, event.url, event.port, event.domain if not (event.ip or event.url) else None)
        if key in self.seen:
            return False
        if len(self.notice.events) >= self.max:
            self.dropped += 1
            return False
        self.seen.add(key)
        self.notice.events.append(event)
        return True

    def finish(self) -> ParsedNotice:
        if self.dropped:
            self.notice.warnings.append(
                f"{self.dropped} more events not kept: the limit is {self.max} events per notice"
            )
        if self.notice.kind != "unparseable" and not self.notice.events and NO_TARGET not in self.notice.errors:
            self.notice.errors.append(NO_TARGET)
        return self.notice

    def __len__(self) -> int:
        return len(self.notice.events)


def warn_once(notice: ParsedNotice, warning: str) -> None:
    if warning not in notice.warnings:
        notice.warnings.append(warning)


def date_undated(notice: ParsedNotice, text: str, mail: Mail) -> None:
    """Events without a time of their own get the one incident time the notice
    states ("Detected: ...", "Festgestellt am ...", a table's "Observed" cell),
    if it states exactly one; a time that writes no zone is flagged as read."""
    undated = [e for e in notice.events if e.observed_at is None]
    if not undated:
        return
    frame = frame_of(text, mail.header("date"))
    when, note = stated_time_noted(text, frame)
    if not when:
        return
    for event in undated:
        event.observed_at = when
        if note:
            event.extra["time_zone"] = note
    if note:
        warn_once(notice, unzoned_warning(note))


def url_event(url: str, category: str, **kwargs) -> Event:
    """An event for a URL: the host becomes `ip` if it is a literal address,
    else `domain` (the resolver looks it up)."""
    host = url_host(url)
    ip = normalise_ip(host) if host else None
    return Event(category=category, url=url, ip=ip, domain=None if ip else host, **kwargs)


# --- own / notifier infrastructure ----------------------------------------------


def _own_networks(context: ParseContext) -> tuple[list, list[str]]:
    nets, names = [], []
    for entry in context.own_mail_servers:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.append(entry.rstrip("."))
    return nets, names


def is_own_server(ip: str | None, host: str | None, context: ParseContext) -> bool:
    """Is this the provider's own mail server (by address, network or name)?"""
    nets, names = _own_networks(context)
    if ip:
        try:
            addr = ipaddress.ip_address(ip)
            if any(addr in n for n in nets if n.version == addr.version):
                return True
        except ValueError:
            pass
    if host:
        host = host.lower().rstrip(".")
        for name in names:
            if host == name or (name.startswith(".") and host.endswith(name)) or host.endswith("." + name):
                return True
    return False


# --- Received headers -------------------------------------------------------------

_FROM_CLAUSE = re.compile(r"^\s*from\s+([^\s;]{1,255})([^;]{0,1024}?)(?:\sby\s|\swith\s|;|$)", re.IGNORECASE)
_BY_HOST = re.compile(r"\bby\s+([A-Za-z0-9.\-_\[\]:]{1,255})", re.IGNORECASE)
_RDNS = re.compile(r"\(\s*([A-Za-z0-9.\-_]{1,255})\s*\[")


@dataclass(slots=True)
class Hop:
    """One Received: header: who handed the mail over, to whom, when."""

    from_host: str | None
    from_ip: str | None
    by_host: str | None
    when: datetime | None
    raw: str


def parse_received(value: str) -> Hop:
    value = value[:2048]
    from_host = from_ip = by_host = None
    m = _FROM_CLAUSE.match(value)
    if m:
        helo, rest = m.group(1), m.group(2)
        clause = helo + " " + rest
        rdns = _RDNS.search(rest)
        name = rdns.group(1) if rdns else helo.strip("[]()")
        if name.lower() not in ("unknown", "localhost") and normalise_ip(name) is None:
            from_host = name.lower().rstrip(".")
        # The address in brackets is what the receiving server saw; HELO text may lie.
        ips = find_ips(clause)
        bracketed = [f for f in ips if f.start > 0 and clause[f.start - 1] in "[("]
        chosen = bracketed or ips
        from_ip = chosen[0].ip if chosen else None
    b = _BY_HOST.search(value)
    if b:
        by_host = b.group(1).strip("[]").lower().rstrip(".")
    when = parse_when(value.rsplit(";", 1)[1]) if ";" in value else None
    return Hop(from_host, from_ip, by_host, when, value)


# Large mailbox providers whose own relays carry several domain names: a mail received by one
# of them passes through hosts named by the others before it reaches the mailbox.
_MAILBOX_FAMILIES = (
    frozenset({"outlook.com", "office365.com", "hotmail.com", "live.com", "microsoft.com", "msn.com"}),
    frozenset({"google.com", "gmail.com", "googlemail.com"}),
    frozenset({"yahoo.com", "yahoodns.net", "yahoo.net", "aol.com", "aol.net"}),
    frozenset({"att.net", "prodigy.net", "sbcglobal.net", "bellsouth.net"}),
)
_HELO = re.compile(r"(?i)\((?:EHLO|HELO)\s+([A-Za-z0-9.\-_]{1,255})\)")
_INTERNAL_SUFFIXES = (".local", ".lan", ".internal", ".localdomain", ".corp")


_FOR_RECIPIENT = re.compile(r"(?i)\bfor\s+<?[^<>@\s;]{1,64}@([A-Za-z0-9.-]{1,253})")


def _recipient_domain(value: str) -> str | None:
    """The registrable domain of a hop's envelope recipient ("for <user@domain>"), if it says."""
    m = _FOR_RECIPIENT.search(value[:1024])
    return registrable_domain(m.group(1).lower().rstrip(".")) if m else None


def _same_mailbox(domain: str, recipient: str) -> bool:
    """Whether a relay's domain belongs to the recipient's mailbox provider."""
    if domain == recipient:
        return True
    return any(domain in family and recipient in family for family in _MAILBOX_FAMILIES)


def origin_hop(received: list[str], context: ParseContext, reporter_domains: set[str] | None = None) -> Hop | None:
    """The host that handed a mail to the receiving side: walking the
    Received: chain from the top (the receiver's own hops), skip hops from
    internal addresses, from the receiver's own domain (taken from the `by`
    host of the topmost hop), and from the provider's own mail servers (a
    customer's mail relayed by our smarthost: the customer is the source)."""
    hops = [parse_received(v) for v in received[:100]]
    domains = {d.lower() for d in (reporter_domains or set()) if d}
    below_public: str | None = None
    for hop in hops:
        if hop.by_host and normalise_ip(hop.by_host) is None and "." in hop.by_host:
            domain = registrable_domain(hop.by_host)
            recipient = _recipient_domain(hop.raw)
            if below_public and not (_same_mailbox(domain, recipient) if recipient
                                     else below_public == "address"):
                # Below a hop from a public address whose receiver gave no name, this hop's
                # host delivered to another provider's mailbox ("for <...>"), or nothing shows
                # it is the receiver's: it is a relay of the sender's side.
                break
            domains.add(domain)
            break
        if hop.from_ip and ip_usable(hop.from_ip) and not ip_private(hop.from_ip) and not below_public:
            # A receiver that logs itself by its address ("by 10.1.2.3") is inside its network:
            # the next name down is its own unless that hop delivered elsewhere. One with no
            # name at all ("by 0") says nothing: the next name down must show it delivered here.
            below_public = "address" if hop.by_host and normalise_ip(hop.by_host) else "nameless"
    for hop in hops:
        # A hop that delivered into its recipient's own mailbox provider ("by mx.isp.example ...
        # for <user@isp.example>") was received by that provider, whichever host topped the chain
        # (a mailbox provider hosting another's mail: the recipient's MX is a hop further down).
        recipient = _recipient_domain(hop.raw)
        if recipient and hop.by_host and normalise_ip(hop.by_host) is None and \
                _same_mailbox(registrable_domain(hop.by_host), recipient):
            domains.add(registrable_domain(hop.by_host))
    for family in _MAILBOX_FAMILIES:
        if domains & family:
            domains |= family
    for hop in hops:
        ip = hop.from_ip
        if not ip or not ip_usable(ip) or ip_private(ip):
            continue
        names = {hop.from_host} if hop.from_host else set()
        names.update(n.lower().rstrip(".") for n in _HELO.findall(hop.raw[:300]))
        if names and not is_own_server(ip, hop.from_host, context) and any(
            registrable_domain(n) in domains or n.endswith(_INTERNAL_SUFFIXES) for n in names
        ):
            # The receiver's own server by name (its rDNS or the name it greeted with, EHLO):
            # in the receiver's domain, or an internal name.
            continue
        if is_own_server(ip, hop.from_host, context):
            continue
        return hop
    return None


def events_from_text(
    text: str,
    category: str,
    events: Events,
    *,
    observed_at: datetime | None = None,
    skip_ips: set[str] = frozenset(),
    skip_domains: set[str] = frozenset(),
    with_domains: bool = False,
    evidence: str = "",
) -> None:
    """Every URL and IP in text as events (re-fanged first); bare domains too
    if asked. Private addresses only when no public one is there."""
    text = refang(text)
    url_hosts = set()
    for url in find_urls(text):
        host = url_host(url)
        if host and (registrable_domain(host) in skip_domains or host in skip_ips):
            continue
        url_hosts.add(host)
        events.add(url_event(url, category, observed_at=observed_at, evidence=evidence))
    ips = [f for f in find_ips(text) if f.ip not in skip_ips]
    public = [f for f in ips if not f.private]
    for found in public or ips:
        if found.ip in url_hosts and not found.port:
            continue  # already an event as the host of a URL
        events.add(Event(category=category, ip=found.ip, port=found.port, observed_at=observed_at,
                         evidence=evidence))
    if with_domains:
        for domain in find_domains(text):
            if registrable_domain(domain) in skip_domains or domain in url_hosts:
                continue
            events.add(Event(category=category, domain=domain, observed_at=observed_at, evidence=evidence))


def sender_domain(mail: Mail) -> str:
    """Registrable domain of the From address ('' if none). A claim only:
    detection may use it, trust is decided by the channel."""
    _, addr = mail.from_address
    return registrable_domain(addr.rsplit("@", 1)[1]) if "@" in addr else ""


def reporter_domains(mail: Mail) -> set[str]:
    """Registrable domains of the reporter: the From address and, when a
    mailing list re-sent the notice under its own From ("'CERT-EE' via
    abuse" <abuse@provider>), the original author the list recorded
    (X-Original-From, X-Original-Sender). Links to these domains are the
    reporter's own pages (advisories, portals), not reported locations."""
    out = set()
    values = [mail.from_address[1]]
    for name in ("x-original-from", "x-original-sender"):
        raw = mail.header(name)[:998]
        if not raw:
            continue  # no list re-sent it (the address parser is not cheap)
        try:
            values.append(email.utils.parseaddr(raw)[1].lower())
        except Exception:  # nested-comment bombs recurse in the stdlib address parser
            pass
    for addr in values:
        if "@" in addr:
            out.add(registrable_domain(addr.rsplit("@", 1)[1]))
    out.discard("")
    return out


def line_values(text: str, label: str, limit: int = 20) -> list[str]:
    """Values of `Label: value` lines (label is a regex, case-insensitive);
    a label alone on its line takes the next non-empty line as value."""
    out = []
    pattern = re.compile(rf"(?im)^[ \t>*-]*(?:{label})[ \t]*[:#][ \t]*(.*)$")
    for m in pattern.finditer(text[:1_000_000]):
        value = m.group(1).strip()
        if not value:
            rest = text[m.end(): m.end() + 2000].lstrip("\r\n")
            value = rest.split("\n", 1)[0].strip()
        if value:
            out.append(value[:1000])
            if len(out) >= limit:
                break
    return out


# The owner's words of the victim's side: "our server", "notre serveur", "il nostro server".
_OWNER_WORDS = (r"our|my|ons|onze|mijn|unser(?:e|em)?|mein(?:e|em)?|notre|nos|mon|nuestr[oa]s?|mi|nostr[oa]|mio|mia"
                r"|noss[oa]s?|meu|minha")
# Words right before an address that say it is not the offender.
_NOT_OFFENDER_BEFORE = re.compile(
    r"(?:\bdst\s*[=:]\s*|\bdest(?:ination)?(?:[ _-]?ip)?\s*[=:]?\s*|\btarget(?:ed)?(?:[ _-]?ip)?\s*[=:]?\s*"
    r"|\bvictim\s*[=:]?\s*|\b(?:" + _OWNER_WORDS + r")\s+"
    r"(?:\w+(?:\.\w+)*\s+){0,2}(?:web|mail|dns|name)?(?:server|ip|host|address|adres|network|netwerk|netz|honeypot|sensor|machine|system|website"
    r"|client|customer|site|sito|sitio|serveur|servidor|r[ée]seau|red|rete|rede|router|routeur|firewall|nas\b|mx\b)\w*(?:'s)?"
    # what follows the noun before its address: "notre serveur de messagerie x", "my site www.x.example (x)"
    r"(?:\s+(?:de|di|del|du|des|da|van|de la)\s+\w+)?(?:\s+[\w-]+(?:\.[\w-]+)+)?"
    r"\s*(?:\([^)]{0,40}\)\s*)?[=:]?\s*(?:(?:at|is|with|on)\s+(?:(?:currently|now)\s+)?(?:ip\s+(?:address\s+)?)?)?\(?\s*"
    # "Our service being attacked: api.example 192.0.2.7": the reporter's own service, by name and address.
    r"|\b(?:our|my)\s+(?:\w+\s+)?(?:services?|servers?|sites?|websites?|hosts?|systems?)\s+(?:being|that\s+(?:is|was))\s+"
    r"(?:attacked|targeted|scanned|probed)\s*[=:]\s*(?:[\w-]+(?:\.[\w-]+)+\s+)?"
    r"|\bhoneypot\s*[=:]?\s*|\bsensor\s*[=:]?\s*|\bsinkhole\s*[=:]?\s*"
    r"|\b(?:ip\s+)?(?:address(?:es)?|servers?|hosts?|ips|machines|systems)\s+of\s+ours\s*[=:]?\s*"
    r"|(?:(?<=[\d\])])|(?<=[\d\])][ \t]))(?:-{1,3}>|-&gt;|→|=>)\s*|\w*_target\s*[=:]\s*|\babused_\w*\s*[=:]\s*"
    r"|\b(?:dst|dest|destination|target|victim)[ _.-]?(?:ip|addr(?:ess)?|host)['\"]?\s*(?:=&gt;|=>|[=:])\s*['\"]?"
    r"|\bip being (?:probed|attacked|scanned|targeted)\)?\s*[=:]\s*|\bto\s*(?:ip\s*)?[=:]\s*|\bdpt\s*=\s*|\bden\s+server\s+|\breporter\s*[=:]?\s*(?:[\w.-]{1,40}\s*\(\s*)?"
    # a web form's note of where the report came from: "Submitted from IP: x", "Reporter IP: x"
    r"|\bsubmitted\s+from\s+(?:ip\s*)?(?:address\s*)?[=:]?\s*"
    r"|\b(?:submitter|reporter|complainant)(?:'s)?\s+ip(?:\s+address)?\s*[=:]?\s*"
    # The victim as reporters describe it: "Targeted Server IP Address:", "one of our monitored
    # systems (IP: x)", "lip=" (the local end in Dovecot logs), "Upstream IP:", Czech "Cílové IP"
    # (target IPs), Portuguese "cujo destino é o endereço x".
    r"|\btarget(?:ed)?\s+(?:server\s+|host\s+|system\s+)?ip(?:s|\s+address(?:es)?)?\s*[=:]?\s*"
    r"|\bmonitored\s+(?:system|server|host|network)s?\s*\(?\s*(?:ip\s*)?[=:]?\s*|\blip\s*=\s*"
    r"|\bupstream\s+ip\s*[=:]?\s*|\bc[ií]lov[áée]\s+ip\w*\s*:?\s*|\bdestino\s+(?:\w+\s+){0,3}"
    # "from a to b", "lookups (udp/53) to b": the address after "to" is where the traffic went.
    # A daemon's log names the peer by name and address ("from host.example [198.51.100.7] to
    # ::ffff:192.0.2.1:21", its own address written the IPv6 way).
    r"|\bfrom\s+\S+\s+(?:\([^)]{0,40}\)\s+|\[[0-9a-fA-F.:]{3,45}\]\s+)?to\s+(?:::ffff:)?"
    # "Destination IP address:", "Destination is x", "Attacked IP address:", "the targeted IP address
    # was x", "(the victim) IP is:", "honeypots located at x", "towards destination :- x", a log's
    # own host introduced as "On host.example (x):".
    r"|\bdest(?:ination)?\s+(?:ip\s+)?(?:address\s*)?(?:\([^)]{0,20}\)\s*)?(?:is|was|[=:]|:-)\s*"
    r"|\b(?:attacked|targeted)\s+(?:ip|host|server)(?:\s+address)?\s*(?:is|was|[=:])?\s*"
    r"|\bthe\s+victim\)?\s*(?:ip\s*)?(?:is\s*)?[=:]?\s*|\bhoneypots?\b[^.\n]{0,25}?\b(?:at|is|on)\s+"
    r"|\btowards\s+(?:destination\s*)?(?::-|[=:])?\s*|(?:^|\n)[ \t]*on\s+[\w.-]+\.[a-z]{2,}\s*\(\s*"
    r"|\b(?:lookups?|queries|requests|connections?|traffic|packets|attacks?)\b[^.\n]{0,30}?\bto\s+"
    # JSON and form keys that name the destination ("dest": "x", report[destination_ip_addresses]:x),
    # "(My IP) x", "Target server public IP".
    r"|\b(?:dst|dest|destination|target|victim|sensor|honeypot|reporter|observer)\w{0,30}[\"'\]]\s*(?:=&gt;|=>|[=:])\s*[\"']?"
    r"|\(\s*(?:my|our)\s+(?:\w+\s+)?(?:ip|server|host|address)\w*\s*\)\s*[=:]?\s*"
    r"|\btarget(?:ed)?\s+(?:server|host|system)\s+(?:public\s+)?ip(?:\s+address)?\s*[=:]?\s*"
    # "connections to a PowershellEmpire control server (x)", German "Verbindungen zu einem ...-Kontrollserver (x)"
    r"|\b(?:connections?|verbindung(?:en)?)\s+(?:to|zu|mit|with)\s+(?:(?:an?|the|einem|einen|dem|den)\s+)?"
    r"(?:[\w&-]{1,40}\s+)?[\w-]{0,40}(?:server|c2|c&c)\w*\s*\(\s*"
    # "you may point glue records for suspended domains to x": the sinkhole the sender suggests
    r"|\bpoint\s+(?:the\s+)?(?:glue\s+records?|records?|dns|name\s*servers?|(?:suspended\s+)?domains?)\b[^.\n]{0,40}?\bto\s+"
    # "last two incidents seen on IP x": where the attacks arrived
    r"|\b(?:incidents?|attacks?|scans?|probes?)\s+(?:\w+\s+)?seen\s+(?:on|at)\s+(?:ip\s+)?(?:address\s+)?"
    # The attacked site and its addresses: "HTTP ddos flood on www.site.example ipv4: x ipv6: y"
    r"|\b(?:flood|attack|ddos|dos)\w*\s+(?:on|against)\s+[\w-]+(?:\.[\w-]+)+\s+"
    r"(?:ipv4\s*:\s*[\d.]{7,15}\s+)?(?:ipv[46]|ip)\s*:\s*"
    # nginx's logs name the requested server: 'SSL server name: "x"', 'http header: "Host: x"',
    # the error log's ', host: "x:5001"' (quoted: a bare "Host: x" line is read as a pasted request's)
    r"|\bssl\s+server\s+name\s*:\s*\"|\"host\s*:\s*|,\s*host\s*:\s*\""
    # "The following addresses were attacked from your network:" (a heading over the victims)
    r"|\b(?:were|was|been)\s+(?:attacked|targeted|scanned|probed)\b[^.:\n]{0,40}:\s*)$",
    re.IGNORECASE,
)


# Right before an address: the direction of a transfer ("to IP", German "zur IP", "an die IP-Adresse").
_TO_BEFORE = re.compile(r"(?i)\b(?:to|zur|zum|zu|an|nach|naar|vers)\s+(?:(?:the|die|der|den|de)\s+)?"
                        r"(?:ip(?:-adresse|\s+address|\s+adres|\s+adresse)?\s+)?$")
# After an address, in its sentence: it is used for abuse ("x (leased from you) is used in a DDoS
# attack", "x was abused to send spam").
_USED_FOR_ABUSE_AFTER = re.compile(
    r"(?i)[^.\n]{0,40}?\b(?:is|was|are|were|has\s+been|have\s+been|is\s+being|are\s+being)\s+(?:used|abused|involved)\s+"
    r"(?:in|for|to|as)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:ddos|dos|attacks?|spam\w*|phishing|scan\w*|botnet|"
    r"malware|abuse|brute[ -]?force|send(?:ing)?\s+spam)\b"
)


_NOT_OFFENDER_AFTER = re.compile(
    r"^[\])]?\s*[(,]?\s*(?:is|=|-)?\s*(?:to\s+)?(?:legitimate\b|our|my|ours|onze|ons|mijn|unser\w*|mein\w*|notre|nuestr\w*|"
    r"the (?:victim|target|destination|reporter)|(?:a |our )?(?:honeypot|sensor|sinkhole))\b",
    re.IGNORECASE,
)


# A short label before the address ("IP:", "IP address:") and a heading above its block that
# names the attacked side ("Technical information about the attacked resource:").
_SHORT_LABEL = re.compile(r"(?i)^[ \t>*-]*(?:[\w.-]{1,80}[ \t]+[-–][ \t]+)?(?:ip|ip[ -]?address|address|host|ipv[46])"
                          r"[ \t]*[:=][ \t]*$")
_VICTIM_HEADING = re.compile(r"(?i)(?:\b(?:attacked|targeted|target|victim'?s?|destination)\b[^:\n]{0,40}"
                             r"|\b(?:our|my)\s+(?:\w+\s+)?(?:servers?|hosts?|systems?|websites?|sites?)\s*"
                             # "it was targeting our ips (list is limited to 20) :": the attacker is the
                             # subject ("it", "this ip"), the list under the heading is what it went for.
                             r"|\b(?:it|they|this\s+ip|this\s+host)\s+(?:was|were|is|are|has\s+been|have\s+been)\s+"
                             r"(?:targeting|attacking|scanning|probing)\s+(?:our|my)\s+[^:\n]{0,40}):[ \t\r]*$")
# An item of a list of short labels, one per line ("ip: 192.0.2.7"): the heading above the
# first item heads them all.
_SHORT_ITEM = re.compile(r"(?i)^[ \t>*-]*(?:ip|ip[ -]?address|address|host|ipv[46])[ \t]*[:=][ \t]*[0-9a-f.:]{3,45}[ \t\r]*$")


# An attack verb right before "our ...": the address after the label did it ("have attacked our
# systems:"); not "Attacked hosts in our network:", "Target IP attacked in our network:".
_ATTACKED_OURS = re.compile(r"(?i)\b(?:attack(?:ed|ing|s)?|scann(?:ed|ing)|prob(?:ed|ing)|target(?:ed|ing)|hack(?:ed|ing)"
                            r"|flood(?:ed|ing)|attaqu\w*|atac\w*|attacc\w*)\s+(?:one\s+of\s+)?"
                            r"(?:our|my|onze|unsere?|notre|nos|nuestr[oa]s?|(?:il\s+)?nostr[oa])\s+\w+(?:\s+\w+)?\s*:\s*$")


def _under_victim_heading(text: str, pos: int, before: str) -> bool:
    """Is the address the value of a short label in a block headed as the
    attacked side? (Not "affected system": a CERT's word for the offender.)"""
    if not _SHORT_LABEL.match(before):
        return False
    above = text[max(0, pos - 4000): pos].split("\n")[:-1]
    looked = 0
    for line in reversed(above[-60:]):
        if not line.strip():
            return False
        if _VICTIM_HEADING.search(line):
            return True
        if not _SHORT_ITEM.match(line):
            looked += 1  # a line of the block that is no item of the list: at most four of them
            if looked >= 4:
                return False
    return False


# A web server's report block names both ends by label ("Client IP: x" / "Server name: ..." /
# "Server IP: y"): the server is the reporter's, the client the offender. "Server IP:" alone is
# the hosting address of a reported site, an offender.
_SERVER_LABEL = re.compile(r"(?i)^[ \t>*-]*(?:server|local|destination|dest)[ _-]?ip(?:[ _-]?address)?[ \t]*[:=][ \t]*$")
_CLIENT_LABEL = re.compile(r"(?im)^[ \t>*-]*(?:client|remote|source|src|attacker)[ _-]?ip(?:[ _-]?address)?[ \t]*[:=]")


def _server_beside_client(text: str, pos: int, before: str) -> bool:
    if not _SERVER_LABEL.match(before):
        return False
    start = pos
    for _ in range(8):  # the lines of the block above, up to a blank line
        start = text.rfind("\n", 0, max(0, start - 1))
        if start < 0 or not text[start + 1: text.find("\n", start + 1)].strip():
            break
    block = text[max(0, start): text.find("\n\n", pos) if "\n\n" in text[pos:pos + 800] else pos + 800]
    return bool(_CLIENT_LABEL.search(block))


# The reporter's own observers and the reporter named as such: "our scanner runs from x",
# "my crawler at x", "Reported by: x" (the reporting host), and after an address: "x, not in
# your network", "x; you do not need to act on that address".
_OBSERVER_BEFORE = re.compile(
    r"(?:\b(?:our|my)\s+(?:\w+\s+){0,2}(?:scanners?|crawlers?|probes?)(?:\s+(?:runs?|operates?|comes?|connects?|is|are|"
    r"located|hosted))?\s+(?:from|at|on|is)\s+(?:ip\s+(?:address\s+)?)?"
    r"|\breported\s+by\s*[=:]?\s*)$",
    re.IGNORECASE,
)
_DISOWNED_AFTER = re.compile(
    r"^[\])]?\s*[(,;]?\s*(?:(?:which\s+is\s+|are\s+|is\s+)?not\s+(?:in\s+)?(?:your|ours?)\b"
    r"|(?:you\s+)?(?:do\s+not|don't|need\s+not)\s+(?:need\s+to\s+)?(?:act|take\s+action))",
    re.IGNORECASE,
)


def disowned(text: str, pos: int, end: int) -> bool:
    """Does the text say in so many words that the address at pos..end is not
    one to act on: the reporter ("Reported by: x"), its own scanner, "x, not
    in your network"? (Narrower than `not_offender_before`, whose positional
    cues, "from a to b", "-> b", name a destination only where they stand.)"""
    before = text[max(0, pos - 60): pos].split("\n")[-1]
    after = text[end: end + 60].split("\n", 1)[0]
    return bool(_OBSERVER_BEFORE.search(before) or _DISOWNED_AFTER.search(after))


_DIGIT = re.compile(r"\d")
# The words a phrase wrapped over two lines starts with: an owner ("à notre" / "serveur x") or an
# attack verb ("which attacked" / "our systems: x"); lines without one need no second look.
_OWNER_OR_VERB = re.compile(r"(?i)\b(?:" + _OWNER_WORDS + r"|attack|scann|prob|target|hack|flood|attaqu|atac|attacc)")
# The first items of a list under a heading, masked by the reporter ("Dest:\n198.51.100.XX,
# 203.0.113.XX 192.0.2.49, ..."): the heading names the list, the masked items are no words.
_MASKED_LIST = re.compile(r"^[ \t,;]*(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:[xX*]{1,3}|\d{1,3})[ \t,;]+)*?"
                          r"\d{1,3}\.\d{1,3}\.\d{1,3}\.[xX*]{1,3}(?:[ \t,;]+\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:[xX*]{1,3}|\d{1,3}))*[ \t,;]*$")
_LAST_WORD_WRAPPED = re.compile(r"[ \t>]*(?:to|at|on)[ \t]+")
_FROM_BEFORE = re.compile(r"(?i)\bfrom\s+(?:ip\s+)?(?:address\s+)?\(?$")
_TO_AFTER = re.compile(r"(?i)^\)?\s+to\s")


def not_offender_before(text: str, pos: int, end: int | None = None) -> bool:
    """Do the words just before `pos` (or just after `end`, same line) mark
    the address there as the victim, the observer or the destination rather
    than the offender ("our server 192.0.2.1", "192.0.2.1 (our sensor)")?"""
    # The previous line counts too: prose wraps ("... our server\n192.0.2.33"), and a
    # heading names the list below it after a blank line ("addresses of ours:\n\n192.0.2.33").
    # 100 characters: a daemon's log names a long host before the address ("from
    # host.name.example [198.51.100.7] to ...").
    before = text[max(0, pos - 100): pos]
    lines = before.split("\n")
    if len(lines) > 1 and (not lines[-1].strip() or _MASKED_LIST.match(lines[-1])):
        above = text[max(0, pos - 200): pos].split("\n")[:-1]
        heading = next((line for line in reversed(above[-3:]) if line.strip()), "")
        before = heading[-60:] + " "
    elif len(lines) > 1 and _LAST_WORD_WRAPPED.fullmatch(lines[-1]):
        # A sentence wrapped right before its last word: "... point glue records for suspended
        # domains\nto x".
        before = lines[-2][-60:] + " " + lines[-1].lstrip(" \t>")
    else:
        before = lines[-1]
    # Prose wrapped inside the phrase ("à notre\nserveur de messagerie x"): the line above
    # counts too, where neither line is a row of numbers.
    wrapped = (lines[-2] + " " + lines[-1] if len(lines) > 1 and not _DIGIT.search(lines[-1])
               and _OWNER_OR_VERB.search(lines[-2]) and not _DIGIT.search(lines[-2][-3:]) else "")
    if _ATTACKED_OURS.search(before) or (wrapped and _ATTACKED_OURS.search(wrapped)):
        return False  # "... have attacked our systems: x": x is the attacker
    if _NOT_OFFENDER_BEFORE.search(before) or _OBSERVER_BEFORE.search(before) or _under_victim_heading(text, pos, before) \
            or _server_beside_client(text, pos, before):
        # "one of our IP addresses, x (leased from you), is used in a DDoS attack": a customer tells
        # its upstream that its own address does the abuse; the address is the offender.
        return end is None or not _USED_FOR_ABUSE_AFTER.match(text, end, end + 120)
    if wrapped and _NOT_OFFENDER_BEFORE.search(wrapped):
        return end is None or not _USED_FOR_ABUSE_AFTER.match(text, end, end + 120)
    if end is not None:
        after = text[end: end + 60].split("\n", 1)[0]
        if "xfiltr" in before + after and _TO_BEFORE.search(before):
            return True  # "data is exfiltrated to IP x", "Daten werden zur IP x exfiltriert": where it went
        if _FROM_BEFORE.search(before) and _TO_AFTER.match(after):
            return False  # "sent from x to my mailbox": x is where it came from
        return bool(_NOT_OFFENDER_AFTER.search(after) or _DISOWNED_AFTER.search(after))
    return False


def urls_under(text: str, label: str, limit: int = 1000) -> list[str]:
    """URLs given under a heading or label (regex, case-insensitive): on the
    label's own line and on the following lines, up to the first non-empty
    line without a URL."""
    out: list[str] = []
    for m in re.finditer(rf"(?im)^[ \t>*-]*(?:{label})[ \t]*:?(.*)$", text[:1_000_000]):
        out.extend(find_urls(m.group(1)))
        for line in text[m.end():].splitlines()[1:limit]:
            if not line.strip():
                continue
            found = find_urls(line)
            if not found:
                break
            out.extend(found)
    return list(dict.fromkeys(out))
