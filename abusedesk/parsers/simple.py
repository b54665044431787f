"""Our own JSON notices: the public web form and the simple API notice.

Form (stored by intake.views): {"abusedesk_notice": 1, "source": "form", "category", "locations"
(a list; older forms stored one "location"), "how_to_find", "explanation", "name", "email", "bona_fide",
"submitted_at", "language"}.
Simple API notice (docs/api.md): {"category", "ip" and/or "url", "port", "observed_at", "evidence",
"reference"}. Both are still hostile input: every field is checked here again.
"""

from __future__ import annotations

from .base import CATEGORIES, Event, NotifierInfo, ParsedNotice
from .common import Events, sanitise, url_event
from .extract import ip_usable, normalise_ip, parse_when
from .xarf import load_json

FORMAT_FORM = "webform"
FORMAT_SIMPLE = "simple_json"
EVIDENCE_LIMIT = 4000
MAX_LOCATIONS = 20  # as the form allows


def looks_like(obj) -> bool:
    if not isinstance(obj, dict):
        return False
    if obj.get("abusedesk_notice") == 1:
        return True
    xarf_keys = ("Report", "xarf_version", "source_identifier")
    return "category" in obj and ("ip" in obj or "url" in obj) and not any(k in obj for k in xarf_keys)


def _text(obj: dict, key: str, limit: int = 500) -> str:
    value = obj.get(key)
    return sanitise(value, limit) if isinstance(value, str) else ""


def _target_event(location: str, category: str, **kwargs) -> Event | None:
    ip = normalise_ip(location)
    if ip:
        return Event(category=category, ip=ip, **kwargs) if ip_usable(ip) else None
    if location:
        url = location if "://" in location else "http://" + location
        return url_event(url, category, **kwargs)
    return None


def parse_obj(obj: dict, context) -> ParsedNotice:
    form = obj.get("abusedesk_notice") == 1
    category = obj.get("category") if obj.get("category") in CATEGORIES else "other"
    notice = ParsedNotice(format=FORMAT_FORM if form else FORMAT_SIMPLE, category=category)
    events = Events(notice, context)
    if category == "csam":
        notice.sensitive = True
    if form:
        notice.notifier = NotifierInfo(name=_text(obj, "name", 200), email=_text(obj, "email", 254))
        notice.date = parse_when(_text(obj, "submitted_at", 64))
        notice.subject = f"Web form notice: {category}"
        notice.meta["bona_fide"] = obj.get("bona_fide") is True
        notice.meta["language"] = _text(obj, "language", 8)
        explanation = _text(obj, "explanation", EVIDENCE_LIMIT)
        how = _text(obj, "how_to_find", 2000)
        if how:
            explanation = f"{explanation}\n\nHow to find it: {how}"[:EVIDENCE_LIMIT]
        locations = obj.get("locations")
        if not isinstance(locations, list):
            locations = [obj.get("location")]
        for location in locations[:MAX_LOCATIONS]:
            if not isinstance(location, str):
                continue
            event = _target_event(sanitise(location, 2048), category,
                                  evidence="" if notice.sensitive else explanation)
            if event:
                events.add(event)
    else:
        reference = _text(obj, "reference", 200)
        notice.notifier = NotifierInfo(reference=reference, no_reply=True)
        notice.meta["bona_fide"] = obj.get("bona_fide") is True
        port = obj.get("port")
        port = port if isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535 else None
        common = dict(port=port, observed_at=parse_when(_text(obj, "observed_at", 64)),
                      evidence="" if notice.sensitive else _text(obj, "evidence", EVIDENCE_LIMIT),
                      source_ref=reference or None)
        url = _text(obj, "url", 2048)
        ip = normalise_ip(_text(obj, "ip", 64))
        if url:
            event = _target_event(url, category, **common)
            if event and ip and ip_usable(ip) and not event.ip:
                # The notifier told us where the URL is hosted: match on that address.
                event.ip, event.domain = ip, event.domain
            if event:
                events.add(event)
        elif ip and ip_usable(ip):
            events.add(Event(category=category, ip=ip, **common))
    return events.finish()


def parse_json_bytes(data: bytes, context) -> ParsedNotice | None:
    """One of our JSON notices, or None if the bytes are something else."""
    obj = load_json(data.decode("utf-8", "replace"))
    if not looks_like(obj):
        return None
    return parse_obj(obj, context)
