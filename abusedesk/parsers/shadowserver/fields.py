"""One field of a report row: addresses, timestamps, ports, evidence text.
Called once per row on the hot path; each helper is cached or cheap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from operator import itemgetter

from abusedesk.lib.ipaddr import canonical_ip

EVIDENCE_VALUE_MAX = 200  # characters kept of one evidence value
EVIDENCE_CACHE_ROWS = 1024  # evidence value combinations remembered per report...
EVIDENCE_CACHE_CHARS = 512  # ...when their values together are no longer than this

# ---------------------------------------------------------------------------
# Field parsers (hot path: keep them cheap)


def parse_ip(value: str) -> str | None:
    """A valid IPv4/IPv6 address in canonical text form, or None: strict
    (a report's column holds addresses as machines write them)."""
    return canonical_ip(value, lenient=False)


def parse_timestamp(value: str) -> datetime | None:
    """Shadowserver timestamps are UTC: '2026-11-20 04:12:33', or ISO 8601
    with 'T' and 'Z'/offset. Returns an aware UTC datetime, or None."""
    s = value if len(value) == 19 else value.strip()
    if len(s) == 19 and s[13] == ":" and s[16] == ":":
        # The fixed format: one datetime per minute, plus a prebuilt timedelta
        # for the seconds; much cheaper than building each datetime from ints.
        minute = _MINUTES.get(s[:16], False)
        if minute is False:
            minute = _parse_minute(s[:16])
            if len(_MINUTES) > 10_000:
                _MINUTES.clear()
            _MINUTES[s[:16]] = minute
        second = _SECONDS.get(s[17:])
        if minute is not None and second is not None:
            return minute + second
        return None
    if s.endswith(" UTC"):
        s = s[:-4]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


_SECONDS = {f"{i:02d}": timedelta(seconds=i) for i in range(60)}
_MINUTES: dict[str, datetime | None] = {}


def _parse_minute(s: str) -> datetime | None:
    """'2026-11-20 04:12' (or with 'T') -> aware UTC datetime, strictly."""
    if not (s[4] == "-" and s[7] == "-" and s[10] in " T" and s.replace("-", "").replace(":", "")
            .replace(" ", "").replace("T", "").isdigit() and s.isascii()):
        return None
    try:
        return datetime(int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]), tzinfo=UTC)
    except ValueError:
        return None


def _port(value: str) -> int | None:
    """'443' -> 443; anything that is not a port number -> None."""
    # isascii first: str.isdigit() is also true for '²' and other non-decimals
    if value.isascii() and value.isdigit() and len(value) <= 5:
        p = int(value)
        return p if p <= 65535 else None
    return None


def _evidence_tail(labels, values) -> str:
    """' label=value' for each value present, over-long values cut and control
    characters blanked: evidence is shown to staff and customers, on one line."""
    parts = []
    for label, v in zip(labels, values, strict=True):
        if v:
            if len(v) > EVIDENCE_VALUE_MAX:
                v = v[:EVIDENCE_VALUE_MAX] + "..."
            parts.append(label + v)
    return _printable("".join(parts))


def _printable(text: str) -> str:
    return text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)


def _tuple_getter(indexes):
    """row -> tuple of row[i] for i in indexes, in one C call. (itemgetter
    returns a bare item, not a tuple, for a single index.)"""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        (i,) = indexes
        return lambda row: (row[i],)
    return lambda row: ()


