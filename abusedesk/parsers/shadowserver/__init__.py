"""Shadowserver reports: CSV (bare, zipped or gzipped) -> one Event per row.

How a report is read is data, not code: `data/shadowserver_reports.json`
says, per report type, which column holds the offending host (`ip` for
scans, `src_ip` for events; never `dst_ip`, the sinkhole or honeypot side),
the port column, the category, and the columns worth keeping as evidence.

The package: `specs` (which report a file is, and its spec), `stream`
(reading bare/zipped/gzipped CSV as a stream, and the whole-report API),
`rows` (the row loop, the hot path) and `fields` (one field of a row).
"""

from .fields import EVIDENCE_CACHE_CHARS, EVIDENCE_CACHE_ROWS, EVIDENCE_VALUE_MAX, parse_ip, parse_timestamp
from .rows import ReportInfo
from .specs import (
    FORMAT,
    HEADER_MATCH_MIN,
    REPORTS,
    ReportSpec,
    looks_like,
    report_date_from_filename,
    report_type_from_filename,
    report_type_from_header,
    report_type_from_subject,
    resolve,
)
from .stream import FIELD_LIMIT, iter_events, parse_report

__all__ = [
    "EVIDENCE_CACHE_CHARS", "EVIDENCE_CACHE_ROWS", "EVIDENCE_VALUE_MAX", "FIELD_LIMIT", "FORMAT",
    "HEADER_MATCH_MIN", "REPORTS", "ReportInfo", "ReportSpec", "iter_events", "looks_like", "parse_ip",
    "parse_report", "parse_timestamp", "report_date_from_filename", "report_type_from_filename",
    "report_type_from_header", "report_type_from_subject", "resolve",
]
