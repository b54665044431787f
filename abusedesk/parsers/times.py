"""Event times in human-written notices and logs: the time on the row that
names the address, in the time zone the row or the notice states.

Senders write times every way there is: ISO 8601 with or without an offset,
Apache logs (`22/Jun/2022:06:05:25 -0500`), `dd.mm.yyyy HH:MM`, US tables
(`11/17/2021 3:23:00 PM`), `2021-11-29 10:52:53.106`, zone names after the
time (`CEST`, `EST`, `UTC+1`, `GMT +8`). A time without a zone is in the
zone the notice states once for all its rows ("Timezone: GMT +8", "All times
are in US Central", "Log times in -6 UTC", "times given in the logs are in
UTC"). If it states none, a local notation (a syslog line, 01.12.26) is in the
zone of the mail's Date header (the clock on the sender's desk that wrote the
log) and ISO 8601 is UTC (feeds and exports write UTC); either guess is flagged.
The mail's date also gives a year-less syslog line its year and settles a
date that reads both ways (03/12/2026 is the 3rd of December in a mail of
the 4th of December, not the 12th of March).

Each event gets the time of its own row: the line the address stands on,
never another row's. Pure functions, no I/O; every regex is linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .extract import find_ips

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
# The end of a time range ("19:02 - 19:31 UTC"): the zone after it is the start's too.
_UNTIL = r"(?:\s?[-\u2013]\s?\d{1,2}:\d{2}(?::\d{2})?)?"
_PATTERNS = (
    # 2024-06-17T11:04:36Z, 2021-11-29 10:52:53.106 +0100, 2024/06/17 11:04, 2021-12-27, 11:26 Uhr
    re.compile(r"(?P<y>\d{4})(?P<isep>[-/])(?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:T|,? |\s{1,4})\s?" + _CLOCK + _UNTIL
               + r"(?:\s?" + _ZONE + r")?"),
    # 22/Jun/2022:06:05:25 -0500 (Apache), 17-Nov-2021 15:23:49, 02 Mar 2023, at 16:58:15 UTC,
    # Saturday 27th of February 2021 06:51:35 AM UTC
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:[/ -]|\sof\s)" + _MONTH + r"[/ -](?P<y>\d{4})(?:[: ]|,\sat\s)"
               + _CLOCK + r"(?:\s?" + _ZONE + r")?"),
    # 2023/Sep/25 00:00:02 (GMT+8): year, month name, day
    re.compile(r"(?P<y>\d{4})[/-]" + _MONTH + r"[/-](?P<d>\d{1,2})[ :T]" + _CLOCK + r"(?:\s?" + _ZONE + r")?"),
    # 17.11.2021 15:23, 17-11-2021 15:23:49 (day first), 11/17/2021 3:23:00 PM (US: month first)
    re.compile(r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}),?\s(?:(?:um|à|a las|alle|om|at)\s)?" + _CLOCK + _UNTIL
               + r"(?:\sUhr)?(?:\s?" + _ZONE + r")?"),
    # Dec 6, 2021 @ 13:04:20.955 (Kibana), January 5, 2024 at 10:00 UTC, April 22nd, 2021 at 4:36:58 PM UTC
    re.compile(_MONTH + r"\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4}),?\s(?:@\s|at\s)?" + _CLOCK
               + r"(?:\s?" + _ZONE + r")?"),
    # [Tue May 17 19:35:18.688430 2022] (Apache error log, ctime): the year after the clock, the
    # zone before the year (date(1): "Wed Apr 28 08:47:14 CEST 2021", a zone without a name as its
    # offset's hours, "+06"; a name we do not know is read like none) or after it ("... 2024 -0500")
    re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) " + _MONTH + r" {1,2}(?P<d>\d{1,2}) " + _CLOCK
               + r"(?: (?:" + _ZONE + r"|(?P<zone3>[+-]\d{2})|[A-Z]{3,5}))? (?P<y>\d{4})\b(?: (?P<zone2>[+-]\d{2}:?\d{2})\b)?"),
    # 01.12.26 20:41:13 (a German router's log: day first, two-digit year), only where a row
    # starts (a version number "1.2.21" in prose is no date)
    re.compile(r"(?m)(?:^|(?<=\n))[ \t\[]{0,3}(?P<a>\d{1,2})(?P<sep>\.)(?P<b>\d{1,2})\.(?P<y>\d{2})(?![\d.])\s" + _CLOCK
               + r"(?:\s?" + _ZONE + r")?"),
    # Dec  2 09:01:44 host sshd[..] (syslog, RFC 3164): no year, the mail's date gives it
    re.compile(r"(?<![\w:])" + _MONTH + r" {1,2}(?P<d>\d{1,2}) " + _CLOCK + r"(?!\d)(?!:\d)(?! \d{4}\b)"),
)
# The one time a notice states for its incident ("Time: ...", "Date of incident: ...").
_STATED_TIME = re.compile(
    r"(?im)^[ \t>*-]*(?:date|time|timestamp|date ?/ ?time|date and time|event time|incident time|attack time|"
    r"time of (?:the )?(?:incident|attack|event|detection)|date of (?:the )?(?:incident|attack|event)|detected(?: at| on)?|"
    r"first seen|first detection[^:\n]{0,40}|start(?: date| time)?|observed(?: at| on)?|assessed|reviewed|listed(?: on| since)?|"
    r"tijdstip|zeitpunkt|datum|vastgesteld(?: op)?|waargenomen|festgestellt(?: am)?|beobachtet(?: am)?|"
    r"(?:sample |first )?detection (?:time|date)|(?:attack|incident|abuse) (?:started|began)(?: at| on)?|"
    r"fecha(?: y hora)?|data ?/ ?hora|data e hora|date et heure|horodatage|d[ée]tect[ée]e? le|constat[ée]e? le|data(?: e ora)?|"
    r"rilevat[oa](?: il)?|detectad[oa](?: el)?)"
    r"[ \t]*(?P<utc>\((?:utc|gmt)\))?[ \t]*(?:[:=]|(?<=on|op|am|at|le|il|el) |(?<=started) |(?<=began) "
    # a two-column layout whose label wrapped: "time        2025-10-07T00:55:00+02:00 - ..." (its colon
    # is on the label's last line, "window:")
    r"|(?<=[ \t]{3})(?=\d{4}-\d\d-\d\d))[ \t]*"
    r"(?P<value>[^\n]{6,80})$"
)
_STATED_ZONE = re.compile(
    r"(?im)(?:time\s?zone|zeitzone|tijdzone|fuseau horaire|zona horaria|fuso orario|\btz\b|"
    r"(?:times?|timestamps?|tijden|tijdstippen|zeiten|zeitangaben|zeitstempel|uhrzeiten|heures|horas|orari)\b"
    r"[^\n]{0,40}?\b(?:are|is|in|zijn|sind|en|em|sont|son|sono))[^\n]{0,30}?"
    r"(?:(?P<offset>(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\s?\d{1,2}(?::?\d{2})?\s?(?:UTC|GMT))"
    r"|(?P<us>US[ /](?:Eastern|Central|Mountain|Pacific))|(?P<iana>\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b)"
    r"|\b(?P<abbr>UTC|GMT|CET|CEST|EST|EDT|CST|CDT|PST|PDT|MSK|EET|EEST"
    # written in capitals only: "ist" and "met" are words too
    r"|(?-i:IST|JST|KST|SGT|HKT|AEST|AEDT|BRT|WEST|WET|MESZ|MEZ|MEST|MET))\b)"
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


_ZONE_WORD = re.compile("time|tz|tijd|zeit|fuseau|heure|hora|zona|orari")


def stated_zone(text: str) -> tzinfo | None:
    """The time zone a notice states for its times, or None."""
    m = None
    for line in text[:20_000].splitlines():  # said in the prose, near the top
        lowered = line.lower()
        # Only lines that speak of time or a zone (a cheap test: the full pattern is costlier).
        if _ZONE_WORD.search(lowered) and (m := _STATED_ZONE.search(line)):
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


@dataclass(frozen=True)
class Frame:
    """How to read the times of one notice: the zone it states for them (None:
    it states none), the zone to guess when it states none (the mail's Date
    header's), and when the mail was sent."""
    zone: tzinfo | None = None
    guess: tzinfo | None = None
    sent: datetime | None = None


NO_FRAME = Frame()
AS_UTC = "not stated, read as UTC"


def unzoned_warning(note: str) -> str:
    """The notice's warning for events whose time zone is `note` (a guess)."""
    return "event times without a time zone (the notice states none): " + note.removeprefix("not stated, ")


def _offset_text(zone: tzinfo) -> str:
    offset = zone.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=16)  # asked for again by each part of a parser that reads times
