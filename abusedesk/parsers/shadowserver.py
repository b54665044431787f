"""Shadowserver reports: CSV (bare, zipped or gzipped) -> one Event per row.

How a report is read is data, not code: `data/shadowserver_reports.json`
says, per report type, which column holds the offending host (`ip` for
scans, `src_ip` for events; never `dst_ip`, the sinkhole or honeypot side),
the port column, the category, and the columns worth keeping as evidence.

Shadowserver adds, drops and reorders columns over time, so nothing here
depends on column positions: every column is found by name in the header
row, once per file, and a column that is missing is simply left out.

The row loop is the hot path (reports reach 200,000+ rows): it works on the
lists the csv module returns, with indexes computed once, a cached timestamp
parser, `inet_pton` for address checks and the evidence text remembered per
combination of values, and it never builds a list of rows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from socket import AF_INET, AF_INET6, inet_ntop, inet_pton

from . import archive
from .base import CATEGORIES, KIND_ABUSE, Event, NotifierInfo, ParseContext, ParsedNotice, ParseError

FORMAT = "shadowserver"

# csv's default field limit (128 KiB) rejects long SSL/HTTP banner fields that
# real reports do carry; 8 MiB still bounds a hostile unterminated quote.
# (The limit is process-wide; every caller of the csv module shares it.)
FIELD_LIMIT = 8 * 1024 * 1024
if csv.field_size_limit() < FIELD_LIMIT:
    csv.field_size_limit(FIELD_LIMIT)

EVIDENCE_VALUE_MAX = 200  # characters kept of one evidence value
EVIDENCE_CACHE_ROWS = 1024  # evidence value combinations remembered per report...
EVIDENCE_CACHE_CHARS = 512  # ...when their values together are no longer than this

# YYYY-MM-DD-<report_type>-<anything>.csv[.zip|.gz] (Shadowserver's naming).
_FILENAME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})-([a-z0-9_]+)-.*\.(?:csv(?:\.zip|\.gz)?|zip|gz)$", re.IGNORECASE
)
_SCAN_LIKE = ("scan", "open_", "population", "vulnerable_", "device_id", "ssl_")
# Columns Shadowserver puts in nearly every report; used to tell its CSV from others.
_TYPICAL = frozenset(
    "asn geo region city naics sector severity tag hostname_source src_asn src_geo "
    "src_region src_city src_naics infection public_source".split()
)
_OFFENDER_FALLBACK = ("src_ip", "ip")  # for unknown reports: never dst_ip


# ---------------------------------------------------------------------------
# The mapping


@dataclass(frozen=True, slots=True)
class ReportSpec:
    name: str
    category: str
    family: str
    title: str = ""
    ip_columns: tuple[str, ...] = ("ip",)
    port_column: str | None = "port"
    url_column: str | None = None
    domain_column: str | None = None
    evidence: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    refine: tuple[tuple[str, str, str], ...] = ()  # (column, lowercase text, category)
    role: str | None = None
    columns: frozenset[str] = frozenset()  # expected header, for recognition and drift
    known: bool = True


def _load_mapping() -> tuple[dict[str, ReportSpec], dict[str, str], dict[str, dict]]:
    raw = json.loads((Path(__file__).parent / "data" / "shadowserver_reports.json").read_text("utf-8"))
    families = raw["families"]
    specs: dict[str, ReportSpec] = {}
    for name, r in raw["reports"].items():
        fam = families[r["family"]]
        category = r["category"]
        refine = tuple((x["column"], x["contains"].lower(), x["category"]) for x in r.get("refine", ()))
        for cat in (category, *(x[2] for x in refine)):
            if cat not in CATEGORIES:
                raise ValueError(f"shadowserver_reports.json: {name}: unknown category {cat!r}")
        specs[name] = ReportSpec(
            name=name,
            category=category,
            family=r["family"],
            title=r.get("title", ""),
            ip_columns=tuple(r.get("ip", fam["ip"])),
            port_column=r.get("port", fam.get("port")),
            url_column=r.get("url", fam.get("url")),
            domain_column=r.get("domain", fam.get("domain")),
            evidence=tuple(dict.fromkeys([*fam.get("evidence", ()), *r.get("evidence", ())])),
            extra=tuple(dict.fromkeys([*fam.get("extra", ()), *r.get("extra", ())])),
            refine=refine,
            role=r.get("role"),
            columns=frozenset(fam["columns"]) | frozenset(r.get("columns", ())),
        )
    for alias, target in raw["aliases"].items():
        if target not in specs:
            raise ValueError(f"shadowserver_reports.json: alias {alias} -> unknown {target}")
    return specs, raw["aliases"], families


REPORTS, ALIASES, FAMILIES = _load_mapping()


def _norm_title(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


# Longest first, so that "IPv6 Accessible SSL" wins over "Accessible SSL".
_TITLES = sorted(
    ((_norm_title(s.title.replace("(legacy)", "").replace("IPv4", "")), s.name) for s in REPORTS.values() if s.title),
    key=lambda t: -len(t[0]),
)


def report_type_from_filename(filename: str | None) -> str | None:
    """'2026-11-20-scan_ssl-nl-asn64496.csv' -> 'scan_ssl' (lowercase), else None."""
    if not filename:
        return None
    base = re.split(r"[/\\]", filename)[-1]
    m = _FILENAME.match(base)
    return m.group(2).lower() if m else None


def report_date_from_filename(filename: str | None) -> datetime | None:
    if not filename:
        return None
    m = _FILENAME.match(re.split(r"[/\\]", filename)[-1])
    if not m:
        return None
    try:
        return datetime.strptime(m.group(1), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def report_type_from_subject(subject: str | None) -> str | None:
    """'[Shadowserver] Accessible-HTTP Report: 2026-11-20' -> 'scan_http'.

    Shadowserver mail subjects carry the report's title, not its file name."""
    if not subject:
        return None
    text = _norm_title(subject)
    for title, name in _TITLES:
        if title in text:
            return name
    m = re.search(r"\b((?:scan6?|event[46]|population6?)_[a-z0-9_]+)\b", subject.lower())
    return m.group(1) if m else None


