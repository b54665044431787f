"""The row loop: csv rows of one report to Events (the hot path)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from socket import AF_INET, inet_pton

from ..base import Event, ParseContext
from .fields import (
    EVIDENCE_CACHE_CHARS,
    EVIDENCE_CACHE_ROWS,
    _evidence_tail,
    _port,
    _printable,
    _tuple_getter,
    parse_ip,
    parse_timestamp,
)
from .specs import ReportSpec


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
                prefix = None
                try:  # the common case inline: a plain IPv4 address
                    inet_pton(AF_INET, ip)
                except (OSError, ValueError):
                    raw = ip
                    ip = parse_ip(raw)
                    if ip is None and default_category == "blocklist" and "/" in raw:
                        # Block lists name small ranges ("198.51.100.8/31"): the listed
                        # network, its address as ip and the prefix kept (as Spamhaus's).
                        # Other reports name hosts: a prefix there is a bad row.
                        ip, _, bits = raw.strip().partition("/")
                        ip = parse_ip(ip) if bits.isdigit() else None
                        prefix = raw.strip() if ip else None
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
                if prefix:
                    extra["prefix"] = prefix

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


