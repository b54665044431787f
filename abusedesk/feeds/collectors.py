"""One collector per kind of feed: what to ask, how to sign it, what is new.

A collector yields Downloads, one at a time (each is stored and processed
before the next is fetched, so one file at a time is on disk), and leaves the
feed's new validators and cursor in `Collected`; the runner saves them only
when the run succeeded, so a failed run fetches the same again next time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta

from abusedesk.lib import clock

from .http import Client, FetchError, Response, http_date
from .models import Feed, FeedItem
from .secrets import read_secret

MAX_PAGES = 100


@dataclass
class Download:
    key: str | None  # None: the list as a whole (its sha256)
    filename: str
    response: Response


@dataclass
class Collected:
    etag: str = ""
    last_modified: str = ""
    cursor: str = ""
    not_modified: bool = False
    listed: int = 0  # reports a feed offered (Shadowserver), stored or not
    skipped: int = 0  # downloaded before
    downloads: list = field(default_factory=list)


def collect(feed: Feed, client: Client, collected: Collected):
    kinds = {
        Feed.Kind.SHADOWSERVER_API: shadowserver_api,
        Feed.Kind.URLHAUS: urlhaus,
        Feed.Kind.SPAMHAUS_DROP: whole_list,
        Feed.Kind.URL_LIST: whole_list,
        Feed.Kind.GENERIC_CSV: whole_list,
        Feed.Kind.GENERIC_JSON: whole_list,
    }
    yield from kinds[feed.kind](feed, client, collected)


def _opt(feed: Feed, name: str, default: str = "") -> str:
    return str(feed.options.get(name, default) or default).strip()


def _int_opt(feed: Feed, name: str, default: int, low: int, high: int) -> int:
    text = _opt(feed, name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise FetchError(f"option {name} must be a number from {low} to {high}")
    return int(text)


def _auth_headers(feed: Feed) -> dict:
    """An API key or token for the feed's own endpoint, from the secret."""
    name = _opt(feed, "auth-header")
    return {name: read_secret(feed.options)} if name else {}


def whole_list(feed: Feed, client: Client, collected: Collected):
    """A list fetched whole (DROP, URL lists, generic feeds), conditionally:
    unchanged since the last run (304), nothing is downloaded."""
    headers = _auth_headers(feed)
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    response = client.get(feed.url, headers)
    if response.status == 304:
        collected.not_modified = True
        collected.etag, collected.last_modified = feed.etag, feed.last_modified
        return
    collected.etag = response.headers.get("ETag", "")[:200]
    collected.last_modified = (http_date(response.headers.get("Last-Modified", "")) or "")[:100]
    collected.cursor = clock.now().isoformat(timespec="seconds")
    yield Download(None, _filename(feed), response)


def urlhaus(feed: Feed, client: Client, collected: Collected):
    """A dump (the feed URL), or with the option `hosts` the host query API
    asked about each of our hosts (POST host=...)."""
    hosts = [h.strip() for h in _opt(feed, "hosts").split(",") if h.strip()]
    if not hosts:
        yield from whole_list(feed, client, collected)
        return
    headers = {"Content-Type": "application/x-www-form-urlencoded", **_auth_headers(feed)}
    day = clock.now().date().isoformat()
    for host in hosts:
        body = urllib.parse.urlencode({"host": host}).encode()
        response = client.post(feed.url, body, headers)
        # A host's answer is new evidence once a day at most.
        yield Download(f"host:{host}:{day}:{_sha(response)}", f"urlhaus-host-{host}.json", response)
    collected.cursor = day


def shadowserver_api(feed: Feed, client: Client, collected: Collected):
    """reports/list for the last `days` days (paged), then each report not
    downloaded before, by its id. Requests are signed as the API documents:
    the JSON body carries the API key, the HMAC2 header its HMAC-SHA256 under
    the secret."""
    api_key = _opt(feed, "api-key")
    if not api_key:
        raise FetchError("this feed needs the option api-key")
    secret = read_secret(feed.options)
    days = _int_opt(feed, "days", 2, 1, 30)
    limit = _int_opt(feed, "limit", 1000, 1, 10000)
    base = feed.url.rstrip("/") + "/"
    download = _opt(feed, "download-url", "https://dl.shadowserver.org/").rstrip("/") + "/"
    today = clock.now().date()
    query = {"apikey": api_key, "date": f"{today - timedelta(days=days)}:{today}", "limit": limit}
    if _opt(feed, "reports"):
        query["reports"] = [r.strip() for r in _opt(feed, "reports").split(",") if r.strip()]
    if _opt(feed, "type"):
        query["type"] = _opt(feed, "type")
    reports = []
    for page in range(1, MAX_PAGES + 1):
        body = json.dumps({**query, "page": page}).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        response = client.post(base + "reports/list", body, {"HMAC2": signature,
                                                              "Content-Type": "application/json"})
        batch = _json_list(response)
        reports.extend(batch)
        if len(batch) < limit:
            break
    collected.listed = len(reports)
    stored = set(FeedItem.objects.filter(feed=feed, key__in=[str(r.get("id")) for r in reports])
                 .values_list("key", flat=True))
    newest = feed.cursor
    for report in sorted(reports, key=lambda r: str(r.get("timestamp") or "")):
        report_id = str(report.get("id") or "")
        if not report_id or not report_id.replace("-", "").replace("_", "").isalnum():
            continue
        if report_id in stored:
            collected.skipped += 1
            continue
        response = client.get(download + report_id)
        yield Download(report_id, str(report.get("file") or f"{report_id}.csv")[:200], response)
        newest = max(newest, str(report.get("timestamp") or ""))
    collected.cursor = newest


def _json_list(response: Response) -> list[dict]:
    try:
        response.file.seek(0)
        data = json.loads(response.file.read(64 * 2**20) or b"null")
    except ValueError:
        raise FetchError("the API answered with something that is not JSON") from None
    finally:
        response.close()
    if isinstance(data, dict) and data.get("error"):
        raise FetchError(f"the API said: {str(data['error'])[:200]}")
    if not isinstance(data, list):
        raise FetchError("the API answered with JSON that is not a list of reports")
    return [r for r in data if isinstance(r, dict)]


def _sha(response: Response) -> str:
    digest = hashlib.sha256()
    response.file.seek(0)
    while data := response.file.read(2**20):
        digest.update(data)
    response.file.seek(0)
    return digest.hexdigest()[:16]


def _filename(feed: Feed) -> str:
    path = urllib.parse.urlsplit(feed.url).path.rsplit("/", 1)[-1]
    return f"{feed.name}-{path or 'list'}"[:200]