def resolve(report_type: str) -> ReportSpec:
    """The spec for a report type name, through aliases and IPv6/legacy
    spellings; an unknown name gets a generic spec with known=False."""
    name = report_type.strip().lower()
    if name in REPORTS:
        return REPORTS[name]
    if name in ALIASES:
        return REPORTS[ALIASES[name]]
    # IPv6 twins read like their IPv4 report (same columns, same meaning).
    for v6, v4 in (("scan6_", "scan_"), ("event6_", "event4_"), ("population6_", "population_")):
        if name.startswith(v6) and v4 + name[len(v6) :] in REPORTS:
            return _renamed(REPORTS[v4 + name[len(v6) :]], name)
    if name.endswith("6") and name[:-1] in REPORTS:
        return _renamed(REPORTS[name[:-1]], name)
    if name.startswith("open_") and "scan_" + name[5:] in REPORTS:  # legacy open_* names
        return _renamed(REPORTS["scan_" + name[5:]], name)
    if name.startswith(("event4_", "event6_", "event_")):
        fam = FAMILIES["event"]
        return ReportSpec(
            name=name, category="other", family="event", ip_columns=_OFFENDER_FALLBACK,
            port_column=fam["port"], evidence=tuple(fam["evidence"]), extra=tuple(fam["extra"]), known=False,
        )
    fam = FAMILIES["scan"]
    category = "vulnerable_service" if name.startswith(_SCAN_LIKE) or "vulnerable" in name else "other"
    return ReportSpec(
        name=name, category=category, family="scan", ip_columns=("ip", "src_ip"),
        port_column=fam["port"], evidence=tuple(fam["evidence"]), extra=tuple(fam["extra"]), known=False,
    )


def _renamed(spec: ReportSpec, name: str) -> ReportSpec:
    return dataclasses.replace(spec, name=name)


def report_type_from_header(columns: Iterable[str]) -> tuple[str | None, float]:
    """Best-matching known report for a header row (Jaccard similarity of the
    column sets) and its score. IPv4/IPv6 twins have the same columns; ties
    go to the IPv4 name, which reads alike, so the choice is harmless."""
    cols = frozenset(columns)
    best, best_score = None, 0.0
    for name in _BY_PREFERENCE:
        expected = REPORTS[name].columns
        if not expected:
            continue
        score = len(cols & expected) / len(cols | expected)
        if score > best_score:
            best, best_score = name, score
    return best, best_score


_BY_PREFERENCE = sorted(REPORTS, key=lambda n: ("6_" in n or n.endswith("6"), n))
HEADER_MATCH_MIN = 0.6  # below this a header only tells us "some Shadowserver report"


