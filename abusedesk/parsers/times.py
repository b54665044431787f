"""Event times in human-written notices and logs: the time on the row that
names the address, in the time zone the row or the notice states.

Senders write times every way there is: ISO 8601 with or without an offset,
Apache logs (`22/Jun/2022:06:05:25 -0500`), `dd.mm.yyyy HH:MM`, US tables
(`11/17/2021 3:23:00 PM`), `2021-11-29 10:52:53.106`, zone names after the
time (`CEST`, `EST`, `UTC+1`, `GMT +8`). A time without a zone is in the
zone the notice states once for all its rows ("Timezone: GMT +8", "All times
are in US Central", "Log times in -6 UTC", "times given in the logs are in
UTC"), else taken as UTC.

Each event gets the time of its own row: the line the address stands on,
never another row's. Pure functions, no I/O; every regex is linear.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Zone abbreviations people write after times (standard and summer time).
_ABBREVIATIONS = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 1, "cet": 1, "cest": 2, "mez": 1, "mesz": 2, "met": 1, "mest": 2,
    "eet": 2, "eest": 3, "msk": 3, "ist": 5.5, "sgt": 8, "hkt": 8, "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "brt": -3,
    "almt": 6,
}
_US_ZONES = {"eastern": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
             "pacific": "America/Los_Angeles"}

_ZONE = (r"(?P<zone>Z|[+-]\d{2}:?\d{2}|\(?(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?\)?|"
         r"\(?(?:" + "|".join(sorted((a.upper() for a in _ABBREVIATIONS), key=len, reverse=True)) + r")\)?)")
_MONTH = r"(?P<mon>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[a-z]{0,6})"
_CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d{1,9})?)?(?:\s?(?P<ampm>[AaPp][Mm]))?(?:\s?Uhr\b)?"
_PATTERNS = (
    # 2024-06-17T11:04:36Z, 2021-11-29 10:52:53.106 +0100, 2024/06/17 11:04, 2021-12-27, 11:26 Uhr
    re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:T|,? |\s{1,4})\s?" + _CLOCK + r"(?:\s?" + _ZONE + r")?"),
    # 22/Jun/2022:06:05:25 -0500 (Apache), 17-Nov-2021 15:23:49, 02 Mar 2023, at 16:58:15 UTC,
    # Saturday 27th of February 2021 06:51:35 AM UTC
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:[/ -]|\sof\s)" + _MONTH + r"[/ -](?P<y>\d{4})(?:[: ]|,\sat\s)"
               + _CLOCK + r"(?:\s?" + _ZONE + r")?"),
    # 2023/Sep/25 00:00:02 (GMT+8): year, month name, day
    re.compile(r"(?P<y>\d{4})[/-]" + _MONTH + r"[/-](?P<d>\d{1,2})[ :T]" + _CLOCK + r"(?:\s?" + _ZONE + r")?"),
    # 17.11.2021 15:23, 17-11-2021 15:23:49 (day first), 11/17/2021 3:23:00 PM (US: month first)
    re.compile(r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}),?\s(?:um\s)?" + _CLOCK
               + r"(?:\sUhr)?(?:\s?" + _ZONE + r")?"),
    # Dec 6, 2021 @ 13:04:20.955 (Kibana), January 5, 2024 at 10:00 UTC, April 22nd, 2021 at 4:36:58 PM UTC
    re.compile(_MONTH + r"\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4}),?\s(?:@\s|at\s)?" + _CLOCK
               + r"(?:\s?" + _ZONE + r")?"),
    # [Tue May 17 19:35:18.688430 2022] (Apache error log, ctime): the year after the clock, the
    # zone before the year (date(1): "Wed Apr 28 08:47:14 CEST 2021") or after it ("... 2024 -0500 (CDT)")
    # ("... 2024 -0500 (CDT)"); date(1) writes a zone without a name as its offset's hours ("+06").
    re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) " + _MONTH + r" {1,2}(?P<d>\d{1,2}) " + _CLOCK
               + r"(?: (?:" + _ZONE + r"|(?P<zone3>[+-]\d{2})|[A-Z]{3,5}))? (?P<y>\d{4})\b(?: (?P<zone2>[+-]\d{2}:?\d{2})\b)?"),
)
# The one time a notice states for its incident ("Time: ...", "Date of incident: ...").
_STATED_TIME = re.compile(
    r"(?im)^[ \t>*-]*(?:date|time|timestamp|date ?/ ?time|date and time|event time|incident time|attack time|"
    r"time of (?:the )?(?:incident|attack|event|detection)|date of (?:the )?(?:incident|attack|event)|detected(?: at| on)?|"
    r"first seen|first detection[^:\n]{0,40}|start(?: date| time)?|observed(?: at)?|tijdstip|zeitpunkt|datum)"
    r"[ \t]*(?:\(utc\))?[ \t]*[:=][ \t]*([^\n]{6,80})$"
)
_STATED_ZONE = re.compile(
    r"(?im)(?:time\s?zone|\btz\b|times?\b[^\n]{0,40}?\b(?:are|is|in))[^\n]{0,30}?"
    r"(?:(?P<offset>(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\s?\d{1,2}(?::?\d{2})?\s?(?:UTC|GMT))"
    r"|(?P<us>US[ /](?:Eastern|Central|Mountain|Pacific))|(?P<iana>\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b)"
    r"|\b(?P<abbr>UTC|GMT|CET|CEST|EST|EDT|CST|CDT|PST|PDT|MSK|EET|EEST)\b)"
)


@lru_cache(maxsize=256)  # a few notations recur on every row
def _offset(text: str) -> tzinfo | None:
    """A zone from "+0200", "+02:00", "UTC+1", "GMT +8", "-6 UTC", "CEST"."""
    word = text.strip("() ").lower()
    if word in _ABBREVIATIONS:
        return timezone(timedelta(hours=_ABBREVIATIONS[word]))
    m = re.search(r"([+-])\s?(\d{1,2})(?::?(\d{2}))?", word)
    if not m:
        return UTC if word.startswith(("utc", "gmt")) or word.endswith(("utc", "gmt")) else None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if len(m.group(2)) == 2 and m.group(3) is None and hours > 14:
        return None
    if hours > 14 or minutes >= 60:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _written_zone(m: re.Match) -> bool:
    """Does the matched time write a zone we know?"""
    g = m.groupdict()
    written = g.get("zone") or g.get("zone2") or g.get("zone3")
    return bool(written) and _offset(written) is not None


def stated_zone(text: str) -> tzinfo | None:
    """The time zone a notice states for its times, or None."""
    m = None
    for line in text[:20_000].splitlines():  # said in the prose, near the top
        lowered = line.lower()
        # Only lines that speak of time or a zone (a cheap test: the full pattern is costlier).
        if ("time" in lowered or "tz" in lowered) and (m := _STATED_ZONE.search(line)):
            break
    if not m:
        return None
    if m.group("offset"):
        return _offset(m.group("offset"))
    if m.group("abbr"):
        return _offset(m.group("abbr"))
    name = _US_ZONES.get(m.group("us").split()[-1].split("/")[-1].lower()) if m.group("us") else m.group("iana")
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _build(m: re.Match, zone: tzinfo | None) -> datetime | None:
    g = m.groupdict()
    try:
        year = int(g["y"])
        if g.get("mon"):
            month, day = _MONTHS.get(g["mon"][:3].lower()), int(g["d"])
        elif g.get("a"):
            a, b = int(g["a"]), int(g["b"])
            # Slashes are the US order (month first), dots and dashes day first.
            month, day = (a, b) if g["sep"] == "/" else (b, a)
            if month > 12 >= day:
                month, day = day, month
        else:
            month, day = int(g["m"]), int(g["d"])
        if not month:
            return None
        hour, minute, second = int(g["H"]), int(g["M"]), int(g["S"] or 0)
        if g.get("ampm"):
            hour = hour % 12 + (12 if g["ampm"].lower() == "pm" else 0)
        when = datetime(year, month, day, hour, minute, second)
    except (TypeError, ValueError):
        return None
    written = g.get("zone") or g.get("zone2") or g.get("zone3")
    own = _offset(written) if written else None
    when = when.replace(tzinfo=own or zone or UTC)
    when = when.astimezone(UTC)
    return when if 1990 <= when.year <= 2100 else None


def times_in(line: str, zone: tzinfo | None = None) -> list[datetime]:
    """The times written in one line, in order of appearance, as aware UTC."""
    if ":" not in line:
        return []  # every notation has a clock: most lines are done here
    found: list[tuple[int, datetime]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(line):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            when = _build(m, zone)
            if when:
                found.append((m.start(), when))
                taken.append((m.start(), m.end()))
    return [when for _, when in sorted(found, key=lambda f: f[0])]


_TIME_LINE_STARTS = ("date", "time", "event", "incide", "attack", "detect", "first", "start", "observ", "tijdst",
                     "zeitpu", "datum")


def stated_time(text: str, zone: tzinfo | None = None) -> datetime | None:
    """The incident time a notice states on a line of its own ("Time: ...",
    "Date of incident: ..."), if it states exactly one; None otherwise (a
    notice listing several events has no single time to give them all)."""
    return stated_time_zoned(text, zone)[0]


def _zoned(line: str, when: datetime, zone: tzinfo | None) -> bool:
    """Does `line` write the zone of `when` (or does the notice state one)?"""
    if zone is not None:
        return True
    for pattern in _PATTERNS:
        for m in pattern.finditer(line):
            if _build(m, zone) == when:
                return _written_zone(m)
    return False


def stated_time_zoned(text: str, zone: tzinfo | None = None) -> tuple[datetime | None, bool]:
    """`stated_time`, and whether its zone is known (written or stated)."""
    found: set = set()
    lines: dict = {}
    for line in text[:50_000].splitlines():
        # A cheap test first: only lines that start like a time line are matched.
        if not line.lstrip(" \t>*-")[:6].lower().startswith(_TIME_LINE_STARTS) or not (m := _STATED_TIME.match(line)):
            continue
        times = times_in(m.group(1), zone)
        if times:
            found.add(times[0])
            lines.setdefault(times[0], m.group(1))
            if len(found) > 1:
                return None, True
    if not found:
        return None, True
    when = found.pop()
    return when, _zoned(lines[when], when, zone)


def row_time(text: str, pos: int, zone: tzinfo | None = None, reach: int = 400) -> datetime | None:
    """The first time on the line (row) that contains `pos`; None if it names none."""
    return row_time_zoned(text, pos, zone, reach)[0]


# A syslog line writes no year ("Nov 22 01:04:49 host sshd[81]:", "<150>Jan  2 10:05:31"): the
# year is the one that puts the line on or before the notice's own date.
_SYSLOG_TIME = re.compile(r"^[ \t>]*(?:<\d{1,3}>)?" + _MONTH + r" {1,2}(?P<d>\d{1,2}) " + _CLOCK + r"(?![\d:]| \d{4}\b)")


def _syslog_time(line: str, zone: tzinfo | None, ref: datetime) -> datetime | None:
    m = _SYSLOG_TIME.match(line)
    if not m:
        return None
    month = _MONTHS.get(m.group("mon")[:3].lower())
    if not month or m.group("ampm"):
        return None
    for year in (ref.year, ref.year - 1):
        try:
            when = datetime(year, month, int(m.group("d")), int(m.group("H")), int(m.group("M")),
                            int(m.group("S") or 0), tzinfo=zone or UTC).astimezone(UTC)
        except ValueError:
            return None
        if when <= ref + timedelta(days=2):  # a clock a little ahead of the mail's is the same day
            return when
    return None


def row_time_zoned(text: str, pos: int, zone: tzinfo | None = None,
                   reach: int = 400, ref: datetime | None = None) -> tuple[datetime | None, bool]:
    """(the row's time, whether its zone is known): a time that writes no zone,
    in a notice that states none, is read as UTC but said to be a guess.
    `ref`: the notice's own date, for a syslog line's time that writes no year."""
    lo = max(0, pos - reach)
    start = text.rfind("\n", lo, pos) + 1 or lo
    end = text.find("\n", pos, pos + reach)
    line = text[max(start, lo): end if end != -1 else min(len(text), pos + reach)]
    if ":" not in line:
        return None, True
    # A row names one time, mostly ISO: the first notation that reads one is enough.
    for pattern in _PATTERNS:
        for m in pattern.finditer(line):
            when = _build(m, zone)
            if when:
                return when, zone is not None or _written_zone(m)
    if ref is not None:
        when = _syslog_time(line, zone, ref)
        if when:
            return when, zone is not None
    return None, True


_BLOCK_TIME = re.compile(
    r"(?im)^[ \t>*-]*(?:date|time|timestamp|tijd|zeit|datum|date ?/ ?time|event time|seen|last ?seen|first ?seen"
    r"|server time|time of (?:the )?(?:ban|block|detection|incident|attack|event)"
    r"|detected(?: at| on)?|observed(?: at)?)[ \t]*(?:\((?:utc|gmt)\))?[ \t]*[:=][ \t]*([^\n]{6,80})$")


def block_time(text: str, pos: int, zone: tzinfo | None = None, reach: int = 12) -> tuple[datetime | None, bool, int, int]:
    """The time a labelled block states for its record ("IP: x / hostname: ... /
    Time: ..."; the block: the lines around `pos` up to blank lines, at most
    `reach` either way): (time if the block states exactly one, zone known,
    block start, block end). The caller checks that the block names one address."""
    lo, hi = max(0, pos - 1500), min(len(text), pos + 1500)
    before, after = text[lo:pos].split("\n"), text[pos:hi].split("\n")
    up: list[str] = []
    for line in reversed(before[:-1][-reach:]):
        if not line.strip():
            break
        up.append(line)
    down: list[str] = []
    for line in after[1:reach + 1]:
        if not line.strip():
            break
        down.append(line)
    start = pos - len(before[-1]) - sum(len(line) + 1 for line in up)
    end = pos + len(after[0]) + sum(len(line) + 1 for line in down)
    block = text[start:end]
    found = []
    for m in _BLOCK_TIME.finditer(block):
        for pattern in _PATTERNS:
            t = pattern.search(m.group(1))
            when = _build(t, zone) if t else None
            if when:
                found.append((when, zone is not None or _written_zone(t)))
                break
    if len({w for w, _ in found}) != 1:
        return None, True, start, end
    return found[0][0], found[0][1], start, end
