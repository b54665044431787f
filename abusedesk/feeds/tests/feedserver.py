"""A real HTTP server on loopback serving feeds in their documented formats.

Each path answers from `routes`: a function (handler, body) -> Reply. A
Reply can be slow (`delay` before the answer) or cut off (`truncate_at`: the
header promises the whole body, the connection closes after that many bytes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    truncate_at: int | None = None


class FeedServer:
    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                server.requests.append((method, path, dict(self.headers.items()), body))
                route = server.routes.get(path)
                reply = route(self, body) if route else Reply(404, b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.status != 304:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if reply.status == 304:
                    return
                data = reply.body if reply.truncate_at is None else reply.body[:reply.truncate_at]
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for _m, p, _h, _b in self.requests if p == path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def static(body: bytes, etag: str | None = None, last_modified: str | None = None):
    """A list with validators: a conditional GET that matches gets 304."""

    def route(handler, _body):
        if etag and handler.headers.get("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        headers = {}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        return Reply(200, body, headers)

    return route


class ShadowserverApi:
    """reports/list and the downloads as the Shadowserver Reports API documents them:
    a JSON body with `apikey`, signed in the HMAC2 header (hex HMAC-SHA256 of the
    body under the secret); `limit` and `page` page through the list."""

    def __init__(self, server: FeedServer, api_key: str, secret: str):
        self.api_key, self.secret = api_key, secret
        self.reports: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.bad_signatures = 0
        server.routes["/api2/reports/list"] = self.list
        self.server = server

    def add(self, report_id: str, filename: str, content: bytes, timestamp: str = "2026-11-21"):
        self.reports.append({"id": report_id, "report": "example-asn", "type": filename.split("-")[3],
                             "file": filename, "timestamp": timestamp,
                             "url": f"https://dl.shadowserver.org/{report_id}"})
        self.files[report_id] = content
        self.server.routes[f"/dl/{report_id}"] = lambda handler, body, rid=report_id: Reply(200, self.files[rid])

    def list(self, handler, body):
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(handler.headers.get("HMAC2", ""), expected):
            self.bad_signatures += 1
            return Reply(200, json.dumps({"error": "Invalid HMAC2 signature"}).encode())
        query = json.loads(body)
        if query.get("apikey") != self.api_key:
            return Reply(200, json.dumps({"error": "Invalid API key"}).encode())
        limit, page = int(query.get("limit", 1000)), int(query.get("page", 1))
        chosen = self.reports[(page - 1) * limit: page * limit]
        return Reply(200, json.dumps(chosen).encode(), {"Content-Type": "application/json"})
