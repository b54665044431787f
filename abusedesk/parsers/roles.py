"""The role of what a human-written notice shows: which parts of its text
name the offender, and which are context.

An address that merely appears in a notice is not an offender. Reporters
paste whois output (the offender's network and the registry's servers),
mail headers (their own relays, SPF and authentication results), DNSBL
query names, and log rows that name both ends of a connection, of which
one is their own server or our customer's victim. `context_mask` blanks
those parts out of the text (same length, same line breaks, so positions
found in the masked text are positions in the original), and the
extractors then read only what is left:

- whois and RIR output: `%` and `#` comment lines and `key: value` lines
  with keys only registries use (NetRange, inetnum, parent, OrgAbuseEmail,
  mnt-by ...; not words reports use too, such as Source or Address);
- mail header lines in the body (Received, Received-SPF,
  Authentication-Results, ARC-*, DKIM-Signature, X-*, Return-Path,
  Message-ID) with their folded continuation lines: the parsers read the
  Received chain on its own (the origin hop), the rest is relays; also
  the address of an SPF result whose key line was lost ("designates x as
  permitted sender", "client-ip=x") and a Received fold alone on its line
  ("(2001:db8::45) by mx7.example.net");
- table rows whose header row names columns (also a `#` or `;` comment
  header; quoted fields may hold the delimiter; a CSV row the mail client
  wrapped inside a field is read as one): the fields under a column that
  names the destination, target, victim or the reporter's side (`dst_ip`,
  `dest_ip`, `Destination IP`, `Target IP`, `honeypot`) are blanked; the
  column that names the source stays;
- the `Host:` header of a pasted HTTP request (the attacked server) and a
  domain whois' `Name Server:` lines.

What the text itself says about one address ("our server 192.0.2.1",
"DST=", "-> 192.0.2.1") is decided next to the address, in
`common.not_offender_before`.
"""

from __future__ import annotations

import re

from .common import disowned, not_offender_before
from .extract import find_domains_at, find_ips, registrable_domain

