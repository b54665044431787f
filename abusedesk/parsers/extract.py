"""Find IP addresses, URLs, domains and timestamps in text.

All regexes here are linear: character classes with one quantifier, bounded
repetitions, no nested unbounded groups, so a hostile body cannot make
them backtrack. Candidates are validated with `ipaddress` rather than with
a clever regex.

Defanged indicators (`198.51.100[.]7`, `hxxps://`, `example[dot]com`) are
re-fanged first; reporters write them so that mail clients do not link them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from abusedesk.lib.ipaddr import canonical_ip

# --- re-fanging ---------------------------------------------------------------

# Every alternative starts with a literal character class, so the regex
# engine skips ahead quickly on text without any of them.
_FANG = re.compile(
    r"[ \t]?[\[({](?:\.|dot)[\])}](?:[ \t]|\r?\n(?=[a-z0-9]{2,24}\b))?"  # [.] (.) {.} [dot], with the spaces
    # people put around them, or the line break a mail client wrapped the name at ("apkboxx [.]\ncom/")
    r"|[\[({](?::|://|/)[\])}]"  # [:] [://] [/]
    r"|[hH](?:[xX]{2}|\*\*|[tT]{2})(?:[pP][sS]?)(?:\[:\]|(?=:))"  # hxxp: hxxps: h**p: http[:]
    # "hXXp go [dot] example [dot] com/x": no colon at all, a host name after it
    r"|[hH](?:[xX]{2}|\*\*)[pP][sS]?[ \t](?=[A-Za-z0-9][\w-]{0,62}(?:\.|[ \t]?[\[({](?:\.|dot)[\])}][ \t]?)[A-Za-z0-9])"
    r"|(?<![\w])[fF][xX][pP](?=:|\[:\])"  # fxp:
    r"|://[ \t]{1,3}(?=[A-Za-z0-9])"  # "https:// example.org": a space after the scheme
    # A web server logs a backslash in a request escaped: "wget+http:/\x5C/198.51.100.7/x.sh" is the
    # link "http://198.51.100.7/x.sh" with its slashes written "/\", as shell payloads do.
    r"|:/(?:\\x5[cC]|\\)/(?=[A-Za-z0-9\[])",
)


def _fang(m: re.Match) -> str:
    token = m.group(0).strip().lower()
    if token == "://" or token.startswith(":/"):
        return "://"
    if token[0] in "[({":
        inner = token[1:-1]
        return "." if inner in (".", "dot") else inner
    if token.startswith("f"):
        return "ftp"
    scheme = "https" if token.rstrip("[:]").endswith("s") else "http"
    if m.group(0)[-1] in " \t":
        return scheme + "://"  # the scheme written without its colon and slashes
    return scheme + (":" if token.endswith("[:]") else "")


def refang(text: str) -> str:
    """Undo the usual defanging of IPs, URLs and domains."""
    if not text:
        return text
    return _FANG.sub(_fang, text)


# --- IP addresses ---------------------------------------------------------------

# IPv6 candidates: a run of hex digits, colons and dots (mapped IPv4 tail),
# validated by ipaddress. One character class, one quantifier: linear.
_V6_TOKEN = re.compile(r"[0-9A-Fa-f:.]{2,60}(?:%[0-9A-Za-z]{1,16})?")
# Not followed by ".label": "7.100.51.198.zen.dnsbl.example" is a DNSBL query name
# (the address reversed) and "192.0.2.7.static.isp.example" a host name, not addresses.
_V4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?(?![\w]|\.\w)")
_V6_PORT = re.compile(r"\]:(\d{1,5})")

_DOC_NETS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass(slots=True, frozen=True)
class FoundIP:
    ip: str  # normalised (compressed IPv6, plain dotted IPv4)
    port: int | None
    start: int
    end: int
    private: bool  # RFC 1918 / ULA / CGNAT: kept, but rarely the subject


@lru_cache(maxsize=65536)
def normalise_ip(text: str) -> str | None:
    """Canonical form of an IP address, or None if it is not one; leading
    zeros in IPv4 octets are read as decimal (log files pad them).
    `lib.ipaddr.canonical_ip` is the one parser; this caches it."""
    return canonical_ip(text)


@lru_cache(maxsize=65536)
def ip_usable(ip: str) -> bool:
    """Can this address be an offender on the Internet? Documentation ranges
    count (the demo and the tests use them); loopback, unspecified, multicast,
    link-local and reserved ones do not."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if any(addr in net for net in _DOC_NETS if net.version == addr.version):
        return True
    if addr.is_loopback or addr.is_unspecified or addr.is_multicast or addr.is_link_local:
        return False
    if addr.is_reserved:
        return False
    if isinstance(addr, ipaddress.IPv4Address) and (addr in ipaddress.IPv4Network("0.0.0.0/8") or
                                                    addr == ipaddress.IPv4Address("255.255.255.255")):
        return False
    return True


