"""Phishing URL lists: OpenPhish-style text (one URL a line) and PhishTank's
JSON export (a list of {"phish_id", "url", "submission_time", "verified",
"online", "details": [{"ip_address", ...}]}).

Each URL is an event (category `phishing` unless the option `category`
says otherwise). PhishTank names the hosting address: entries outside our
space are left out. A bare URL keeps its host name, which the resolver looks
up by DNS, as for any notice; a host that is an address outside our space is
left out. Its observation time is when the list was fetched.
"""

from __future__ import annotations

import json

from .base import CATEGORIES, NotifierInfo, ParsedNotice, ParseError
from .common import Events, sanitise, url_event
from .extract import normalise_ip, parse_when, refang
from .feedbase import FeedContext, Networks, option, text_of

FORMAT = "url-list"


def parse(data: bytes, context: FeedContext) -> ParsedNotice:
    category = option(context, "category", "phishing")
    if category not in CATEGORIES:
        raise ParseError(f"unknown category {category!r} in the feed's options")
    text = text_of(data)
    name = option(context, "notifier", context.feed_name or "URL list")
    notice = ParsedNotice(format=FORMAT, category=category,
                          notifier=NotifierInfo(name=sanitise(name, 200), no_reply=True))
    networks = Networks(context.networks)
    events = Events(notice, context)
    outside = 0
    day = context.fetched_at.date().isoformat() if context.fetched_at else ""
    if text.lstrip()[:1] == "[":
        try:
            entries = json.loads(text)
        except ValueError as exc:
            raise ParseError(f"URL list JSON is malformed: {exc}") from None
        rows = [_phishtank(e) for e in entries if isinstance(e, dict)]
    else:
        rows = [(refang(line.strip()), None, None, None) for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    for url, ip, when, ref in rows:
        if not url or len(url) > 2048 or "." not in url:
            continue
        if "://" not in url:
            url = "http://" + url
        # Still listed today is new evidence today: one report a URL a day.
        event = url_event(url, category, observed_at=context.fetched_at or when,
                          source_ref=f"{ref}|{day}" if ref else None,
                          evidence=sanitise(f"listed by {name}" + (f" since {when:%Y-%m-%d}" if when else ""), 300))
        if ip and not event.ip:
            event.ip = ip  # the list names the hosting address: no DNS needed
        if event.ip and not networks.holds(event.ip):
            outside += 1
            continue
        events.add(event)
    if outside:
        notice.warnings.append(f"{outside} URLs hosted outside our address space")
    notice = events.finish()
    if not notice.events:
        notice.errors = []
    return notice


def _phishtank(entry: dict):
    ip = None
    for detail in entry.get("details") or []:
        if isinstance(detail, dict) and detail.get("ip_address"):
            ip = normalise_ip(str(detail["ip_address"]))
            break
    ref = sanitise(str(entry.get("phish_id") or ""), 40) or None
    when = parse_when(str(entry.get("verification_time") or entry.get("submission_time") or ""))
    return str(entry.get("url") or "").strip(), ip, when, ref