def frame_of(text: str, date_header: str | None) -> Frame:
    """The Frame of a notice: the zone its text states, and the offset and time
    of its Date header (RFC 5322 `Date:`; an offset of zero guesses nothing)."""
    sent = guess = None
    if date_header:
        try:
            sent = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            sent = None
        if sent is not None and sent.tzinfo is None:
            # "-0000": the zone is unknown (RFC 5322 3.3), nothing to guess from; the day still
            # gives a syslog line its year.
            sent = sent.replace(tzinfo=UTC)
        if sent is not None and sent.utcoffset():
            guess = sent.tzinfo
    return Frame(zone=stated_zone(text), guess=guess, sent=sent)


def _day_month(a: int, b: int, sep: str, year: int, sent: datetime | None) -> tuple[int, int]:
    """(month, day) of a date written with two small numbers."""
    # Slashes are the US order (month first), dots and dashes day first.
    month, day = (a, b) if sep == "/" else (b, a)
    if month > 12 >= day:
        return day, month
    if sent is not None and day <= 12 and day != month:
        # Both readings are dates: the one nearer before the mail's date is meant
        # (a report tells of what happened lately, not of next month).
        try:
            this, other = datetime(year, month, day, tzinfo=UTC), datetime(year, day, month, tzinfo=UTC)
        except ValueError:
            return month, day
        ahead = sent + timedelta(days=1)
        if (other <= ahead) and (this > ahead or other > this):
            return day, month
    return month, day