# Registries' whois keys (ARIN, RIPE, APNIC, LACNIC, AFRINIC, RDAP renderings).
_WHOIS_LINE = re.compile(
    r"(?im)^[ \t>]*(?:%|#(?!\s*\d)|(?:netrange|cidr|inetnum|inet6num|netname|nethandle|parent|nettype|originas|"
    r"orgname|orgid|orgabuse\w*|orgtech\w*|orgnoc\w*|rabuse\w*|rtech\w*|rnoc\w*|regdate|route6?|admin-c|tech-c|"
    r"abuse-c|abuse-mailbox|mnt-[a-z-]+|nic-hdl|aut-num|as-name|org-name|org-type|inetrev|nserver|ownerid|"
    r"in-addr server|name ?server)[ \t]*:|ref[ \t]*:[ \t]*(?:\[\d+\])?https?://rdap\.).*$"
)
# A range as whois tools render it, on two lines ("From IP: a" / "To IP: b", "Start IP" /
# "End IP"): the ends of a network, not addresses of their own. One such line alone is no
# range ("From IP: x" in a log report is the source).
_RANGE_LINES = re.compile(
    r"(?im)^[ \t>]*(?:from|start|first)[ _-]?ip(?:[ _-]?address)?[ \t]*:[^\n]*\n"
    r"[ \t>]*(?:to|end|last)[ _-]?ip(?:[ _-]?address)?[ \t]*:[^\n]*$"
)
# Header lines of a mail pasted or quoted into the body (not the notice's own headers, which
# are not in the body), plus their folded continuation lines.
_HEADER_LINE = re.compile(
    r"(?im)^[ \t>]*(?:received|received-spf|authentication-results|arc-[a-z-]+|dkim-signature|x-[a-z0-9-]+|"
    r"return-path|message-id|domainkey-signature|list-unsubscribe|delivered-to|user-agent|feedback-id)[ \t]*:.*(?:\n[ \t]+\S.*){0,30}"
)
# The address in an SPF result whose header key was lost when the chain was pasted (its fold
# lines copied without indentation): "... designates 192.0.2.41 as permitted sender)",
# "client-ip=192.0.2.41". The mail's relay as the receiver checked it, not a statement.
_SPF_RESULT = re.compile(
    r"(?i)\b(?:designates?\s+|client-ip=)[0-9a-f:.]{3,45}"  # a literal first: linear on any text
)
# A fold of a Received header on a line of its own, its indentation and key lost in the copy
# (a chain pasted double-spaced, or out of an HTML view): "(2001:db8::45) by mx7.example.net",
# "by mx7.example.net (198.51.100.12) with ...", "from a.example ([10.1.2.6]) by b.example with
# LMTP". A line that starts with a receiving host's clause is header, not prose.
_RECEIVED_FOLD = re.compile(
    r"(?im)^[ \t>]*(?:from\s+\S{1,255}\s+)?(?:\([^()\n]{1,300}\)\s+)?by\s+[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,10}\.?"
    r"(?:\s+\([^()\n]{1,300}\))?(?:\s+(?:with|id|via|for)\b.*)?[ \t]*$"
)
_DEST_WORDS = re.compile(
    r"(?i)^(?:dst|dest|destination|target|victim|honeypot|sensor|trap|dst[ _]?ip|dest(?:ination)?[ ._]?ip\w*|"
    r"target[ _]?ip|victim[ _]?ip|dst[ _]?host|dest(?:ination)?[ _]?host(?:name)?|dst_hostname|"
    r"(?:destination|target)\s*ip\s*/\s*port|reporter[ _]?ip|server[ _]?ip|local[ _]?ip|attacked[ _]?ip|"
    r"dest(?:ination)?\.? port|dst[ _]?port|target[ _]?port|dst[ _]?addr(?:ess)?|dest(?:ination)?[ _]?addr(?:ess)?)$"
)
_SOURCE_WORDS = re.compile(
    r"(?i)^(?:src|source|src[ _]?ip|source[ _]?ip\w*|ip|ip[ _]?address|attacker(?:[ _]?ip)?|offender|time|date|"
    r"remote[ _]?ip|client[ _]?ip|infected[ _]?ip|bot[ _]?ip|src[ _]?addr(?:ess)?|source[ _]?addr(?:ess)?)$"
)
_DELIMITERS = ("\t", ",", ";", "|")
_TAB_RUN = "\t+"  # the columns of a table padded with tabs


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _fields(line: str, delimiter: str | None, quoted: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each field of a delimited table line."""
    spans, start = [], 0
    if delimiter == _TAB_RUN:
        for m in re.finditer(r"\t+", line):
            spans.append((start, m.start()))
            start = m.end()
    elif '"' not in line and not quoted:
        for i, ch in enumerate(line):
            if ch == delimiter:
                spans.append((start, i))
                start = i + 1
    else:
        # A quoted field may hold the delimiter ("May 27, 2022 @ 22:55:04",Canada,...); `quoted`:
        # the line goes on with a quoted field cut on the line before.
        for i, ch in enumerate(line):
            if ch == '"':
                quoted = not quoted
            elif ch == delimiter and not quoted:
                spans.append((start, i))
                start = i + 1
    spans.append((start, len(line)))
    return spans


def _header(line: str) -> tuple[str | None, list[tuple[int, int]], int] | None:
    """A table header naming a source column and a destination column:
    (delimiter or None for columns aligned by spaces, the destination
    columns' spans, the number of columns)."""
    if len(line) > 1000 or not line.strip():
        return None
    delimiter = next((d for d in _DELIMITERS if d in line), None)
    if delimiter == "\t" and "\t\t" in line.strip("\t"):
        # Names padded with tabs to the width of the values ("Timestamp\t\t\tSrcIP\t\tSrcPort"):
        # a run of tabs is one gap, in the header and in the rows.
        delimiter = _TAB_RUN
    if delimiter:
        spans = _fields(line, delimiter)
    else:
        # Aligned columns: names are separated by two or more spaces ("Src IP  Src Port").
        spans = [m.span() for m in re.finditer(r"\S+(?: \S+)*", line)]
    names = [line[a:b].strip().strip("\"'#;>").strip() for a, b in spans]
    if len(names) < 2:
        return None
    dest = [i for i, n in enumerate(names) if _DEST_WORDS.match(n)]
    if not dest or not any(_SOURCE_WORDS.match(n) for n in names):
        return None
    if delimiter:
        return delimiter, [(i, i) for i in dest], len(spans)
    return None, [spans[i] for i in dest] + [(-1, -1)] + spans, len(spans)


def _aligned_column(span: tuple[int, int], columns: list[tuple[int, int]]) -> bool:
    """Is this token of an aligned table under a destination column? It is
    under the name it overlaps (columns are left- or right-aligned), else
    under the last name that starts before it. `columns`: the destination
    names' spans, (-1, -1), then every name's span."""
    cut = columns.index((-1, -1))
    dest, names = columns[:cut], columns[cut + 1:]
    start, end = span
    overlapping = [n for n in names if n[0] < end and start < n[1]]
    if overlapping:
        best = max(overlapping, key=lambda n: min(end, n[1]) - max(start, n[0]))
        return best in dest
    before = [n for n in names if n[0] <= start]
    return bool(before) and before[-1] in dest


_CELL_NAME = re.compile(r"^[A-Za-z][\w .#/()+-]{0,30}$")  # "Date/Time(GMT+9)"


def _mask_vertical_tables(text: str, chars: list[str]) -> None:
    """HTML tables become one cell per line: a run of column names (one
    naming the source, one the destination), then the rows' cells in the
    same order. Cells under a destination column are blanked."""
    cells = [(m.start(), m.end(), m.group(0).strip()) for m in re.finditer(r"[^\n]+", text[:2_000_000])
             if m.group(0).strip()]
    i = 0
    while i < len(cells):
        names = []
        j = i
        while j < len(cells) and _CELL_NAME.match(cells[j][2]) and len(names) < 20:
            names.append(cells[j][2])
            j += 1
        dest = [k for k, n in enumerate(names) if _DEST_WORDS.match(n)]
        if len(names) < 3 or not dest or not any(_SOURCE_WORDS.match(n) for n in names):
            i = max(j, i + 1)
            continue
        k = 0
        while j < len(cells):
            start, end, cell = cells[j]
            if len(cell) > 80 or (k % len(names) == 0 and not any(c.isdigit() for c in cell)):
                break
            if k % len(names) in dest:
                _blank(chars, start, end)
            j += 1
            k += 1
        i = j


def _wrapped(line: str, following: list[str], delimiter: str, have: int, count: int) -> bool:
    """Is this short CSV line the start of a row the mail client wrapped, that
    the next line completes to exactly the header's number of fields?"""
    if delimiter not in ",;" or not following or ('"' in line and line.count('"') % 2 == 0):
        return False
    return have + len(_fields(following[0], delimiter, quoted='"' in line)) - 1 == count


def _mask_tables(text: str, chars: list[str]) -> None:
    pos = 0
    table = None  # (delimiter, destination columns, column count) of the table being read
    carried = 0  # fields of a row the mail client wrapped onto the next line, read on the line before
    in_quote = False
    skip = -1  # the last line of a row wrapped over several lines, masked already
    header_at = -2  # the line of the header just read
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index <= skip:
            pos += len(line) + 1
            continue
        if table is not None:
            delimiter, dest, count = table
            if not line.strip():
                table = None
            elif delimiter in (",", ";") and index == header_at + 1 and len(line) < 200 and \
                    not any(c.isdigit() for c in line):
                # The header's own last name wrapped ("...,More" / "info"): its fields go on here.
                table = (delimiter, dest, count + len(_fields(line, delimiter)) - 1)
            elif delimiter in (",", ";") and not carried and len(_fields(line, delimiter)) < count - 1 and \
                    (plan := _wrapped_lines(lines, index, delimiter, count)):
                # A row the mail client wrapped over several lines (inside fields, at spaces).
                start, offset = pos, 0
                for k, spans in enumerate(plan):
                    for i, _ in dest:
                        if 0 <= i - offset < len(spans):
                            _blank(chars, start + spans[i - offset][0], start + spans[i - offset][1])
                    offset += len(spans) - 1
                    start += len(lines[index + k]) + 1
                skip = index + len(plan) - 1
            elif delimiter:
                spans = _fields(line, delimiter, quoted=bool(carried) and in_quote)
                if carried and abs(carried + len(spans) - 1 - count) <= 1:
                    # The rest of a wrapped row: its first field goes on with the field cut on the line before.
                    for i, _ in dest:
                        if i >= carried - 1 and i - carried + 1 < len(spans):
                            _blank(chars, pos + spans[i - carried + 1][0], pos + spans[i - carried + 1][1])
                    carried = 0
                elif not carried and 1 < len(spans) < count - 1 and _wrapped(line, lines[index + 1: index + 2],
                                                                               delimiter, len(spans), count):
                    carried = len(spans)  # a row wrapped inside a field: it goes on on the next line
                    in_quote = line.count('"') % 2 == 1
                    for i, _ in dest:
                        if i < len(spans):
                            _blank(chars, pos + spans[i][0], pos + spans[i][1])
                elif abs(len(spans) - count) > 1:
                    table, carried = None, 0
                else:
                    carried = 0
                    for i, _ in dest:
                        if i < len(spans):
                            _blank(chars, pos + spans[i][0], pos + spans[i][1])
            else:
                for m in re.finditer(r"\S+", line):
                    if _aligned_column(m.span(), dest):
                        _blank(chars, pos + m.start(), pos + m.end())
        if table is None:
            lowered = line.lower()
            if "ip" in lowered or "dst" in lowered or "dest" in lowered or "target" in lowered:
                table = _header(line)
                header_at = index
        pos += len(line) + 1


def _wrapped_lines(lines: list[str], index: int, delimiter: str, count: int) -> list[list[tuple[int, int]]]:
    """The fields of each line of a row that starts at `index` and that the mail client wrapped
    over up to four lines (each line going on with the field cut on the one before), if they
    add up to exactly the header's `count`; else []."""
    plan, total = [], 0
    for line in lines[index:index + 4]:
        if not line.strip() or '"' in line:
            return []
        spans = _fields(line, delimiter)
        total += len(spans) - (1 if plan else 0)
        plan.append(spans)
        if total == count:
            return plan if len(plan) > 1 else []
        if total > count:
            return []
    return []


_TRACEROUTE = re.compile(r"(?im)^.*\btrace ?route\b.*$")
_HOP = re.compile(r"^[ \t>*]*\d{1,2}[ \t.]")


def _mask_traceroutes(text: str, chars: list[str]) -> None:
    """A pasted traceroute names every router on the way: the hops are
    context, only the last one (the traced host) stays."""
    for m in _TRACEROUTE.finditer(text[:2_000_000]):
        hops = []
        pos = m.end() + 1
        while pos < len(text) and len(hops) < 64:
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            line = text[pos:end]
            if _HOP.match(line):
                hops.append((pos, end))
            elif len(line.split()) > 1 and hops:
                break  # "Trace complete"; a hop's host name on its own line does not end it
            pos = end + 1
        for start, end in hops[:-1]:
            _blank(chars, start, end)


_HTTP_REQUEST = re.compile(r"(?im)^[ \t>]*(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|PROPFIND) \S{1,2000} HTTP/\d(?:\.\d)?[ \t\r]*$")


def _mask_request_hosts(text: str, chars: list[str]) -> None:
    """A pasted HTTP request names the attacked server in its `Host:` header
    (the header lines below the request line, up to the first blank one)."""
    for m in _HTTP_REQUEST.finditer(text[:2_000_000]):
        pos = m.end() + 1
        for _ in range(30):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            line = text[pos:end]
            if not line.strip() or ":" not in line:
                break
            if line.lstrip(" \t>").lower().startswith("host:"):
                _blank(chars, pos, end)
            pos = end + 1


# Fail2Ban's notice names the site whose log caught the address right under the ban ("The IP x
# has just been banned by Fail2Ban after 6 attempts against apache.\n\nDomain: site.example
# (192.0.2.30)"): the jail's own site, the victim.
_FAIL2BAN_DOMAIN = re.compile(r"(?i)banned\s+by\s+fail2ban\b[^\n]*(?:\n[^\n]*){0,4}?\n([ \t>]*domain:[^\n]*)")


def _mask_fail2ban_domains(text: str, chars: list[str]) -> None:
    for m in _FAIL2BAN_DOMAIN.finditer(text[:2_000_000]):
        _blank(chars, m.start(1), m.end(1))


# Drupal's syslog line: "drupal: base_url|timestamp|type|ip|request_uri|referer|uid|link|message".
# The base URL, the request and the referer are the site's own links (the attacked server, often
# by its address); the ip field is the client. A mail client may wrap the line inside a field.
_DRUPAL_LINE = re.compile(r"drupal(?:\[\d{1,10}\])?:[ \t]*(?:\[\d{1,4}\])?(\S{1,300}?)\|\d{9,11}\|[^|]{0,100}\|[^|\n]{0,60}\|"
                          r"([^|]{0,2000})\|([^|]{0,2000})\|")


def _mask_drupal_lines(text: str, chars: list[str]) -> None:
    for m in _DRUPAL_LINE.finditer(text[:2_000_000]):
        for group in (1, 2, 3):
            _blank(chars, m.start(group), m.end(group))


def context_mask(text: str) -> str:
    """`text` with its context parts blanked (see the module docstring)."""
    if not text:
        return text
    chars: list[str] | None = None
    lowered = text.lower()
    patterns = [_WHOIS_LINE, _HEADER_LINE, _RANGE_LINES]
    if "designate" in lowered or "client-ip=" in lowered:
        patterns.append(_SPF_RESULT)
    if "by " in lowered:
        patterns.append(_RECEIVED_FOLD)
    for pattern in patterns:
        for m in pattern.finditer(text):
            if chars is None:
                chars = list(text)
            end = m.end()
            if pattern is _WHOIS_LINE and m.group(0).count("(") > m.group(0).count(")"):
                # A value whose bracket the line leaves open goes on on the next line ("Name Server:
                # ns1.example (192.0.2.1 and\n2001:db8::1) (Host)").
                nxt = text.find("\n", end + 1, end + 300)
                end = nxt if nxt != -1 else (len(text) if len(text) - end < 300 else end)
            _blank(chars, m.start(), end)
    lowered = lowered[:200_000]
    if " http/1" in lowered and "host:" in lowered:
        if chars is None:
            chars = list(text)
        _mask_request_hosts(text, chars)
    if "drupal" in lowered:
        if chars is None:
            chars = list(text)
        _mask_drupal_lines(text, chars)
    if "fail2ban" in lowered and "domain:" in lowered:
        if chars is None:
            chars = list(text)
        _mask_fail2ban_domains(text, chars)
    if "traceroute" in lowered or "trace route" in lowered:
        if chars is None:
            chars = list(text)
        _mask_traceroutes(text, chars)
    if "dst" in lowered or "dest" in lowered or "target" in lowered or "victim" in lowered or "honeypot" in lowered:
        if chars is None:
            chars = list(text)
        _mask_tables(text, chars)
        _mask_vertical_tables(text, chars)
    if chars is not None and "[" in text:
        _mask_footnotes(text, chars)
    return "".join(chars) if chars is not None else text


# A mail rendered from HTML lists its links at the end ("[11] http://..."), each numbered where it
# stood ("drupal: [11]http://..."): a link masked where it stood is masked in the list too.
_FOOTNOTE_REF = re.compile(r"\[(\d{1,4})\](?=\S)")
_FOOTNOTE_LINE = re.compile(r"(?m)^[ \t]*\[(\d{1,4})\][ \t]+\S+[ \t\r]*$")


def _mask_footnotes(text: str, chars: list[str]) -> None:
    masked = {m.group(1) for m in _FOOTNOTE_REF.finditer(text[:2_000_000])
              if chars[m.end()] == " " and not text[m.end()].isspace()}
    if masked:
        for m in _FOOTNOTE_LINE.finditer(text[:2_000_000]):
            if m.group(1) in masked:
                _blank(chars, m.start(), m.end())


# The address a notice states as where the reported content is (copyright,
# phishing, removal orders): "IP Address: x", "Infringer's IP: x", "hosted on
# server x", "located at IP address x", "<PeerIP>x</PeerIP>", "url [x]".
_HOSTING_LABEL = re.compile(
    r"(?i)(?:\b(?:infringer'?s?|infringing|server|hosting|host|origin|peer|offending|source)[ _-]?ip(?:[ _-]?address)?"
    r"|\bip[ _-]?address(?:es)?(?:\s+of\s+the\s+(?:server|host|site|website))?|\bip|<peerip>"
    r"|\bhosted\s+(?:on|at)(?:\s+(?:the\s+)?(?:server|ip(?:\s+address)?))?|\blocated\s+at(?:\s+ip(?:\s+address)?)?"
    r"|\bresolv(?:es|ing)\s+to)[ \t]*[:=#]?[ \t]*\[?(?=[0-9a-f])"
)


def labelled_ips(text: str, label: re.Pattern):
    """The public address right after each match of `label` in `text`, in order."""
    for m in label.finditer(text):
        found = find_ips(text[m.end(): m.end() + 64])
        if found and found[0].start == 0 and not found[0].private:
            yield found[0].ip


def hosting_ips(text: str, limit: int = 50) -> list[str]:
    """Public addresses the text labels as the location of the reported
    content, in order, each once."""
    out: list[str] = []
    text = context_mask(text[:1_000_000])  # not whois output, pasted headers, range ends
    for ip in labelled_ips(text, _HOSTING_LABEL):
        if ip not in out:
            out.append(ip)
            if len(out) >= limit:
                break
    return out


# --- roles of the addresses found in a text -------------------------------------

# What may stand between the items of a list of addresses ("a, b and c", "a / b").
_LIST_GAP = re.compile(r"(?i)^[\s,;/|&\"'()\[\]]*(?:(?:and|or|und|oder|en|of|et|ou|y|o)[\s,;/|&\"'()\[\]]*)?$")
# "a and from b", "a und von b": a conjunction and a word or two, no digits: still an
# enumeration of sources, not the fields of a row (a row's gaps hold ports, arrows, times).
_ENUM_GAP = re.compile(r"(?i)^[\s,;]*(?:and|or|und|oder|en|of|et|ou)\s+(?:[A-Za-zÀ-ÿ]+\s+){1,2}$")
# Five words in a row: a sentence, whose addresses the words around them decide.
_PROSE = re.compile(r"(?:\b[A-Za-zÀ-ÿ]{2,}\b[ ,]{1,2}){4}\b[A-Za-zÀ-ÿ]{2,}\b")
# Right before an address that is not a host of the report: a product's version
# ("Chrome/124.0.0.0"), the host part of a user@host or sip: address, a registry's
# lookup link ("https://rdap.arin.net/registry/ip/198.51.0.0").
# Three words in a row and nothing else between two addresses: parts of a sentence, not fields
# (a log row's message has numbers, colons and slashes: "a %ASA-4: Deny tcp src x:b/22").
_PHRASE = re.compile(r"\b[A-Za-zÀ-ÿ]{2,}[ ,]{1,2}[A-Za-zÀ-ÿ]{2,}[ ,]{1,2}[A-Za-zÀ-ÿ]{2,}\b")
_WORDS_ONLY = re.compile(r"^[\s(),.'\"A-Za-zÀ-ÿ]*$")
_QUERY_PARAM = re.compile(r"[?&][\w.%-]{1,40}=$")
_LOOKUP_LINK = re.compile(r"(?i)\bhttps?://(?:rdap|whois)[\w.-]*/\S*$")
_RANGE_GAP = re.compile(r"^\s*(?:-|–|to|bis|tot)\s*$")
# A product's version after its name under a software label ("Bittorrent client: BitWombat 1.1.0.26",
# "User agent: Fetcher 2.0.0.1", an XML value keyed "peerclientversion"): four numbers, no address.
_VERSION_WORDS = ("client", "version", "agent", "software", "build", "release", "firmware", "player")
_VERSION_BEFORE = re.compile(
    r"(?i)\b(?:client|version|agent|software|build|release|firmware|player)\b[^\n:]{0,20}:[ \t]*"
    r"(?!(?:host|ip|address|addr|at|from|is|server)\b)[A-Za-z][\w.+-]{0,40}[ \t]+v?$|"
    r"version\w*[\"'][^<>\n]{0,80}>$")


_QUOTED_REQUEST = re.compile(r"\"(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|PROPFIND) [^\"\n]{0,3000}\"")
_REQUEST_URL_AFTER = re.compile(r"(?i)\"[ \t]+url=\"")
_OID_KEY = re.compile(r"(?i)\boids?[\"']?[ \t]*[:=][ \t]*[\"']?$")


# CSV written without quotes ("a,b,c"): more bare delimiters than ", " of prose.
_BARE_COMMA = re.compile(r",(?! )")


def _record_row(text: str, row: list, line: str) -> bool:
    """Is a line with words in it still a record row? A delimited line (CSV
    with a free-text cell, a `|` or tab table), or a line whose first two
    addresses stand apart by nothing but numbers and punctuation (a log row
    that ends in a message: "... a 51200 b GET Access denied ...")."""
    bare = len(_BARE_COMMA.findall(line))
    if (bare >= 4 and bare > line.count(", ")) or line.count("|") >= 3 or line.count("\t") >= 3:
        return True
    second = next(f for f in row if f.ip != row[0].ip)
    gap = text[row[0].end:second.start]
    return len(gap) < 40 and not any(c.isalpha() for c in gap) and not _LIST_GAP.match(gap)


# A syslog line's own host field: the time, the host, then the program's tag
# ("Dec  1 22:44:50 192.0.2.10 sshd[812]:", "2024-12-01T22:44:50+01:00 192.0.2.10 kernel:").
_SYSLOG_BEFORE = re.compile(r"[ \t>]*(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d"
                            r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)[ \t]+$")
_SYSLOG_AFTER = re.compile(r"^[ \t]+(?:[%A-Za-z_][%\w./-]{0,40})?(?:\[\d{0,10}\])?:")


# A web server's access log line: the client's address first, the time in brackets, the
# request in quotes, status and size; an address after them is the server's own (Apache's %A,
# "... \"POST /wp-login.php HTTP/1.1\" 200 9461 192.0.2.18"), the attacked host.
_ACCESS_LOG_SERVER = re.compile(r"(?:^|[\s:])[0-9a-fA-F][0-9a-fA-F.:]{2,44}[ \t]+\S+[ \t]+\S+[ \t]+\[[^\]\n]{6,40}\][ \t]+"
                                r"\"[^\"\n]{0,3000}\"[ \t]+\d{3}[ \t]+(?:\d+|-)[ \t]+$")


def _access_log_server(text: str, f) -> bool:
    if text[f.start - 1:f.start] not in (" ", "\t"):
        return False
    start = text.rfind("\n", max(0, f.start - 3200), f.start) + 1
    head = text[start:f.start]
    return '"' in head and "[" in head and bool(_ACCESS_LOG_SERVER.search(head))


def _syslog_host(text: str, f) -> bool:
    start = text.rfind("\n", max(0, f.start - 60), f.start) + 1
    return bool(_SYSLOG_BEFORE.match(text, start, f.start) and _SYSLOG_AFTER.match(text[f.end:f.end + 60]))


def _wrapped_row_ends(text: str, found: list, taken: set[int]) -> set[int]:
    """A row the mail client wrapped: a long line whose fields end in an
    address, and the next line going on from an address with more fields
    ("... 14061 198.51.100.23\n192.0.2.10 443 Scanning 6"): the address that
    starts the next line is the row's far end. A list of addresses, one per
    line, is no such row (its lines hold nothing but the address)."""
    out: set[int] = set()
    for a, b in zip(found, found[1:], strict=False):
        if a.ip == b.ip or b.start in taken:
            continue
        between = text[a.end:b.start]
        if between.strip(" \t") != "\n" and between.strip(" \t\r") != "\n":
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        head = text[line_start:a.start]
        if a.end - line_start < 60 or not head.strip() or _PROSE.search(head):
            continue
        rest = text[b.end:text.find("\n", b.end) if "\n" in text[b.end:b.end + 300] else b.end + 300]
        if any(c.isdigit() for c in rest) and not _PROSE.search(rest):
            out.add(b.start)
    out.update(_cut_quoted_field_ends(text, found, taken | out))
    return out


# The rest of a quoted CSV field cut by a line break, up to the next field: `Doe","`.
_FIELD_REST = re.compile(r'[^"\n]{0,200}"[ \t]*[,;\t|][ \t]*"?$')


def _cut_quoted_field_ends(text: str, found: list, taken: set[int]) -> set[int]:
    """A quoted CSV row cut inside a field ('"2021-03-24","198.51.100.7","LAPTOP","Jane' and
    on the next line 'Doe","203.0.113.9",...'): the line before ends in an open quote, the
    next goes on with the field, so the first address there is the row's far end."""
    out: set[int] = set()
    for a, b in zip(found, found[1:], strict=False):
        if a.ip == b.ip or b.start in taken:
            continue
        line_end = text.find("\n", a.end, b.start)
        if line_end == -1 or "\n" in text[line_end + 1:b.start]:
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        if text.count('"', line_start, line_end) % 2 and _FIELD_REST.match(text, line_end + 1, b.start):
            out.add(b.start)
    return out


def context_ips(text: str, found: list) -> set[int]:
    """Start positions of the addresses in `found` (from `find_ips(text)`)
    that the layout of the text marks as context, not as an offender:

    - not a host: a /8 base ("124.0.0.0"), a version ("Chrome/124.0.0.0",
      "Bittorrent client: BitWombat 1.1.0.26"),
      the host of a user@host or sip: address, a registry lookup link, a
      URL's query parameter ("?id=198.51.100.7");
    - the ends of a range ("198.51.100.0 - 198.51.100.255": a network);
    - the other ends of a record row: a log or CSV line that names two
      addresses in different fields ("ts,src,port,dst,port", "a:p -> b:p",
      "Connection from a port p on b") names the source first; the later
      ones are the destination, the reporter's server or a peer. A line of
      prose is not a row (its words decide), nor is a list ("a, b and c").
    """
    out: set[int] = set()
    # One look at the whole text for software words, not one per address.
    lowered = text[:2_000_000].lower() if found else ""
    versions = any(word in lowered for word in _VERSION_WORDS)
    for f in found:
        prev = text[max(0, f.start - 2):f.start]
        if f.ip.endswith(".0.0.0") or prev.endswith("@") or (prev.endswith("/") and prev[:1].isalpha()):
            out.add(f.start)
        elif prev.endswith("/") and _LOOKUP_LINK.search(text, max(0, f.start - 80), f.start):
            out.add(f.start)
        elif prev.endswith("=") and _QUERY_PARAM.search(text, max(0, f.start - 50), f.start):
            out.add(f.start)  # a URL's parameter ("?id=", "&ip=", "x-client-ver="): part of the URL
        elif prev == '="' and text[f.start - 10:f.start].lower() == 'hostname="' and \
                _REQUEST_URL_AFTER.match(text, f.end, f.end + 20):
            out.add(f.start)  # a firewall's HTTP fields, hostname="x" url="/path": the requested (attacked) host
        elif prev[-1:] in ("\"", "'", " ", "=", ":") and _OID_KEY.search(text, max(0, f.start - 20), f.start):
            out.add(f.start)  # an SNMP object identifier ("oids": "1.3.6.1"), four numbers, no address
        elif versions and prev[-1:] in (" ", "\t", "v", ">") and \
                _VERSION_BEFORE.search(text, max(0, f.start - 100), f.start):
            out.add(f.start)  # a product's version
    for a, b in zip(found, found[1:], strict=False):
        if a.ip != b.ip and _RANGE_GAP.match(text[a.end:b.start]):
            out.update((a.start, b.start))
    for f in found:
        if f.start not in out and (_syslog_host(text, f) or _access_log_server(text, f)):
            out.add(f.start)
    out.update(_wrapped_row_ends(text, found, out))
    if len(found) < 2:
        return out
    # Group by line; only lines with two or more different addresses matter.
    i = 0
    while i < len(found):
        line_start = text.rfind("\n", 0, found[i].start) + 1
        line_end = text.find("\n", found[i].start)
        line_end = len(text) if line_end == -1 else line_end
        j = i
        while j < len(found) and found[j].start < line_end:
            j += 1
        row = [f for f in found[i:j] if f.start not in out]
        i = j
        if len({f.ip for f in row}) < 2:
            continue
        line = text[line_start:line_end]
        if '"' in line and "://" in line:
            # The host of a link inside an access log's quoted request is the request's payload
            # ("GET /shell?wget+http://b/x.sh HTTP/1.1": where the attack fetches its code), not a field.
            requests = [(line_start + m.start(), line_start + m.end()) for m in _QUOTED_REQUEST.finditer(line)]
            row = [f for f in row if not (text[f.start - 3:f.start] == "://" and any(a < f.start < b for a, b in requests))]
            if len({f.ip for f in row}) < 2:
                continue
        if len(line) > 5000 or ((len(line) > 500 or _PROSE.search(line)) and not _record_row(text, row, line)):
            continue
        gaps = [text[x.end:y.start] for x, y in zip(row, row[1:], strict=False)]
        if _PHRASE.search(gaps[0]) and _WORDS_ONLY.match(gaps[0]) and not _record_row(text, row, line):
            continue  # "a has detected abuse from b": a sentence, its words decide
        if all(_LIST_GAP.match(gap) or _ENUM_GAP.match(gap) for gap in gaps) and not any(c.isdigit() for c in text[row[-1].end:line_end]):
            continue  # a list of addresses, all named alike (a row goes on with ports, times, counts)
        first = row[0].ip
        out.update(f.start for f in row if f.ip != first)
    return out


# A list that ends its line in a comma goes on on the next, after the rest of a label that
# wrapped in a two-column layout ("Target IP   a, b,\naddresses:  c, d") or a quote mark.
_WRAPPED_LIST_GAP = re.compile(r"^[ \t]*,[ \t\r]*\n[ \t>]*(?:[A-Za-zÀ-ÿ]{1,20}:)?[ \t]*$")


def same_list(text: str, end: int, start: int) -> bool:
    """Are the addresses ending at `end` and starting at `start` items of one
    list ("Target IPs: a / b", "a, b and c")? Then they share a role."""
    if start - end >= 40:
        return False
    gap = text[end:start]
    return bool(_LIST_GAP.match(gap) or _WRAPPED_LIST_GAP.match(gap))


# --- roles of URLs ------------------------------------------------------------------

# Labels before a URL that name the complainant's or the brand's own site, the evidence
# of the complaint or a registry's record: the URL is there for comparison, not reported.
_CONTEXT_URL_LABEL = re.compile(
    r"(?i)\b(?:official|legitimate|genuine|original|real|main|brand'?s?|client'?s?|company'?s?|our)\s+"
    r"(?:web\s*)?(?:site|website|web page|domain|url|portal)|copyright\s+holder'?s?\s+(?:web)?site|"
    r"rights?\s*holder'?s?\s+(?:web)?site|sito\s+ufficiale|site\s+oficial|offizielle\s+(?:web)?seite|"
    r"trademark\s+(?:link|registration|record)|registrar\s+(?:url|whois\s+server)|screenshot|"
    r"authori[sz]ation\s+letter|power\s+of\s+attorney|privacy\s+(?:policy|notice)|unsubscribe|"
    r"for\s+more\s+information|(?:learn|read|know)\s+more|no\s+longer\s+wish\s+to\s+receive|"
    # The reporter's own ticket link: "click on the link below to confirm the closure of this issue".
    r"\bto\s+confirm\s+(?:the\s+)?(?:closure|resolution)\b|"
    # The work identified as the complainant's, its page in brackets: "... which indeed is our movie
    # 'Title' released worldwide in 2019 (https://...)".
    r"\b(?:is|are)\s+(?:indeed\s+)?our\s+(?:movie|film|series|tv\s+show|show|song|album|book|game|work)s?\b[^\n()]{0,80}\(\s*$|"
    # The takedown service's victim: "This attack targets our customer, Le Monde, website URL <url>".
    r"\btargets?\s+our\s+(?:customer|client)\b[^\n.]{0,80}$|"
    # DMCA § 512(c)(3)(A)(ii), in the statute's words: the rights holder's own work (the
    # infringing material is element (iii), "the material that is claimed to be infringing").
    r"identification\s+of\s+the\s+copyrighted\s+works?\s+claimed\s+to\s+have\s+been\s+infringed|"
    r"\b(?:facebook|twitter|linkedin|instagram|youtube)\s*(?:\]|:|\|)"
)
# Hosts that are references, never the subject of a report sent to a hosting provider: XML
# namespaces, lookup and analysis services, threat feeds and CERT advisories cited as the
# source of a finding, encyclopaedias and tool sites cited as explanations, registries,
# film and music databases that identify a work, mailing services' click-tracking
# redirectors, social networks and messengers linked in signatures.
_CONTEXT_HOSTS = frozenset(
    "w3.org purl.org adobe.com schemas.microsoft.com schema.org openxmlformats.org aiim.org "
    "virustotal.com urlscan.io any.run hybrid-analysis.com abuseipdb.com spamhaus.org spamcop.net mipassoc.org "
    "abuse.ch shadowserver.org abusix.com abusix.org first.org cisa.gov us-cert.gov wikipedia.org nmap.org t.me "
    "wipo.int icann.org internic.net rdap.arin.net arin.net ripe.net apnic.net lacnic.net afrinic.net "
    "whois.com who.is lumendatabase.org copyright.gov "
    "imdb.com themoviedb.org kobis.or.kr musicbrainz.org discogs.com "
    "mandrillapp.com list-manage.com "
    "facebook.com twitter.com x.com linkedin.com instagram.com youtube.com "
    "incident.netcraft.com malpedia.caad.fkie.fraunhofer.de "
    "acns.net".split()  # ACNS's XML namespace and schema, in every notice that carries its XML
)


_BULLET = re.compile(r"^[\s\-*•·><\u2013\u2014]*$")
# A line that gives a work's title before its link ('"Healing Lotus" - https://...'): the title
# says what the link is, not what role it plays; the heading above the list does.
_TITLE_LABEL = re.compile(r"^[\s\-*•·>\d.)]*[\"“][^\"”\n]{1,120}[\"”]\s*[-–—:]?\s*$")
_URL_ONLY_LINE = re.compile(r"(?i)^[\s\-*•·>\u2013\u2014\d.)]*<?(?:(?:https?|ftp)://\S+|[\w-]+(?:\.[\w-]+)+/?\S*)\s*$")


def url_label(text: str, pos: int) -> str:
    """The words before the URL at `pos`: on its line; for a URL that starts
    its line (after a bullet), the heading above it, over blank lines and
    the other URLs of its list ("Official website:\nhttps://...",
    "The original work:\n\n- https://a\n- https://b"); for a line that goes
    on with a sentence wrapped from the line before ("...the photos\ncan be
    found at: https://..."), that line too."""
    start = text.rfind("\n", max(0, pos - 300), pos) + 1
    label = text[start:pos]
    if _BULLET.match(label) or _TITLE_LABEL.match(label):
        end, blanks = start - 1, 0
        for _ in range(30):
            if end <= 0:
                break
            line_start = text.rfind("\n", max(0, end - 300), end) + 1
            line = text[line_start:end]
            end = line_start - 1
            if not line.strip():
                blanks += 1
                if blanks > 2:
                    break
                continue
            if _URL_ONLY_LINE.match(line):
                continue  # an item of the same list
            if (line.lstrip()[:1].islower() or len(line.split()) < 3) and line_start > 1:
                above = text[text.rfind("\n", max(0, line_start - 300), line_start - 1) + 1: line_start - 1]
                line = above + " " + line
            return line
        return label
    if start > 1:
        above = text[text.rfind("\n", max(0, start - 300), start - 1) + 1: start - 1].rstrip()
        # A sentence wrapped from the line above: the line goes on in lower case or with a
        # bracket, or has no label of its own and the line above ends without punctuation.
        if above and (label.lstrip()[:1].islower() or label.lstrip()[:1] == "(" or
                      (":" not in label and above[-1:] not in ".:!?;" and not _URL_ONLY_LINE.match(above))):
            label = above + " " + label
    return label


# Words that make a labelled URL the reported one whatever else the label says
# ("unauthorised copies of the original work at:").
_OFFENCE_WORDS = re.compile(
    r"(?i)infring\w*|unauthori[sz]ed|pirat\w*|illegal\w*|counterfeit|fake|phishing|fraudulent|scam|malicious|"
    r"reported|offending|abusive|copies\b|stolen\s+content|clon\w+|copied\s+to|lookalike|look-alike|spoof\w*")
# Labels that name the reference material of a complaint rather than the reported location:
# the original work and where it was taken from, the proof of the complainant's rights, the
# brand's own site "that can be accessed at", reference lists, and the link of a pasted image
# (an <img src=...> or CSS url(...) in HTML source: the mail's pictures, not a report; an
# Outlook signature's logo, "[cid:image001.png@...]<https://...>").
_REFERENCE_URL_LABEL = re.compile(
    r"(?i)\boriginal\s+(?:\w+\s+){0,2}(?:works?|material|content|photos?|images?|videos?|pictures?|files?|"
    r"sources?|urls?|links?)\b|\b(?:taken|copied|lifted|stolen)\s+from\b|\bproof\b|\bproving\b|"
    r"\bevidenc\w+\s+(?:that|of)\b|letter\s+of\s+authori[sz]ation|\bLOA\b|authori[sz]ation\s+letter|"
    r"protected\s+by\s+copyright|\b(?:site|website)\s+can\s+be\s+(?:accessed|found|reached)|"
    r"^\W*references?\s*:?\s*$|[.;]\s+ref\.?\s*:\s*$|\bsee\s+also\b|\bfurther\s+reading\b|"
    # A document of the complainant's rights, or the brand's official page, "that can be accessed
    # via the following link" / "доступен для просмотра по ссылке"; a work's registration
    # record at the end of its line ("Minecraft Imagery: Reg Number: TX 8-192-097 - https://...").
    r"\b(?:documents?|certificates?|licen[cs]es?|agreements?|official)\b[^.\n]{0,100}?\b(?:can\s+be\s+"
    r"(?:accessed|found|viewed|seen|downloaded)|(?:is|are)\s+available)\b|документ\w*[^.\n]{0,80}?доступ\w*[^.\n]{0,60}?ссылк\w*|"
    # The site of the client the sender writes for, right after its name: "on behalf of our client,
    # the Financial Conduct Authority ("FCA") https://...", "on behalf of https://...".
    r"\bon\s+behalf\s+of\s+(?:our\s+client,?\s+)?(?:the\s+)?(?-i:(?:[A-Z][\w&.'-]*,?\s+){0,6})"
    r"(?:\([^()\n]{1,20}\)\s*)?[(\[<]?\s*$|"
    # A regulator's or CERT's own warning about the site: "the FCA has published an alert in
    # respect of the firm, which is available at https://...".
    r"\b(?:published|issued)\s+(?:an?\s+)?(?:alert|warning|advisory)\b[^.\n]{0,60}?\b(?:available|published|found)\s+"
    r"(?:at|on|here)\s*:?\s*$|"
    r"\bmore\s+information\b[^.\n]{0,60}?\b(?:is|are)\s+(?:provided|available|given)\s+(?:at|on|here)\s*:?\s*$|"
    r"\breg(?:istration)?\.?\s*(?:number|no\.?|#)\s*:?\s*[\w./-]{1,20}(?:\s[\w./-]{1,20}){0,2}[\s:(\-\u2013]*$|"
    r"\bref\s*=\s*[\"']?$|"  # a firewall log's link to its vendor's signature page, ref="https://..."
    # Advice for the recipient: "a checklist that can help you decide ...", "a useful tool",
    # "a how-to guide can be found at".
    r"\b(?:can|will|may)\s+help\s+you\b|\bhow[- ]to[- ]guides?\b|\buseful\s+(?:tools?|resources?|guides?)\b"
)
# After the brand's site, words that make the link the copy ("the official site was cloned to").
_COPY_WORDS = re.compile(r"(?i)clon\w+|copied|\bcop(?:y|ies)\b|lookalike|look-alike|spoof\w*|\bfake\b|phishing|"
                         r"fraudulent|imitat\w*|impersonat\w*|counterfeit|reproduc\w*|mimic\w*")
# Right before the impersonated brand's real site: "impersonating https://...", "the users of
# the website:", "(official website: ...)".
_BRAND_LABEL = re.compile(
    r"(?i)(?:(?:impersonat\w*|imitat\w*|posing\s+as|pretend\w*\s+to\s+be)\s*:?\s*[\"'(“]?\s*$|"
    r"(?:against\s+(?:the\s+)?(?:users|customers|clients)\s+of|legitimate|official|genuine)\b(?P<rest>[^\n]{0,60})$)")
# The sender's advice to the brand's customers, a sentence over the brand's links: "Customers ...
# should use only the login portal at their official website and refer to their authorized social
# media pages to avoid falling victim to scams." (`rest`: the words up to the links, no copy words.)
_USE_ONLY_OFFICIAL = re.compile(
    r"(?i)(?:\b(?:use\s+only|only\s+(?:use|visit))\b[^.\n]{0,60}?|^\W*)\bofficial\s+(?:web\s*)?(?:site|website|portal)\b"
    r"(?P<rest>[^.]{0,160})\.?\s*$")
_IMAGE_LINK = re.compile(r"(?i)(?:\bsrc\s*=\s*|\burl\(\s*)[\"']?$|"
                         r"\[(?:cid:[^\]\n]{0,200}|image\d*[^\]\n]{0,100}|[^\]\n]{0,120}description automatically "
                         r"generated)\]\s*<?$")
# A company's own link in a signature: "Brandguard, Inc. <https://...>", "Web: https://..."
# next to an "E-mail:" or "Phone:" line.
_COMPANY_LINK = re.compile(r"(?i)\b(?:inc|ltd|llc|gmbh|corp|limited|b\.v|s\.a|plc|pty)\.?,?\s*[<(\[]?\s*$")
# "Web:", "Website: [3]" (a text mailer's numbered link), next to "Phone Number:", "E-mail:", "CRDF Labs contact :".
_CONTACT_LABEL = re.compile(r"(?i)^\W*(?:web|www|homepage|internet|web ?site)\s*:\s*(?:\[\d{1,3}\]\s*)?$")
_CONTACT_LINE = re.compile(r"(?im)^\W*(?:(?:[\w.-]+\s+){0,3}contact|e-?mail|phone|tel|telephone|fax|mobile|address)"
                           r"(?:\s+(?:number|no\.?))?\s*:")


def context_url(host: str, label: str, around: str = "") -> bool:
    """Is this URL context rather than a reported location? `label`: the
    words before it (`url_label`); `around`: the lines next to it, if the
    caller has them (a contact block of a signature)."""
    if any(host == h or host.endswith("." + h) for h in _CONTEXT_HOSTS):
        return True
    tail = label[-200:]
    brand = _BRAND_LABEL.search(tail[-80:]) or _USE_ONLY_OFFICIAL.search(tail)
    if brand:
        # "the official site of the bank was cloned to <url>": the words after the brand's say copy.
        return not (brand.group("rest") and _COPY_WORDS.search(brand.group("rest")))
    if _CONTEXT_URL_LABEL.search(tail[-120:]) or _IMAGE_LINK.search(tail) or _COMPANY_LINK.search(tail):
        return True
    if _CONTACT_LABEL.match(label) and _CONTACT_LINE.search(around):
        return True
    ref = _REFERENCE_URL_LABEL.search(tail)
    if not ref:
        return False
    # Words of the offence in the same sentence, before the reference words, make it the copy.
    before = tail[:ref.start()]
    sentence = before[max(before.rfind(". "), before.rfind(".\n"), 0):]
    return not _OFFENCE_WORDS.search(sentence)


_SIGNATURE_MARK = re.compile(r"(?m)^-- ?\r?$")
_AFTER_SIGNATURE = re.compile(r"(?im)^[ \t>]*(?:-{2,}\s*(?:forwarded|original) message|begin forwarded message:|from:\s)")


def signature_span(text: str) -> tuple[int, int]:
    """(start, end) of the sender's signature: from the "-- " line of RFC 3676 to
    the forwarded or quoted message below it, if any, else to the end; (len,
    len) without one. Its links are the sender's (its web site, its logo)."""
    m = _SIGNATURE_MARK.search(text)
    if not m:
        return len(text), len(text)
    below = _AFTER_SIGNATURE.search(text, m.end())
    return m.start(), below.start() if below else len(text)


_EMAIL = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,10})")


