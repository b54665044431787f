"""The hosting address a notice states beside a reported URL.

Phishing reports, removal orders and copyright or trademark notices often
name the server a URL was found on right next to it: on the URL's line
("https://x.example/p [198.51.100.7]", "... x.example/p, hosted at IP
198.51.100.7"), on the line after it ("Hosted on IP address 198.51.100.7",
"IP: 198.51.100.7", "gehostet auf 198.51.100.7"), or in the sentence that
introduces it ("... on server 198.51.100.7:" and the URL below). That address
is where the content was when it was reported: it belongs to the URL's event
(the case must not depend on a DNS answer that may have changed since), not
to an event of its own.

`pair_hosting` gives each URL event without an address the one address so
stated beside it and drops the bare event of that address, if the parser made
one. Only an address under a hosting word counts (a sentence that merely
names an address next to a link, "reported from 192.0.2.5", does not), and
only for reports about content: in a spam complaint an address beside the
advertised link is the sending server, a thing of its own.
"""

from __future__ import annotations

import re

from .base import ParsedNotice
from .extract import find_ips, find_urls_at, normalise_ip, url_host
from .roles import labelled_ips

# Reports whose URL is the thing reported (content on a server), not an advertised link.
CONTENT_CATEGORIES = frozenset({
    "phishing", "fraud", "copyright", "malware", "terrorism", "csam",
})

# After the URL (the rest of its line, the next line): a hosting word, then the address.
_AFTER = re.compile(
    r"(?i)(?:\bhosted\s+(?:on|at|by)|\blocated\s+(?:on|at)|\bresolv(?:es|ing|ed)\s+to|\bserved\s+from"
    r"|\bgehostet\s+(?:auf|bei|unter)|\bgehost\s+op|\bgehuisvest\s+op|\bliegt\s+auf)"
    r"(?:\s+(?:the\s+|dem\s+|der\s+|de\s+)?(?:server|host|ip[ -]?address|ip-adresse|ip[ -]?adres|ip|adresse|adres))?"
    r"[ \t]*[:=]?[ \t]*\[?(?=[0-9]|[0-9a-f]{1,4}:)"
    r"|(?:^|\n)[ \t]*(?:(?:hosting|server|host|website|site)[ _-]?)?ip(?:[ _-]?(?:address|adresse|adres))?"
    r"[ \t]*[:=][ \t]*\[?(?=[0-9]|[0-9a-f]{1,4}:)"
)
# Before the URL: the sentence that introduces it ends with a colon right after the address.
_BEFORE = re.compile(
    r"(?i)(?:\bhosted\b|\bserver\b|\blocated\b|\bgehostet\b|\bgehost\b)[^\n]{0,80}?"
    r"\b([0-9a-f][0-9a-f:.]{2,44})[ \t]*\]?[ \t]*:[ \t]*$"
)
# Right after the URL: "[198.51.100.7]" or "(198.51.100.7)".
_BRACKET = re.compile(r"^[ \t]*[\[(]([0-9a-fA-F:.]{3,45})[\])]")


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


def _next_line(text: str, end: int) -> str:
    """The next non-empty line after the line ending at `end`."""
    while end < len(text):
        nxt = text.find("\n", end + 1)
        nxt = len(text) if nxt == -1 else nxt
        line = text[end + 1: nxt]
        if line.strip():
            return line
        end = nxt
    return ""


def _previous_line(text: str, start: int) -> str:
    """The last non-empty line before the line starting at `start`."""
    end = start - 1
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if line.strip():
            return line
        end = begin - 1
    return ""


def stated_beside(text: str, pos: int, url: str) -> str | None:
    """The one public address `text` states as the hosting location of the URL
    at `pos`, or None (none, or more than one)."""
    host = url_host(url) or ""
    end_of_url = pos + len(url)
    start, end = _line_bounds(text, pos)
    ips: set[str] = set()
    bracket = _BRACKET.match(text[end_of_url: end_of_url + 64])
    if bracket:
        ip = normalise_ip(bracket.group(1))
        if ip and not [f for f in find_ips(ip) if f.private]:
            ips.add(ip)
    ips.update(labelled_ips(text[end_of_url:end] + "\n" + _next_line(text, end), _AFTER))
    if not ips and not text[start:pos].strip():
        before = _BEFORE.search(_previous_line(text, start))
        if before:
            found = find_ips(before.group(1))
            if found and not found[0].private:
                ips.add(found[0].ip)
    ips.discard(normalise_ip(host) or "")
    return next(iter(ips)) if len(ips) == 1 else None


def pair_hosting(text: str, notice: ParsedNotice) -> None:
    """Give each URL event of `notice` without an address the hosting address
    `text` states beside the URL; drop the bare events of the addresses so
    paired (they were the same report)."""
    if notice.category not in CONTENT_CATEGORIES:
        return
    open_hosts = {url_host(e.url) or "" for e in notice.events if e.url and not e.ip}
    if not open_hosts:
        return
    stated: dict[str, set[str]] = {}
    for url, pos in find_urls_at(text):
        host = url_host(url) or ""
        if host in open_hosts:
            ip = stated_beside(text, pos, url)
            stated.setdefault(host, set()).add(ip or "")
    paired: set[str] = set()
    for event in notice.events:
        if event.url and not event.ip:
            ips = stated.get(url_host(event.url) or "", set()) - {""}
            if len(ips) == 1:
                event.ip = next(iter(ips))
                paired.add(event.ip)
    if paired:
        notice.events[:] = [e for e in notice.events if e.url or e.domain or e.ip not in paired]