def _zone_written(g: dict) -> str | None:
    """The zone a matched time writes, wherever its notation puts it."""
    return g.get("zone") or g.get("zone2") or g.get("zone3")


def _build(m: re.Match, frame: Frame) -> datetime | None:
    g = m.groupdict()
    try:
        if g.get("y"):
            year = int(g["y"])
            year += 2000 if len(g["y"]) == 2 else 0
        elif frame.sent is not None:
            year = frame.sent.year  # a syslog line: the year of the mail, or the one before (below)
        else:
            return None
        if g.get("mon"):
            month, day = _MONTHS.get(g["mon"][:3].lower()), int(g["d"])
        elif g.get("a"):
            month, day = _day_month(int(g["a"]), int(g["b"]), g["sep"], year, frame.sent)
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
    written = _zone_written(g)
    own = _offset(written) if written else None
    when = when.replace(tzinfo=own or frame.zone or _guess(g, frame) or UTC)
    if not g.get("y") and when > frame.sent + timedelta(days=1):
        when = when.replace(year=year - 1)  # "Dec 31 23:59" in a mail of the 1st of January
    when = when.astimezone(UTC)
    return when if 1990 <= when.year <= 2100 else None


def _guess(g: dict, frame: Frame) -> tzinfo | None:
    """The zone a time that writes none is read in, when the notice states none:
    the mail's Date header's for a local notation (a syslog line, 01.12.26, 11/17/2021,
    a NAS's 2026/12/02: a clock on the sender's desk), none (so UTC) for ISO 8601's
    2026-12-01, the notation of feeds, exports and CERT tables, which write UTC."""
    return None if g.get("isep") == "-" else frame.guess