# ---------------------------------------------------------------------------
# Detection


def looks_like(filename: str | None, head: bytes) -> bool:
    """True for a Shadowserver report: by its file name, by the name of the
    first member of a zip/gzip, or by a header row of Shadowserver columns."""
    if _known_name(report_type_from_filename(filename)):
        return True
    if archive.is_zip(head):
        return _known_name(report_type_from_filename(_zip_first_name(head)))
    if archive.is_gzip(head):
        if _known_name(report_type_from_filename(_gzip_name(head))):
            return True
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64 * 1024)
        except zlib.error:
            return False
    cols = _header_of(head)
    return bool(cols) and _is_shadowserver_header(cols)


def _known_name(report_type: str | None) -> bool:
    if not report_type:
        return False
    return resolve(report_type).known or report_type.startswith(("scan", "event4_", "event6_", "population"))


def _zip_first_name(head: bytes) -> str | None:
    # Local file header: name length at offset 26, name at offset 30.
    if len(head) < 30:
        return None
    n = int.from_bytes(head[26:28], "little")
    return head[30 : 30 + n].decode("utf-8", "replace") or None


def _gzip_name(head: bytes) -> str | None:
    # RFC 1952: FNAME flag (0x08) puts a NUL-terminated name after the fixed
    # header and an optional FEXTRA field (0x04).
    if len(head) < 10 or not head[3] & 0x08:
        return None
    pos = 10
    if head[3] & 0x04:
        pos += 2 + int.from_bytes(head[10:12], "little")
    end = head.find(b"\x00", pos)
    return head[pos:end].decode("latin-1") if end > pos else None


def _header_of(head: bytes) -> list[str]:
    text = head.decode("utf-8", "replace").lstrip("\ufeff").lstrip()
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    try:
        row = next(csv.reader([first]), [])
    except csv.Error:
        return []
    return [_norm_col(c) for c in row]


def _norm_col(name: str) -> str:
    return name.replace("\x00", "").strip().strip('"').strip().lower()


def _is_shadowserver_header(cols: Iterable[str]) -> bool:
    cols = set(cols)
    has_ip = bool(cols & {"ip", "src_ip", "http_referer_ip"})
    return "timestamp" in cols and has_ip and len(cols & _TYPICAL) >= 2


# ---------------------------------------------------------------------------
# Streaming


@dataclass
class ReportInfo:
    """What iter_events learnt about the report. The counters are final once
    its generator is exhausted or closed; the summary warnings (bad rows,
    truncation) are added when it is exhausted."""

    report_type: str
    category: str
    known: bool
    detected_by: str  # "argument", "filename", "header", "header-guess"
    title: str = ""
    columns: list[str] = field(default_factory=list)
    offender_column: str | None = None
    missing_columns: list[str] = field(default_factory=list)  # expected, absent (drift)
    added_columns: list[str] = field(default_factory=list)  # present, not expected (drift)
    rows: int = 0
    events: int = 0
    skipped_bad_ip: int = 0
    bad_timestamps: int = 0
    malformed_rows: int = 0
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_meta(self) -> dict:
        return {
            "report_type": self.report_type,
            "report_title": self.title,
            "report_known": self.known,
            "detected_by": self.detected_by,
            "offender_column": self.offender_column,
            "rows": self.rows,
            "skipped_bad_ip": self.skipped_bad_ip,
            "bad_timestamps": self.bad_timestamps,
            "malformed_rows": self.malformed_rows,
            "drift": {"missing": self.missing_columns, "added": self.added_columns},
        }


