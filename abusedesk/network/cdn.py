"""Is this address a CDN's edge? Then the abusive site is hidden behind it.

A domain that resolves into a CDN's published ranges does not tell us the
origin server. The CDN's own abuse form does: it forwards the report to the
hosting provider with the origin IP (those reports then match directly), so
the notifier is asked to use it.

The ranges ship with the package (data/cdn_ranges.json, Cloudflare's
published ips-v4/ips-v6 lists); `abusedesk cdn_ranges update` fetches the
current lists into CDN_RANGES_FILE, which then takes precedence.
"""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytricia
from django.conf import settings

from abusedesk.lib import clock

SHIPPED = Path(__file__).parent / "data" / "cdn_ranges.json"
MAX_LIST_BYTES = 256 * 1024
MAX_PREFIXES = 10_000


@dataclass(frozen=True, slots=True)
class Cdn:
    key: str
    name: str
    abuse_form: str


class CdnRanges:
    def __init__(self, data: dict):
        self.v4 = pytricia.PyTricia(32)
        self.v6 = pytricia.PyTricia(128)
        self.cdns: dict[str, Cdn] = {}
        for key, entry in data.items():
            cdn = Cdn(key, entry.get("name", key), entry.get("abuse_form", ""))
            self.cdns[key] = cdn
            for prefix in entry.get("prefixes", []):
                (self.v6 if ":" in prefix else self.v4)[prefix] = cdn

    def cdn_of(self, ip: str) -> Cdn | None:
        trie = self.v6 if ":" in ip else self.v4
        try:
            return trie.get(ip)
        except (ValueError, TypeError):
            return None


_lock = threading.Lock()
_loaded: tuple[str, float, CdnRanges] | None = None


def ranges_path() -> Path:
    local = Path(settings.CDN_RANGES_FILE)
    return local if local.is_file() else SHIPPED


def ranges() -> CdnRanges:
    """The current ranges; re-read when the file changed (after an update)."""
    global _loaded
    path = ranges_path()
    mtime = path.stat().st_mtime
    with _lock:
        if _loaded is None or _loaded[0] != str(path) or _loaded[1] != mtime:
            _loaded = (str(path), mtime, CdnRanges(json.loads(path.read_text("utf-8"))))
        return _loaded[2]


def cdn_of(ip: str) -> Cdn | None:
    return ranges().cdn_of(ip)


class UpdateError(Exception):
    pass


def fetch_list(url: str, timeout: float = 20) -> list[str]:
    """One published list: a prefix per line. Anything else is refused whole."""
    if not url.startswith(("https://", "http://")):
        raise UpdateError(f"{url}: only http(s) URLs")
    request = urllib.request.Request(url, headers={"User-Agent": "abusedesk cdn_ranges update"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (fixed, configured URL)
        body = response.read(MAX_LIST_BYTES + 1)
    if len(body) > MAX_LIST_BYTES:
        raise UpdateError(f"{url}: larger than {MAX_LIST_BYTES} bytes")
    prefixes = []
    for line in body.decode("ascii", "strict").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            prefixes.append(str(ipaddress.ip_network(line, strict=True)))
        except ValueError as exc:
            raise UpdateError(f"{url}: not a prefix: {line[:60]!r}") from exc
    if not prefixes or len(prefixes) > MAX_PREFIXES:
        raise UpdateError(f"{url}: {len(prefixes)} prefixes, refusing")
    return prefixes


def update_cloudflare(urls: list[str] | None = None) -> dict:
    """Fetch Cloudflare's lists and write CDN_RANGES_FILE; returns the new entry."""
    urls = urls or list(settings.CLOUDFLARE_IPS_URLS)
    prefixes: list[str] = []
    for url in urls:
        prefixes += fetch_list(url)
    data = json.loads(ranges_path().read_text("utf-8"))
    entry = dict(data.get("cloudflare", {}), name="Cloudflare", source=" and ".join(urls),
                 fetched=clock.now().date().isoformat(), prefixes=prefixes)
    entry.setdefault("abuse_form", "https://abuse.cloudflare.com/")
    data["cloudflare"] = entry
    target = Path(settings.CDN_RANGES_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write-then-rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".cdn_ranges.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, target)
    return entry