def _note(m: re.Match, frame: Frame) -> str:
    """"" if the zone of a time is known (written beside it, or stated by the
    notice); else what the event says of its zone (extra["time_zone"])."""
    g = m.groupdict()
    written = _zone_written(g)
    if frame.zone is not None or (written and _offset(written) is not None):
        return ""
    guess = _guess(g, frame)
    if guess is None:
        return AS_UTC
    return f"not stated, read as UTC{_offset_text(guess)}, the zone of the mail's Date header"


def times_in(line: str, frame: Frame = NO_FRAME) -> list[datetime]:
    """The times written in one line, in order of appearance, as aware UTC."""
    if ":" not in line:
        return []  # every notation has a clock: most lines are done here
    found: list[tuple[int, datetime]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(line):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            when = _build(m, frame)
            if when:
                found.append((m.start(), when))
                taken.append((m.start(), m.end()))
    return [when for _, when in sorted(found, key=lambda f: f[0])]


def _first_time(line: str, frame: Frame) -> tuple[datetime | None, str]:
    """The first time a line writes (by notation, ISO first), and its `_note`."""
    for pattern in _PATTERNS:
        for m in pattern.finditer(line):
            when = _build(m, frame)
            if when:
                return when, _note(m, frame)
    return None, ""


_TIME_LINE_STARTS = ("date", "time", "event", "incide", "attack", "detect", "first", "start", "observ",
                     "tijdst", "zeitpu", "datum", "assess", "seen", "review", "festge", "vastge", "waarge",
                     "beobac", "erkann", "listed", "sample", "abuse", "fecha", "horoda", "détect", "consta", "data",
                     "rileva")
# A label alone on its line, its value on the next (a table turned into text:
# "Observed" / "" / "03/12/2026 21:05:33 CET").
_TIME_LABEL = re.compile(
    r"(?i)^[ \t>*-]*(?:date|time|timestamp|date ?/ ?time|date and time|event time|incident time|attack time|"
    r"detected|first seen|observed|seen|assessed|reviewed|tijdstip|zeitpunkt|datum|vastgesteld|"
    r"festgestellt|waargenomen|beobachtet)[ \t]*(?P<utc>\((?:utc|gmt)\))?[ \t]*:?[ \t]*$")


_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_PROSE_TIME = re.compile(
    r"(?i)\b(?:(?:last|first)\s+)?(?:detected|seen|observed)\s+(?:at|on)\s+(?=\d)"
    r"|\b(?:attack|incident|time)\s+window\s*:\s*(?=\d)"  # "... 192.0.2.210. Attack window: <start> - <end> UTC."
    # a JSON alert's own key: "first_seen": "2026-12-03T10:41:09Z"
    r"|[\"'](?:first_?seen|detected_?at|observed_?at|event_?time|timestamp)[\"']\s*:\s*[\"'](?=\d)")


def stated_time(text: str, frame: Frame = NO_FRAME) -> datetime | None:
    """The incident time a notice states on a line of its own ("Time: ...",
    "Date of incident: ..."), if it states exactly one; None otherwise (a
    notice listing several events has no single time to give them all)."""
    return stated_time_noted(text, frame)[0]


def stated_time_noted(text: str, frame: Frame = NO_FRAME) -> tuple[datetime | None, str]:
    """`stated_time`, and the `_note` of its zone ("" if it is known)."""
    # Labelled times first; only a notice that labels none is read for the time its prose states.
    for candidates in (_labelled_times, _prose_times):
        found: dict[datetime, str] = {}
        named: dict[datetime, str] = {}  # not a forwarded mail's own Date: header
        for value, this, *generic in candidates(text, frame):
            when, note = _first_time(value, this)
            if when:
                found.setdefault(when, note)
                if not (generic and generic[0]):
                    named.setdefault(when, note)
                if len(found) > 1 and len(named) > 1:
                    return None, ""
        if len(found) > 1:
            # A forwarded mail's "Date:"/"Datum:" header beside "Incident Time: ...": the
            # incident's label says which time is the event's.
            return next(iter(named.items())) if len(named) == 1 else (None, "")
        if found:
            return next(iter(found.items()))
    return None, ""


_GENERIC_DATE = re.compile(r"(?i)^[ \t>*-]*(?:date|datum|data)[ \t]*[:=]")
_MAIL_HEADER = re.compile(r"(?i)^[ \t>*-]*(?:subject|betreff|onderwerp|objet|asunto|from|von|van|de|to|an|aan|cc|"
                          r"sent|gesendet|verzonden)[ \t]*:")


def _labelled_times(text: str, frame: Frame):
    """(value, frame to read it in) of each line that labels a time ("Time: ...", a label alone
    over its value)."""
    lines = text[:50_000].splitlines()
    for i, line in enumerate(lines):
        # A cheap test first: only lines that start like a time line are matched.
        if not line.lstrip(" \t>*-")[:6].lower().startswith(_TIME_LINE_STARTS):
            continue
        if m := _STATED_TIME.match(line):
            value = m.group("value")
        elif m := _TIME_LABEL.match(line):
            value = next((v for v in lines[i + 1:i + 3] if v.strip()), None)
            if value and len(value.strip()) > 40:
                continue  # a column's head over rows that say more than a time: each row has its own
        else:
            continue
        if value:
            # A forwarded mail's own "Date:"/"Datum:" header (beside its Subject:, From: ...) dates
            # the mail, not the incident.
            header = bool(_GENERIC_DATE.match(line)) and any(
                _MAIL_HEADER.match(other) for other in lines[max(0, i - 3):i] + lines[i + 1:i + 4])
            yield value, replace(frame, zone=UTC) if m.group("utc") else frame, header  # "Date (UTC): ..."


def _prose_times(text: str, frame: Frame):
    """(value, frame) after each "detected at" of the prose ("It was last detected at
    2026-12-03 04:41 UTC", the sentence allowed to wrap) whose sentence names no address."""
    for m in _PROSE_TIME.finditer(text[:50_000]):
        value = text[m.end(): m.end() + 80].split("\n\n", 1)[0].replace("\n", " ")
        stop = _SENTENCE_END.search(value)
        start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start())) + 1
        if find_ips(text[start: m.start()] + value[: stop.start() if stop else len(value)]):
            continue  # "Attacks seen on <time> from x.": that row's time, not the notice's
        yield value, frame