def iter_events(
    source,
    filename: str | None = None,
    context: ParseContext | None = None,
    *,
    report_type: str | None = None,
) -> tuple[ReportInfo, Iterator[Event]]:
    """Read the header now, return (info, generator of Events) for the rows.

    `source`: a binary file object (plain, gzip or zip; gzip is inflated as a
    capped stream) or an iterable of lines (bytes or str). Memory stays flat
    for plain and gzip input: rows are read, turned into an Event and
    dropped one at a time. Raises ParseError if there is no usable header.
    """
    context = context or ParseContext()
    lines = _text_lines(source, filename, context)
    reader = csv.reader(lines)
    header = _read_header(reader)
    if header is None:
        raise ParseError("no CSV header row found")

    detected_by = "argument" if report_type else "filename"
    report_type = report_type or report_type_from_filename(filename)
    guessed_score = None
    if not report_type:
        if not _is_shadowserver_header(header):
            raise ParseError("not a Shadowserver report: header has no timestamp/ip columns")
        best, guessed_score = report_type_from_header(header)
        if best and guessed_score >= HEADER_MATCH_MIN:
            report_type, detected_by = best, "header"
        else:
            report_type = "unknown"
            detected_by = "header-guess"
    spec = resolve(report_type)
    if detected_by == "header-guess":
        # A header we do not recognise: still one event per address, from the
        # offender column a Shadowserver report would use.
        spec = dataclasses.replace(spec, ip_columns=_OFFENDER_FALLBACK, category="other")

    info = ReportInfo(
        report_type=spec.name, category=spec.category, known=spec.known, detected_by=detected_by,
        title=spec.title, columns=header,
    )
    if not spec.known:
        info.warnings.append(f"unknown report type {report_type}")
    if spec.columns:
        present = set(header)
        info.missing_columns = sorted(spec.columns - present)
        info.added_columns = [c for c in header if c and c not in spec.columns]

    index = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)  # a duplicated column name: the first one counts
    offender = next((c for c in spec.ip_columns if c in index), None)
    if offender is None and spec.ip_columns:
        # Drift: the documented column vanished; a renamed src_ip/ip still works.
        offender = next((c for c in _OFFENDER_FALLBACK if c in index), None)
        if offender is not None:
            info.warnings.append(
                f"offender column {spec.ip_columns[0]!r} missing, using {offender!r}"
            )
    info.offender_column = offender
    if offender is None:
        if spec.ip_columns:
            raise ParseError(f"report {spec.name}: no offender IP column in header")
        info.warnings.append(f"report type {spec.name} carries no IP address; nothing to match")
        return info, _drain(reader, info)
    return info, _rows_to_events(reader, header, index, offender, spec, info, context)


def _drain(reader, info: ReportInfo) -> Iterator[Event]:
    # Count the rows so that meta still says how big the report was.
    for row in reader:
        if any(row):
            info.rows += 1
    yield from ()


def _read_header(reader) -> list[str] | None:
    try:
        for row in reader:
            if any(c.strip() for c in row):
                return [_norm_col(c) for c in row]
    except csv.Error:
        return None
    return None


