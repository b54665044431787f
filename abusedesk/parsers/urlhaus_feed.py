"""abuse.ch URLhaus, as fetched: the CSV dumps, the JSON dumps and the
answers of its host query API.

- CSV dump (csv_recent, csv_online): `#` comment lines, the header among
  them (`# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter`),
  then quoted rows.
- JSON dump: {"<id>": [{"dateadded", "url", "url_status", "threat", "tags", ...}], ...}.
- Host query answer: {"query_status": "ok", "host": ..., "urls": [{"id", "url",
  "url_status", "date_added", "threat", "tags", ...}]}.

Every URL is a malware distribution site (category `malware`). The dumps list
the whole world: a URL whose host is an address outside our space is left
out, one whose host is a name is kept only with the option
`resolve-names=yes` (the resolver then decides), so that a run does not ask
DNS about every malware site on the Internet.
"""

from __future__ import annotations

import csv
import io
import json

from .base import NotifierInfo, ParsedNotice, ParseError
from .common import Events, sanitise, url_event
from .extract import parse_when
from .feedbase import FeedContext, Networks, option, text_of

FORMAT = "urlhaus"
_COLUMNS = ["id", "dateadded", "url", "url_status", "last_online", "threat", "tags", "urlhaus_link", "reporter"]


def parse(data: bytes, context: FeedContext) -> ParsedNotice:
    text = text_of(data)
    start = text.lstrip()[:1]
    if start == "{":
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ParseError(f"URLhaus JSON is malformed: {exc}") from None
        rows = _json_rows(doc)
    else:
        rows = _csv_rows(text)
    notice = ParsedNotice(format=FORMAT, category="malware",
                          notifier=NotifierInfo(name="URLhaus", organisation="abuse.ch", no_reply=True))
    networks = Networks(context.networks)
    names = option(context, "resolve-names", "no").lower() in ("1", "yes", "true", "on")
    online_only = option(context, "online-only", "no").lower() in ("1", "yes", "true", "on")
    events = Events(notice, context)
    outside = offline = 0
    day = context.fetched_at.date().isoformat() if context.fetched_at else ""
    for row in rows:
        url = (row.get("url") or "").strip()
        if not url or len(url) > 2048:
            continue
        if online_only and (row.get("url_status") or "").lower() == "offline":
            offline += 1
            continue
        added = parse_when(row.get("dateadded") or row.get("date_added"))
        ref = sanitise(str(row.get("id") or ""), 40)
        # Still listed when fetched is new evidence then: one report a URL a day.
        event = url_event(url, "malware", observed_at=context.fetched_at or added,
                          source_ref=f"{ref}|{day}" if ref else None,
                          evidence=sanitise(f"URLhaus: {row.get('threat') or 'malware'} "
                                            f"({row.get('url_status') or 'unknown status'})"
                                            + (f", added {added:%Y-%m-%d}" if added else ""), 300))
        if event.ip and not networks.holds(event.ip) or not event.ip and not names:
            outside += 1
            continue
        events.add(event)
    if outside:
        notice.warnings.append(f"{outside} URLs outside our address space (or not resolved)")
    if offline:
        notice.warnings.append(f"{offline} URLs offline")
    notice = events.finish()
    if not notice.events:
        notice.errors = []  # nothing of ours listed: good news, not an unreadable notice
    return notice


def _csv_rows(text: str):
    lines = text.splitlines()
    header = _COLUMNS
    body = []
    for line in lines:
        if line.startswith("#"):
            cols = [c.strip() for c in line.lstrip("# ").split(",")]
            if "url" in cols and "id" in cols:
                header = cols
            continue
        if line.strip():
            body.append(line)
    if not body and not any(line.startswith("#") for line in lines):
        raise ParseError("not a URLhaus CSV dump")
    for values in csv.reader(io.StringIO("\n".join(body))):
        yield dict(zip(header, values, strict=False))


def _json_rows(doc):
    if isinstance(doc, dict) and isinstance(doc.get("urls"), list):
        for entry in doc["urls"]:
            if isinstance(entry, dict):
                yield entry
        return
    if not isinstance(doc, dict):
        raise ParseError("URLhaus JSON: not an object")
    for key, entries in doc.items():
        if key == "query_status":
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                yield {"id": key, **entry}