def row_time(text: str, pos: int, frame: Frame = NO_FRAME, reach: int = 400) -> datetime | None:
    """The first time on the line (row) that contains `pos`; None if it names none."""
    return row_time_noted(text, pos, frame, reach)[0]


def row_time_noted(text: str, pos: int, frame: Frame = NO_FRAME,
                   reach: int = 400) -> tuple[datetime | None, str]:
    """(the row's time, its `_note`): a time that writes no zone, in a notice
    that states none, is read in a guessed zone and says so."""
    lo = max(0, pos - reach)
    start = text.rfind("\n", lo, pos) + 1 or lo
    end = text.find("\n", pos, pos + reach)
    line = text[max(start, lo): end if end != -1 else min(len(text), pos + reach)]
    if ":" not in line:
        return None, ""
    # A row names one time, mostly ISO: the first notation that reads one is enough.
    return _first_time(line, frame)


# A table turned into text one cell per line (an HTML table, a Kibana export): the column
# names, then each row's cells in the same order. A name that says time ("Timestamp",
# "Date/Time(GMT+9)", "Detect Time") heads the column of each row's time, in the zone it names.
_CELL = re.compile(r"^[ \t]*[A-Za-z][\w .#/()+-]{0,30}(?<!\.)[ \t]*$")  # not a sentence ("Please see the logs below.")
_TIME_COLUMN = re.compile(r"(?i)^[ \t]*(?:date|time|timestamp|date ?/ ?time|detect(?:ion|ed)? ?time|event ?time|"
                          r"receive ?time|first ?seen|start ?time)\b")


