import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from abusedesk.enforcement.actions import approve, execute_due, propose
from abusedesk.enforcement.backends import SIGNATURE_HEADER, TIMESTAMP_HEADER

pytestmark = pytest.mark.django_db
SECRET = "webhook-test-secret"


class Receiver(BaseHTTPRequestHandler):
    """The provider's network automation: verifies the signature like a real receiver would."""

    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers[TIMESTAMP_HEADER]
        expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, self.headers[SIGNATURE_HEADER] or "")
        type(self).received.append((valid, json.loads(body)))
        self.send_response(self.status if valid else 401)
        self.end_headers()
        self.wfile.write(b"null route set" if valid else b"bad signature")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    server.shutdown()
    server.server_close()


def test_a_null_route_is_posted_signed_to_the_webhook(escalated_case, staff, receiver, settings):  # noqa: F811
    url, handler = receiver
    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, null_route=f"webhook:{url}")
    settings.ENFORCEMENT_WEBHOOK_SECRET = SECRET
    action = propose(escalated_case, "null_route", staff[0], "phishing kit still online")
    approve(action, staff[1])
    assert execute_due() == 1
    action.refresh_from_db()
    assert action.state == "done" and action.backend == "webhook"
    assert action.result == "HTTP 200: null route set"
    ((valid, payload),) = handler.received
    assert valid
    assert payload["kind"] == "null_route" and payload["target"] == "198.51.100.10"
    assert payload["case"] == escalated_case.ref and payload["customer"] == "customer-a"
    escalated_case.refresh_from_db()
    assert escalated_case.state == "restricted"


def test_a_wrong_secret_is_refused_by_the_receiver_and_the_action_fails(escalated_case, staff, receiver,  # noqa: F811
                                                                        settings):
    url, handler = receiver
    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, null_route=f"webhook:{url}")
    settings.ENFORCEMENT_WEBHOOK_SECRET = "not-the-secret"
    action = approve(propose(escalated_case, "null_route", staff[0], "x"), staff[1])
    execute_due()
    action.refresh_from_db()
    assert action.state == "failed" and "HTTP 401" in action.result
    assert handler.received[0][0] is False
    escalated_case.refresh_from_db()
    assert escalated_case.state == "escalated"


def test_without_a_secret_nothing_unsigned_is_sent(escalated_case, staff, receiver, settings):  # noqa: F811
    url, handler = receiver
    settings.ENFORCEMENT_BACKENDS = dict(settings.ENFORCEMENT_BACKENDS, null_route=f"webhook:{url}")
    settings.ENFORCEMENT_WEBHOOK_SECRET = ""
    action = approve(propose(escalated_case, "null_route", staff[0], "x"), staff[1])
    execute_due()
    action.refresh_from_db()
    assert action.state == "failed" and "SECRET" in action.result
    assert handler.received == []