def _text_lines(source, filename: str | None, context: ParseContext) -> Iterator[str]:
    """Decoded text lines for csv.reader, whatever the input form."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    if hasattr(source, "read"):
        head = source.read(4)
        if isinstance(head, str):
            raise TypeError("iter_events needs a binary file object, not a text one")
        raw = _Prepend(head, source)
        if archive.is_zip(head):
            # A zip must be read whole (its directory is at the end); bounded by max_bytes.
            data = _read_capped(raw, context.max_bytes)
            members = [m for m in archive.safe_unzip(data, context) if m[1].strip()]
            csvs = [m for m in members if m[0].lower().endswith(".csv")] or members
            if not csvs:
                raise ParseError("zip archive holds no report")
            raw = io.BytesIO(csvs[0][1])
        elif archive.is_gzip(head):
            raw = archive.CappedGzipReader(raw, context, name=filename or "(gzip)")
        return io.TextIOWrapper(
            io.BufferedReader(_NulStripper(raw), buffer_size=256 * 1024),
            encoding="utf-8-sig", errors="replace", newline="",
        )
    return _decode_lines(source)


def _decode_lines(lines: Iterable) -> Iterator[str]:
    first = True
    for line in lines:
        if isinstance(line, (bytes, bytearray)):
            line = line.decode("utf-8", "replace")
        if first:
            line = line.lstrip("\ufeff")
            first = False
        if "\x00" in line:
            line = line.replace("\x00", "")
        yield line


class _NulStripper(io.RawIOBase):
    """Drops NUL bytes chunk by chunk. They are legal for csv in 3.11 but
    poison every value they touch; doing it here keeps the row loop clean."""

    def __init__(self, raw):
        self._raw = raw
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            chunk = self._raw.read(len(b))
            if not chunk:
                return 0
            self._buf = chunk.replace(b"\x00", b"")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


class _Prepend(io.RawIOBase):
    """A raw stream that first returns bytes already read (the magic peek)."""

    def __init__(self, head: bytes, rest):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(b))
        if not chunk:
            return 0
        b[: len(chunk)] = chunk
        return len(chunk)


def _read_capped(raw, limit: int) -> bytes:
    buf = bytearray()
    while True:
        chunk = raw.read(1024 * 1024)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > limit:
            raise ParseError(f"input larger than {limit} bytes")


# ---------------------------------------------------------------------------
# Field parsers (hot path: keep them cheap)


def parse_ip(value: str) -> str | None:
    """A valid IPv4/IPv6 address in canonical text form, or None.

    inet_pton is strict (no leading zeros, no zone ids, no padding) and
    ~15x faster than ipaddress.ip_address."""
    try:
        inet_pton(AF_INET, value)
        return value
    except OSError:
        pass
    except ValueError:  # embedded NUL
        return None
    value = value.strip()
    if ":" in value:
        try:
            packed = inet_pton(AF_INET6, value)
        except (OSError, ValueError):
            return None
        if packed[:12] == _V4_MAPPED:
            # ::ffff:a.b.c.d is how dual-stack sockets log an IPv4 peer: the
            # host is the IPv4 address, and that is what assignments hold.
            return inet_ntop(AF_INET, packed[12:])
        return inet_ntop(AF_INET6, packed)
    try:
        inet_pton(AF_INET, value)
        return value or None
    except (OSError, ValueError):
        return None


_V4_MAPPED = b"\x00" * 10 + b"\xff\xff"

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


# ---------------------------------------------------------------------------
# The row loop


def _rows_to_events(reader, header, index, offender, spec: ReportSpec, info: ReportInfo,
                    context: ParseContext) -> Iterator[Event]:
    ncols = len(header)
    ip_i = index[offender]
    ts_i = index.get("timestamp", -1)
    port_i = index.get(spec.port_column, -1) if spec.port_column else -1
    url_i = index.get(spec.url_column, -1) if spec.url_column else -1
    dom_i = index.get(spec.domain_column, -1) if spec.domain_column else -1
    ref_i = index.get("event_id", -1)
    ev_names = [name for name in spec.evidence if name in index and name != offender]
    ev_labels = tuple(f" {name}=" for name in ev_names)  # each part brings its own separator
    ev_values = _tuple_getter([index[name] for name in ev_names])
    # The report type may come from the caller; the address is printable by construction.
    evidence_head = _printable(f"report={spec.name} {offender}=")
    # Evidence columns (tag, protocol, banner, infection, ...) repeat heavily
    # within a report, so the text for each combination of values is built and
    # checked once. Bounded in entries and in the size of the values kept as
    # keys (a field may be 8 MiB).
    tails: dict[tuple, str] = {}
    ex = tuple((name, index[name]) for name in spec.extra if name in index)
    refine = tuple((index[c], text, cat) for c, text, cat in spec.refine if c in index)
    default_category = spec.category
    role = spec.role
    max_events = context.max_events
    last_ts, last_dt = None, None
    seen_categories = set()

    port_cache: dict[str, int | None] = {}

    rows = events = bad_ip = bad_ts = malformed = 0
    while True:
        try:
            for row in reader:
                n = len(row)
                if n < ncols:
                    if n == 0 or (n == 1 and not row[0].strip()):
                        continue  # blank line
                    row.extend([""] * (ncols - n))  # trailing columns dropped: treat as empty
                rows += 1
                ip = row[ip_i]
                try:  # the common case inline: a plain IPv4 address
                    inet_pton(AF_INET, ip)
                except (OSError, ValueError):
                    ip = parse_ip(ip)
                    if ip is None:
                        if row[ip_i].strip().lower() != offender:  # a repeated header is no bad row
                            bad_ip += 1
                        else:
                            rows -= 1
                        continue
                if events >= max_events:
                    info.truncated = True
                    break

                observed_at = None
                if ts_i >= 0:
                    ts = row[ts_i]
                    if ts != last_ts:  # reports come in time order: runs of the same second
                        last_ts, last_dt = ts, parse_timestamp(ts)
                    observed_at = last_dt
                    if observed_at is None and ts:
                        bad_ts += 1

                category = default_category
                if refine:
                    for i, text, cat in refine:
                        v = row[i]
                        if v and text in v.lower():
                            category = cat
                            break
                    seen_categories.add(category)

                values = ev_values(row)
                tail = tails.get(values)
                if tail is None:
                    tail = _evidence_tail(ev_labels, values)
                    if sum(map(len, values)) <= EVIDENCE_CACHE_CHARS:
                        if len(tails) >= EVIDENCE_CACHE_ROWS:
                            tails.clear()
                        tails[values] = tail
                evidence = f"{evidence_head}{ip}{tail}"
                extra = {}  # a plain loop: cheaper than a comprehension (a function call in 3.11)
                for name, i in ex:
                    v = row[i]
                    if v:
                        extra[name] = v
                if role:
                    extra["role"] = role

                port = None
                if port_i >= 0:
                    p = row[port_i]
                    port = port_cache.get(p, -1)
                    if port == -1:
                        port = _port(p)
                        if len(port_cache) < 70_000:
                            port_cache[p] = port
                url = row[url_i].strip() if url_i >= 0 else None
                domain = row[dom_i].strip().lower() if dom_i >= 0 else None
                if url and "://" not in url and domain:
                    # compromised_website gives a path and the host separately
                    url = ("https://" if port == 443 else "http://") + domain + (
                        url if url.startswith("/") else "/" + url)
                events += 1
                yield Event(
                    category, ip, url or None, domain or None, port, observed_at, evidence,
                    (row[ref_i] or None) if ref_i >= 0 else None, extra,
                )
            break
        except csv.Error:
            malformed += 1  # e.g. a field over the size limit; the reader resumes on the next line
        finally:
            # Runs on every exit (end, max_events, consumer closing the generator),
            # so the counters are right whenever the caller looks.
            info.rows, info.events = rows, events
            info.skipped_bad_ip, info.bad_timestamps, info.malformed_rows = bad_ip, bad_ts, malformed

    if len(seen_categories) == 1:
        info.category = seen_categories.pop()
    if bad_ip:
        info.warnings.append(f"skipped {bad_ip} row(s) with a missing or invalid IP in {offender!r}")
    if bad_ts:
        info.warnings.append(f"{bad_ts} row(s) with an unreadable timestamp (observed_at left empty)")
    if malformed:
        info.warnings.append(f"skipped {malformed} malformed CSV row(s)")
    if info.truncated:
        info.warnings.append(f"stopped after {max_events} events (max_events)")
    if rows == 0:
        info.warnings.append("report has no data rows")


# ---------------------------------------------------------------------------
# Whole-report API


def parse_report(
    data: bytes,
    filename: str | None = None,
    context: ParseContext | None = None,
    *,
    report_type: str | None = None,
) -> ParsedNotice:
    """A whole report (CSV, .csv.zip or .csv.gz) as one ParsedNotice.

    `report_type` overrides detection (e.g. from a mail subject, see
    report_type_from_subject). Raises ParseError when nothing is readable.
    """
    context = context or ParseContext()
    if len(data) > context.max_bytes:
        raise ParseError(f"input larger than {context.max_bytes} bytes")
    members = archive.unpack(data, filename, context)
    csvs = [m for m in members if m[0].lower().endswith(".csv")] or members
    outer_type = report_type or report_type_from_filename(filename)

    notice = ParsedNotice(
        format=FORMAT,
        kind=KIND_ABUSE,
        notifier=NotifierInfo(name="Shadowserver", organisation="The Shadowserver Foundation", no_reply=True),
        date=report_date_from_filename(filename),
    )
    infos: list[tuple[str, ReportInfo]] = []
    for name, content in csvs:
        # The member's own name first (zip), then the outer file name or subject.
        rtype = report_type or (None if report_type_from_filename(name) else outer_type)
        try:
            info, events = iter_events(io.BytesIO(content), name or filename, context, report_type=rtype)
            if rtype and not report_type:
                info.detected_by = "filename"
            budget = context.max_events - len(notice.events)
            notice.events.extend(itertools.islice(events, budget))
            if next(events, None) is not None:  # members together exceed max_events
                notice.warnings.append(f"stopped after {context.max_events} events (max_events)")
            events.close()
        except ParseError as exc:
            if len(csvs) == 1:
                raise
            notice.errors.append(f"{name}: {exc}")
            continue
        infos.append((name, info))
        prefix = f"{name}: " if len(csvs) > 1 else ""
        notice.warnings.extend(prefix + w for w in info.warnings)
    if not infos:
        raise ParseError("; ".join(notice.errors) or "no report found")

    first = infos[0][1]
    notice.meta = first.as_meta()
    if len(infos) > 1:
        notice.meta["members"] = [{"name": n, **i.as_meta()} for n, i in infos]
    categories = {e.category for e in notice.events} or {first.category}
    notice.category = categories.pop() if len(categories) == 1 else first.category
    return notice
