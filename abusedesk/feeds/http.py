"""HTTP for collectors: conditional GETs, signed POSTs, downloads streamed to
a temporary file, retries with backoff. Only the feed's own endpoints are
asked; a URL a feed reports is never fetched (docs/feeds.md)."""

from __future__ import annotations

import email.utils
import http.client
import logging
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
PIECE = 1024 * 1024
USER_AGENT = "abusedesk-feeds/1 (+https://github.com/abusedesk)"


class FetchError(Exception):
    """The feed could not be fetched; the message says why in one line."""


class Transient(FetchError):
    """Worth another try: a timeout, a dropped connection, a 5xx, a 429."""


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)
    file: object = None  # a temporary binary file holding the body (None for 304)
    size: int = 0

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass
class Client:
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 2.0  # seconds before the first retry; doubled each time
    max_bytes: int = 4 * 2**30
    progress: object = None  # progress(bytes_done, bytes_total or None)
    sleep: object = time.sleep

    def get(self, url: str, headers: dict | None = None) -> Response:
        return self._with_retries("GET", url, None, headers or {})

    def post(self, url: str, body: bytes, headers: dict | None = None) -> Response:
        return self._with_retries("POST", url, body, headers or {})

    def _with_retries(self, method, url, body, headers) -> Response:
        attempt = 0
        while True:
            try:
                return self._once(method, url, body, headers)
            except Transient as exc:
                attempt += 1
                if attempt > self.retries:
                    raise
                wait = self.backoff * 2 ** (attempt - 1)
                log.info("feed request %s %s failed (%s), retry %d in %.1fs", method, _safe(url), exc, attempt, wait)
                self.sleep(wait)

    def _once(self, method, url, body, headers) -> Response:
        if not url.lower().startswith(("http://", "https://")):
            raise FetchError(f"not an http(s) URL: {_safe(url)}")
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"User-Agent": USER_AGENT, **headers})
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                return Response(status=304, headers=dict(exc.headers.items()))
            message = f"{_safe(url)} answered HTTP {exc.code} {exc.reason}"
            if exc.code >= 500 or exc.code == 429:
                raise Transient(message) from None
            raise FetchError(message) from None
        except TimeoutError:
            raise Transient(f"{_safe(url)}: no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise Transient(f"{_safe(url)}: no answer within {self.timeout:g} s") from None
            raise Transient(f"{_safe(url)}: {reason}") from None
        except (http.client.HTTPException, OSError) as exc:
            raise Transient(f"{_safe(url)}: {type(exc).__name__}: {exc}") from None
        with response:
            return self._body(url, response)

    def _body(self, url, response) -> Response:
        headers = dict(response.headers.items())
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        if expected is not None and expected > self.max_bytes:
            raise FetchError(f"{_safe(url)}: {expected} bytes, over the limit of {self.max_bytes}")
        # On disk, not in memory: a report may be gigabytes.
        out = tempfile.TemporaryFile(prefix="abusedesk-feed-")
        size = 0
        try:
            while True:
                try:
                    data = response.read(PIECE)
                except http.client.IncompleteRead as exc:
                    raise Transient(f"{_safe(url)}: download cut off after {size + len(exc.partial)} bytes"
                                    + (f" of {expected}" if expected else "")) from None
                except TimeoutError:
                    raise Transient(f"{_safe(url)}: download stalled for {self.timeout:g} s") from None
                except (http.client.HTTPException, OSError) as exc:
                    raise Transient(f"{_safe(url)}: download failed: {exc}") from None
                if not data:
                    break
                size += len(data)
                if size > self.max_bytes:
                    raise FetchError(f"{_safe(url)}: over the limit of {self.max_bytes} bytes")
                out.write(data)
                if self.progress:
                    self.progress(size, expected)
            if expected is not None and size != expected:
                raise Transient(f"{_safe(url)}: download cut off after {size} of {expected} bytes")
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return Response(status=response.status, headers=headers, file=out, size=size)


def _safe(url: str) -> str:
    """A URL as logs and errors may show it: no query string (API keys travel there)."""
    return url.split("?", 1)[0][:200]


def http_date(value: str) -> str | None:
    """A Last-Modified value as it came, if it parses as an HTTP date."""
    try:
        return value if value and email.utils.parsedate_to_datetime(value) else None
    except (TypeError, ValueError):
        return None