def signature_domains(text: str) -> set[str]:
    """Registrable domains of the e-mail addresses in the sender's signature (`signature_span`):
    the complainant's own ("E-Mail: tracy@agency.example"), whose links (its response portal)
    are not reported locations, also when another provider forwarded its notice."""
    start, end = signature_span(text)
    return {registrable_domain(m.group(1).lower()) for m in _EMAIL.finditer(text, start, end)} - {""}


def url_context(text: str, pos: int) -> str:
    """The line before and the line after the one at `pos` (for `context_url`)."""
    start = text.rfind("\n", max(0, pos - 300), pos)
    before = text[text.rfind("\n", max(0, start - 300), max(0, start)) + 1: max(0, start)] if start > 0 else ""
    end = text.find("\n", pos, pos + 3000)
    after = text[end + 1: text.find("\n", end + 1, end + 300) if end != -1 else end] if end != -1 else ""
    return before + "\n" + after


# Words right before a bare domain that name it as the reported site: "Phishing Site: x",
# "the domain name x", "located at x", "Infringement: x", "Internet Service Provider to x",
# a heading "URL:" above it.
_SITE_LABEL = re.compile(
    r"(?i)(?:\b(?:site|website|web\s*site|domains?(?:\s+names?)?|urls?|links?|web\s*page|resources?|"
    r"domeinnaam|domainname|located\s+at|hosted\s+(?:at|on)|provider\s+(?:to|for|of)|infringement|"
    r"phishing\s+\w+)\b)(?:\s*\(s\))?\s*(?:is|are|at|:|-|–)?\s*[:\-–]?\s*[\"'“(]?\s*$"
)