_TIME_COLUMN_LINE = re.compile(r"(?im)^[ \t]*(?:date|time|timestamp|detect|event ?time|receive ?time|first ?seen|"
                               r"start ?time)[^\n]{0,24}$")


def has_time_column(text: str) -> bool:
    """Does the text have a line that could name a time column of a one-cell-per-line table?"""
    return bool(_TIME_COLUMN_LINE.search(text, 0, 2_000_000))


def vertical_time(text: str, pos: int, frame: Frame = NO_FRAME, reach: int = 300) -> tuple[datetime | None, str]:
    """The time of the row a one-cell-per-line table gives the cell at `pos`."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end == -1 else end
    if len(text[start:end].strip()) > 80:
        return None, ""
    # The non-empty lines above, nearest first, up to the run of column names.
    cells: list[str] = []
    pos_up = start
    while len(cells) < reach and pos_up > 0:
        prev = text.rfind("\n", 0, pos_up - 1) + 1
        line = text[prev:pos_up - 1]
        pos_up = prev
        if line.strip():
            if len(line.strip()) > 80:
                break  # prose: the table starts below it
            cells.append(line.strip())
    cells.reverse()
    # The header: the last run of at least three name cells, one of them a time column's,
    # whose row cells (the cells after it, this one included) fill whole rows up to here.
    for head_end in range(len(cells), 2, -1):
        names: list[str] = []
        i = head_end - 1
        while i >= 0 and _CELL.match(cells[i]):
            names.insert(0, cells[i])
            i -= 1
        if len(names) < 3:
            continue
        times_at = [k for k, n in enumerate(names) if _TIME_COLUMN.match(n)]
        if not times_at:
            return None, ""
        after = cells[head_end:]  # the row cells above this one
        row_start = len(after) - len(after) % len(names)
        column = times_at[0]
        if row_start + column >= len(after):
            return None, ""  # the time cell comes after this one: a row of another layout
        value = after[row_start + column]
        zoned = _ZONE_IN_NAME.search(names[column])
        own = _offset(zoned.group(0)) if zoned else None
        return _first_time(value, replace(frame, zone=own or frame.zone))
    return None, ""


_ZONE_IN_NAME = re.compile(r"(?i)(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?|\b(?:UTC|GMT)\b")


_BLOCK_TIME = re.compile(
    r"(?im)^[ \t>*-]*(?:date|time|timestamp|tijd|zeit|datum|date ?/ ?time|event time|seen|last ?seen|first ?seen"
    r"|server time|time of (?:the )?(?:ban|block|detection|incident|attack|event)"
    r"|detected(?: at| on)?|observed(?: at)?)[ \t]*(?:\((?:utc|gmt)\))?[ \t]*[:=][ \t]*([^\n]{6,80})$")


def block_time(text: str, pos: int, frame: Frame = NO_FRAME, reach: int = 12) -> tuple[datetime | None, str, int, int]:
    """The time a labelled block states for its record ("IP: x / hostname: ... /
    Time: ..."; the block: the lines around `pos` up to blank lines, at most
    `reach` either way): (time if the block states exactly one, its `_note`,
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
            when = _build(t, frame) if t else None
            if when:
                found.append((when, _note(t, frame)))
                break
    if len({w for w, _ in found}) != 1:
        return None, "", start, end
    return found[0][0], found[0][1], start, end
