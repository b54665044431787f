"""Generic CSV and JSON feeds whose field mapping is configuration, not code.

Options (feed options, docs/feeds.md):
- `field.ip`, `field.url`, `field.domain`, `field.port`, `field.time`,
  `field.category`, `field.reference`: the column (CSV) or key (JSON, dotted
  for nested objects) that holds each value; at least one of ip, url, domain;
- `category`: the category of every row, or of rows whose own is unknown;
  `category.<their value>=<our category>` translates theirs;
- CSV: `delimiter` (default `,`), `comment` (lines starting with it are
  skipped, default `#`); the first other line is the header;
- JSON: `records`, the dotted path to the list of records (empty: the
  document is the list, or one object per line).

Rows with an address outside our space are left out (the feed may cover
more than our network); host names are kept for the resolver.
"""

from __future__ import annotations

import csv
import io
import json

from .base import CATEGORIES, Event, NotifierInfo, ParsedNotice, ParseError
from .common import Events, sanitise
from .extract import normalise_ip, parse_when, refang, url_host
from .feedbase import FeedContext, Networks, option, text_of

TARGETS = ("ip", "url", "domain")
FIELDS = ("ip", "url", "domain", "port", "time", "category", "reference")


def parse_csv(data: bytes, context: FeedContext) -> ParsedNotice:
    mapping = _mapping(context)
    delimiter = option(context, "delimiter", ",")
    if delimiter == "tab":
        delimiter = "\t"
    if len(delimiter) != 1:
        raise ParseError("the option delimiter must be one character (or 'tab')")
    comment = option(context, "comment", "#")
    lines = (line for line in io.StringIO(text_of(data)) if line.strip() and not line.startswith(comment))
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = reader.fieldnames or []
    missing = [column for column in mapping.values() if column not in header]
    if missing:
        raise ParseError(f"columns not in the feed's header: {', '.join(missing)}")
    return _notice("generic-csv", reader, mapping, context, lambda row, key: row.get(key))


def parse_json(data: bytes, context: FeedContext) -> ParsedNotice:
    mapping = _mapping(context)
    text = text_of(data)
    path = option(context, "records")
    try:
        doc = json.loads(text)
    except ValueError:
        # One object a line (NDJSON)?
        try:
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise ParseError(f"neither JSON nor one JSON object a line: {exc}") from None
    records = _dig(doc, path) if path else doc
    if not isinstance(records, list):
        raise ParseError(f"no list of records at {path or 'the top of the document'!r}")
    records = [r for r in records if isinstance(r, dict)]
    return _notice("generic-json", records, mapping, context, _dig)


def _mapping(context: FeedContext) -> dict[str, str]:
    mapping = {name: option(context, f"field.{name}") for name in FIELDS}
    mapping = {name: source for name, source in mapping.items() if source}
    if not any(name in mapping for name in TARGETS):
        raise ParseError("the feed maps no field.ip, field.url or field.domain")
    return mapping


def _dig(value, path: str):
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _notice(fmt: str, rows, mapping: dict, context: FeedContext, get) -> ParsedNotice:
    fixed = option(context, "category")
    if fixed and fixed not in CATEGORIES:
        raise ParseError(f"unknown category {fixed!r} in the feed's options")
    translate = {key[len("category."):].lower(): str(value) for key, value in context.options.items()
                 if key.startswith("category.")}
    name = option(context, "notifier", context.feed_name or fmt)
    notice = ParsedNotice(format=fmt, category=fixed or None,
                          notifier=NotifierInfo(name=sanitise(name, 200), no_reply=True))
    networks = Networks(context.networks)
    events = Events(notice, context)
    outside = unusable = 0
    for row in rows:
        value = {name: get(row, source) for name, source in mapping.items()}
        value = {name: sanitise(str(v), 2048) for name, v in value.items() if v not in (None, "")}
        category = translate.get(value.get("category", "").lower(), value.get("category", ""))
        if category not in CATEGORIES:
            category = fixed or "other"
        url = refang(value.get("url", "")) or None
        ip = normalise_ip(value["ip"]) if value.get("ip") else None
        if ip is None and url:
            ip = normalise_ip(url_host(url) or "")
        domain = None if ip else (value.get("domain") or (url_host(url) if url else None))
        if not (ip or url or domain):
            unusable += 1
            continue
        if ip and not networks.holds(ip):
            outside += 1
            continue
        port = value.get("port", "")
        events.add(Event(
            category=category, ip=ip, url=url, domain=domain,
            port=int(port) if port.isdigit() and 0 < int(port) < 65536 else None,
            observed_at=parse_when(value.get("time")) or context.fetched_at,
            source_ref=value.get("reference", "")[:200] or None,
            evidence=sanitise(f"{name}: {category}", 300)))
    if outside:
        notice.warnings.append(f"{outside} rows outside our address space")
    if unusable:
        notice.warnings.append(f"{unusable} rows without an IP address, URL or domain")
    notice = events.finish()
    if not notice.events and not unusable:
        notice.errors = []
    return notice