def named_domains(text: str, limit: int = 50) -> list[tuple[str, int]]:
    """(domain, position) of the bare domains (no scheme) a notice names
    as the reported site by the words right before them, or by the heading
    of the list they stand in; not those labelled as the brand's, the
    original's or a reference, not e-mail domains. For notices that give
    the site without a URL."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for domain, pos in find_domains_at(text[:1_000_000], limit=500):
        if domain in seen or text[max(0, pos - 3):pos].endswith(("://", "@")) or text[pos - 1:pos] in ("/", ".", "@"):
            continue
        label = url_label(text, pos)
        if not _SITE_LABEL.search(label[-80:]) or context_url(domain, label):
            continue
        seen.add(domain)
        out.append((domain, pos))
        if len(out) >= limit:
            break
    return out


# Cues that name a destination only where they stand: "from a to b", "a -> b".
_POSITIONAL = re.compile(r"(?i)(?:\bfrom\s+\S+\s+(?:\([^)]{0,40}\)\s+)?to\s+|->\s*|-&gt;\s*|→\s*|=>\s*)\[?$")


_DISOWNING_WORDS = re.compile(
    r"(?i)\breported\s+by|\b(?:scanner|crawler|probe)s?\b|\bnot\s+(?:in\s+)?(?:your|ours?)\b|\bneed\s+not\b|"
    r"\b(?:do\s+not|don't)\s+need\b")


def labelled_not_offenders(text: str, found: list | None = None, only: set[str] | None = None,
                           checked: frozenset[int] = frozenset()) -> set[str]:
    """Addresses the words of the text mark as not the offender somewhere: the
    victim, the reporter's own server, sensor or scanner (`common.not_offender_before`,
    but not its cues that name a destination only where they stand, "from a to b",
    "a -> b") or in so many words (`common.disowned`: "Reported by: x", "x, y, not
    in your network"), with the other items of a list so marked, before or after the
    marked one. Such an address is no offender anywhere in the same notice: a
    log row that names the reporter's own host first ("Nov 28 20:44:12
    192.0.2.99 sshd: ... from x") does not make it one.

    `found`: `find_ips(text)` if the caller has it; `only`: the addresses to
    decide (the candidates of the caller), else all; `checked`: start positions
    the caller found unlabelled already."""
    if found is None:
        found = find_ips(text[:1_000_000])
    words = _DISOWNING_WORDS.search(text[:1_000_000]) is not None
    picked, seen, shapes, count = [], {}, set(), {}
    for f in found:
        if f.private or not (words or only is None or f.ip in only):
            continue
        count[f.ip] = count.get(f.ip, 0) + 1
        if seen.get(f.ip, 0) >= 10 or count[f.ip] > 50:  # a few lines of each, not every log line
            continue
        # The lines of a log say the same words right around the address: one of them
        # says what all say.
        shape = (f.ip, text[max(0, f.start - 16):f.start], text[f.end:f.end + 6])
        if shape in shapes:
            continue
        shapes.add(shape)
        seen[f.ip] = seen.get(f.ip, 0) + 1
        if f.start in checked and not words:
            continue
        picked.append(f)
    if not words:
        # The local test (`not_offender_before` where the address stands) already decided
        # addresses named once.
        picked = [f for f in picked if seen[f.ip] > 1]
    marked = [(words and disowned(text, f.start, f.end)) or (
        not_offender_before(text, f.start, f.end) and not _POSITIONAL.search(text, max(0, f.start - 80), f.start))
        for f in picked]
    for i in range(1, len(picked)):  # forward: "Targets: a, b"
        if marked[i - 1] and not marked[i] and same_list(text, picked[i - 1].end, picked[i].start):
            marked[i] = True
    for i in range(len(picked) - 2, -1, -1):  # backward: "a, b, not in your network"
        if marked[i + 1] and not marked[i] and same_list(text, picked[i].end, picked[i + 1].start):
            marked[i] = True
    return {f.ip for f, m in zip(picked, marked, strict=True) if m}


def stated_ips(text: str, limit: int = 200) -> list[str]:
    """Public addresses a human-written notice states as the subject, in
    order, each once: whois output, pasted headers, the far end of log
    rows, range ends, networks ("198.51.100.0/24") and the addresses the
    words around them mark as the victim's or the reporter's are left out."""
    masked = context_mask(text)
    found = find_ips(masked, keep_private=False)
    context = context_ips(masked, found)
    labelled = labelled_not_offenders(masked, found)
    out: list[str] = []
    victim_end = None
    for f in found:
        if f.start in context or f.ip in out or f.ip in labelled:
            continue
        if not_offender_before(masked, f.start, f.end) or (
                victim_end is not None and same_list(masked, victim_end, f.start)):
            victim_end = f.end
            continue
        if re.match(r"/(?!32\b|128\b)\d{1,3}\b", masked[f.end:f.end + 4]):
            continue  # a network named as context
        out.append(f.ip)
        if len(out) >= limit:
            break
    return out