@lru_cache(maxsize=65536)
def ip_private(ip: str) -> bool:
    """RFC 1918, unique-local, CGNAT: internal addresses of somebody's network."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if any(addr in net for net in _DOC_NETS if net.version == addr.version):
        return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return True
    return addr.is_private


def find_ips(text: str, *, keep_private: bool = True) -> list[FoundIP]:
    """All usable IP addresses in `text`, in order of appearance (duplicates
    kept: callers decide). Port is set for `ip:port` and `[v6]:port`."""
    found: list[FoundIP] = []
    v6_spans: list[tuple[int, int]] = []
    if ":" in text:
        for m in _V6_TOKEN.finditer(text):
            token = m.group(0)
            if token.count(":") < 2:
                continue
            start, end = m.start(), m.end()
            # Trim sentence punctuation and a single trailing colon (`addr: ...`).
            while token.endswith(".") or (token.endswith(":") and not token.endswith("::")):
                token = token[:-1]
                end -= 1
            while token.startswith(":") and not token.startswith("::"):
                token = token[1:]
                start += 1
            ip = normalise_ip(token)
            if ip is None or not ip_usable(ip):
                continue
            port = None
            pm = _V6_PORT.match(text, end) if end < len(text) else None
            if pm and start > 0 and text[start - 1] == "[":
                port = _port(pm.group(1))
            v6_spans.append((start, end))
            private = ip_private(ip)
            if private and not keep_private:
                continue
            found.append(FoundIP(ip, port, start, end, private))
    for m in _V4.finditer(text):
        start = m.start(1)
        if v6_spans and any(a <= start < b for a, b in v6_spans):
            continue  # the tail of a mapped IPv6 address, already counted
        ip = normalise_ip(m.group(1))
        if ip is None or not ip_usable(ip):
            continue
        private = ip_private(ip)
        if private and not keep_private:
            continue
        found.append(FoundIP(ip, _port(m.group(2)), start, m.end(), private))
    found.sort(key=lambda f: f.start)
    return found


def _port(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value if 0 < value < 65536 else None


# --- URLs and domains ---------------------------------------------------------

_URL = re.compile(
    r"\b(?:https?|ftps?)://(?:\[[0-9A-Fa-f:.]{2,60}\]|[^\s/?#<>\"'`\[\]{}|\\^]{1,253})"
    r"[^\s<>\"'`{}|\\^]{0,2048}",
    re.IGNORECASE,
)
_TRAIL = ".,;:!?'\")]}>*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?<![\w.@-])(?:{_LABEL}\.){{1,10}}(?:[a-z]{{2,24}}|xn--[a-z0-9-]{{1,59}})(?![\w-]|\.\w)",
                     re.IGNORECASE)
# Suffixes that are far more often file names than domains in abuse mail.
_FILE_SUFFIXES = frozenset(
    "txt log csv xml json html htm php asp aspx jsp png jpg jpeg gif pdf doc docx xls xlsx eml msg exe dll "
    "zip gz tgz rar js css sh py pl cgi bin dat tmp bak cfg conf ini yml yaml md pac apk".split()
)


def _clean_url(url: str) -> str | None:
    # Strip trailing punctuation, but keep a ')' that closes a '(' in the URL.
    while url and url[-1] in _TRAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    return url


def url_host(url: str) -> str | None:
    """Host of a URL, lower case, without brackets; None if unparseable."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


_URLDEFENSE_V3 = re.compile(r"(?i)^https?://urldefense(?:\.proofpoint)?\.com/v3/__(.{1,2048}?)__;")
_WRAPPER_PARAM = {"safelinks.protection.outlook.com": "url", "urldefense.proofpoint.com": "u",
                  "linkprotect.cudasvc.com": "a", "scanmail.trustwave.com": "u"}


def unwrap_url(url: str) -> str:
    """The URL a mail gateway's link wrapper stands for (Microsoft Safe
    Links, Proofpoint URL Defense v2/v3, Barracuda Link Protection, Trustwave
    MailMarshal's scanmail, also one inside another): the
    wrapper is the reporter's own gateway, the wrapped URL is what was
    reported. Other URLs unchanged."""
    if "urldefense" in url:
        m = _URLDEFENSE_V3.match(url)
        if m:
            # v3 keeps the URL as it was, but some gateways write the scheme's "//" as "/".
            return _clean_url(re.sub(r"(?i)^(https?|ftp):/(?!/)", r"\1://", m.group(1))) or url
    host = url_host(url) or ""
    for suffix, param in _WRAPPER_PARAM.items():
        if host == suffix or host.endswith("." + suffix):
            query = parse_qs(urlsplit(url).query)
            value = (query.get(param) or [""])[0]
            if suffix == "urldefense.proofpoint.com":  # v2 encodes "%" as "-" and "/" as "_"
                value = unquote(value.replace("-", "%").replace("_", "/"))
            value = _clean_url(value) if re.match(r"(?i)^(?:https?|ftp)://", value) else None
            if value and value != url and _is_wrapped(value):
                return unwrap_url(value)  # Safe Links around a scanmail link
            return value or url
    return url


def _is_wrapped(url: str) -> bool:
    return "urldefense" in url or "safelinks" in url or "linkprotect" in url or "scanmail.trustwave" in url


