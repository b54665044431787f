"""Which Shadowserver report a file is, and how to read it: the report specs
(loaded from `data/shadowserver_reports.json`), the names and titles that
identify a report, and the test that tells a Shadowserver CSV from others."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import archive
from ..base import CATEGORIES

FORMAT = "shadowserver"

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
    raw = json.loads((Path(__file__).parent.parent / "data" / "shadowserver_reports.json").read_text("utf-8"))
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


