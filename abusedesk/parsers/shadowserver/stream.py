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
from collections.abc import Iterable, Iterator

from .. import archive
from ..base import KIND_ABUSE, Event, NotifierInfo, ParseContext, ParsedNotice, ParseError
from .rows import ReportInfo, _rows_to_events
from .specs import (
    _OFFENDER_FALLBACK,
    FORMAT,
    HEADER_MATCH_MIN,
    _is_shadowserver_header,
    _norm_col,
    report_date_from_filename,
    report_type_from_filename,
    report_type_from_header,
    resolve,
)

# csv's default field limit (128 KiB) rejects long SSL/HTTP banner fields that
# real reports do carry; 8 MiB still bounds a hostile unterminated quote.
# (The limit is process-wide; every caller of the csv module shares it.)
FIELD_LIMIT = 8 * 1024 * 1024
if csv.field_size_limit() < FIELD_LIMIT:
    csv.field_size_limit(FIELD_LIMIT)


# ---------------------------------------------------------------------------
# Streaming


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