def find_urls_at(text: str) -> list[tuple[str, int]]:
    """(URL, position) for URLs with a scheme (http, https, ftp), in order,
    each URL once; link wrappers unwrapped."""
    out: list[tuple[str, int]] = []
    seen = set()
    for m in _URL.finditer(text):
        url = _clean_url(m.group(0))
        if url and _is_wrapped(url):
            url = unwrap_url(url)
        if url and url not in seen:
            seen.add(url)
            if _internet_host(url_host(url)):
                out.append((url, m.start()))
    return out


def _internet_host(host: str | None) -> bool:
    """Can this host be reached on the internet? Not "localhost" or another
    single label (a reporter's own tool output), not a name cut by a
    quoted-printable soft break ("cdn-images.mail="), not a name with an
    empty label ("vev..io", a typo of the notice's)."""
    return bool(host) and ("." in host or ":" in host) and "=" not in host and host != "localhost" and \
        ".." not in host and not host.startswith(".")


def find_urls(text: str) -> list[str]:
    """URLs with a scheme (http, https, ftp), in order, deduplicated."""
    return [url for url, _ in find_urls_at(text)]


def find_domains_at(text: str, limit: int = 1000) -> list[tuple[str, int]]:
    """(domain, first position) of domain names that are not the local part
    of an e-mail address nor a file name; lower case, in order."""
    out: list[tuple[str, int]] = []
    seen = set()
    for m in _DOMAIN.finditer(text):
        domain = m.group(0).lower().rstrip(".")
        tld = domain.rsplit(".", 1)[-1]
        if tld in _FILE_SUFFIXES or tld.isdigit():
            continue
        end = m.end()
        if end < len(text) and text[end] == "@":
            continue  # local part of an e-mail address
        if domain not in seen:
            seen.add(domain)
            out.append((domain, m.start()))
            if len(out) >= limit:
                break
    return out


def find_domains(text: str) -> list[str]:
    """Domain names (not e-mail addresses, not file names), lower case, in order."""
    return [domain for domain, _ in find_domains_at(text)]


def registrable_domain(host: str) -> str:
    """A cheap approximation of the registrable domain (no public suffix
    list): the last two labels, three for `co.uk`-style second levels."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# --- timestamps -----------------------------------------------------------------

_TS_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%d.%m.%Y %H:%M:%S %z",
    "%d-%m-%Y %H:%M:%S %z",
    "%d.%m.%Y %H:%M %z",
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d/%b/%Y:%H:%M:%S %z",
    "%b %d %Y %H:%M:%S",
    "%a, %d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%Y-%m-%d",
)


def parse_when(value: str | None) -> datetime | None:
    """A timestamp in any of the usual notations, as aware UTC; naive times
    are taken as UTC. None if it is not a plausible time."""
    if not value:
        return None
    text = value.strip().strip("\"'")[:64]
    if not text:
        return None
    zone = re.search(r" ?\(?\b(UTC|GMT|CET|CEST|MEZ|MESZ)\)?$", text)
    if zone and not re.search(r"(?:Z|[+-]\d{2}:?\d{2})$", text[: zone.start()].strip()):
        text = text[: zone.start()].strip() + " " + _ZONE_OFFSETS[zone.group(1)]
    when = None
    iso = text.replace(" UTC", "+00:00").replace(" GMT", "+00:00")
    if iso.endswith("Z"):
        iso = iso[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        pass
    if when is None and re.match(r"^\d{9,10}(?:\.\d+)?$", text):
        try:
            when = datetime.fromtimestamp(float(text), tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
    if when is None:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
    if when is None:
        cleaned = re.sub(r"\s+(?:UTC|GMT|Z)$", "", text)
        for fmt in _TS_FORMATS:
            try:
                when = datetime.strptime(cleaned, fmt)
                break
            except ValueError:
                continue
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not 1990 <= when.year <= 2100:
        return None
    return when


# A timestamp somewhere in a line of text (logs, "Date: ..." lines).
_ZONE = r"(?: ?\(?(?:UTC|GMT|CET|CEST|MEZ|MESZ|Z)\)?)?"
_TS_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}" + _ZONE + ")?"
    r"|\d{1,2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}"
    r"|\d{2}[.-]\d{2}[.-]\d{4},? (?:um )?\d{2}:\d{2}(?::\d{2})?(?: Uhr)?" + _ZONE
)
# Zone names people write after local times (the notices of our jurisdictions).
_ZONE_OFFSETS = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "CET": "+01:00", "MEZ": "+01:00",
                 "CEST": "+02:00", "MESZ": "+02:00"}


def find_times(text: str, limit: int = 1000) -> list[datetime]:
    """Timestamps that appear in text (ISO-8601, Apache log, dd.mm.yyyy)."""
    out = []
    for m in _TS_IN_TEXT.finditer(text):
        when = parse_when(m.group(0).replace(",", "").replace(" um ", " ").replace(" Uhr", ""))
        if when:
            out.append(when)
            if len(out) >= limit:
                break
    return out
