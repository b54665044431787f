"""CDN ranges: shipped Cloudflare list, and `cdn_ranges update` from a (local) HTTP server."""

import http.server
import io
import threading

import pytest
from django.core.management import CommandError, call_command

from abusedesk.network import cdn


@pytest.fixture
def ranges_file(settings, tmp_path):
    settings.CDN_RANGES_FILE = str(tmp_path / "cdn_ranges.json")
    return tmp_path / "cdn_ranges.json"


@pytest.fixture
def list_server():
    """Serves Cloudflare-format lists (one prefix per line) on loopback."""
    pages = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, pages
    server.shutdown()
    server.server_close()


def test_the_shipped_list_knows_cloudflare_v4_and_v6(ranges_file):
    assert cdn.cdn_of("104.16.1.1").name == "Cloudflare"
    assert cdn.cdn_of("2606:4700::1").name == "Cloudflare"
    assert cdn.cdn_of("192.0.2.1") is None
    assert cdn.cdn_of("not an ip") is None


def test_update_fetches_the_lists_and_is_used_at_once(ranges_file, list_server):
    base, pages = list_server
    pages["/ips-v4"] = b"203.0.113.0/24\n104.16.0.0/13\n"
    pages["/ips-v6"] = b"2001:db8:cf::/48\n"
    out = io.StringIO()
    call_command("cdn_ranges", "update", "--url", base + "/ips-v4", "--url", base + "/ips-v6", stdout=out)
    assert "3 prefixes" in out.getvalue()
    assert cdn.ranges_path() == ranges_file
    assert cdn.cdn_of("203.0.113.7").name == "Cloudflare"
    assert cdn.cdn_of("2001:db8:cf::1").name == "Cloudflare"
    assert cdn.cdn_of("173.245.48.1") is None  # no longer in the list


def test_a_broken_list_leaves_the_ranges_unchanged(ranges_file, list_server):
    base, pages = list_server
    pages["/ips-v4"] = b"104.16.0.0/13\n<html>oops</html>\n"
    with pytest.raises(CommandError, match="not a prefix"):
        call_command("cdn_ranges", "update", "--url", base + "/ips-v4")
    with pytest.raises(CommandError):
        call_command("cdn_ranges", "update", "--url", base + "/missing")
    assert not ranges_file.exists()
    assert cdn.cdn_of("173.245.48.1").name == "Cloudflare"
