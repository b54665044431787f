"""The desk is told: disputes, replies on owned cases, new child-abuse cases and overdue cases,
by mail (owner, else the desk address; child abuse to the compliance role only) and by a signed
webhook for chat tools, posted by the sweep to a real HTTP server on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.models import User

from abusedesk.cases import services as casework
from abusedesk.desk.alerts import post_alerts
from abusedesk.desk.models import StaffAlert
from abusedesk.lib.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep
from testkit.orm import make_case
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db
SECRET = "alert-secret-for-tests"


@pytest.fixture
def chat():
    """A chat tool's incoming webhook: records each request's headers and body."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_a_dispute_on_a_case_nobody_owns_is_mailed_to_the_desk_address(demo, clock, settings):
    settings.DESK_ALERT_EMAIL = "desk-team@provider.example"
    case = make_case("customer-a", ip="198.51.100.80", category="spam")
    casework.dispute(case, User.objects.get(username="customer-a"), "Not ours.")
    mail = OutgoingMail.objects.get(kind="staff_alert")
    assert mail.to == "desk-team@provider.example"
    assert case.ref in mail.subject and f"/desk/cases/{case.pk}/" in mail.body


def test_a_reply_on_an_owned_case_is_mailed_to_its_owner_and_on_an_unowned_one_to_nobody(demo, clock, settings):
    settings.DESK_ALERT_EMAIL = "desk-team@provider.example"
    owner = User.objects.create_user("owner", email="owner@provider.example", password="x-owner-pass-1",
                                     is_staff=True)
    owned = make_case("customer-a", ip="198.51.100.81", category="spam", owner=owner)
    unowned = make_case("customer-a", ip="198.51.100.82", category="spam")
    customer = User.objects.get(username="customer-a")
    casework.post_message(owned, customer, "Fixed the form.", author_kind="customer")
    casework.post_message(unowned, customer, "Fixed too.", author_kind="customer")
    mails = list(OutgoingMail.objects.filter(kind="staff_alert"))
    assert [(m.to, m.case_id) for m in mails] == [("owner@provider.example", owned.pk)]
    assert "Fixed the form" not in mails[0].body  # a reference and a link, the thread stays in the desk


def test_a_new_child_abuse_case_tells_the_compliance_role_only_and_no_content(demo, clock, settings):
    settings.DESK_ALERT_EMAIL = "desk-team@provider.example"
    User.objects.create_user("plain", email="plain@provider.example", password="x-plain-pass-1", is_staff=True)
    case = open_case("csam", "198.51.100.83")
    mails = list(OutgoingMail.objects.filter(kind="staff_alert"))
    assert {m.to for m in mails} == {"desk@demo.example"}  # the demo's compliance user
    assert case.ref in mails[0].body and "198.51.100.83" not in mails[0].body + mails[0].subject


def test_cases_that_pass_their_deadline_in_one_sweep_are_one_alert(demo, clock, settings):
    settings.DESK_ALERT_EMAIL = "desk-team@provider.example"
    first = open_case("phishing", "198.51.100.84")
    second = open_case("phishing", "198.51.100.85")
    clock.advance(hours=25)
    run_sweep()
    alert = StaffAlert.objects.get(event="overdue")
    assert sorted(alert.refs) == sorted([first.ref, second.ref])
    mail = OutgoingMail.objects.get(kind="staff_alert", to="desk-team@provider.example")
    assert first.ref in mail.body and second.ref in mail.body


def test_the_sweep_posts_alerts_to_the_chat_webhook_signed(demo, clock, settings, chat):
    url, received = chat
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = url, SECRET
    case = make_case("customer-a", ip="198.51.100.86", category="spam")
    casework.dispute(case, User.objects.get(username="customer-a"), "Not ours.")
    assert post_alerts() == 1
    headers, body = received[0]
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER]) is None
    payload = json.loads(body)
    assert payload["event"] == "disputed" and payload["cases"][0]["ref"] == case.ref
    assert case.ref in payload["text"]
    assert StaffAlert.objects.get().state == StaffAlert.State.SENT
    assert post_alerts() == 0  # posted once


def test_an_unreachable_webhook_is_retried_later_and_not_lost(demo, clock, settings):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = "http://127.0.0.1:9/hook", SECRET
    case = make_case("customer-a", ip="198.51.100.87", category="spam")
    casework.dispute(case, User.objects.get(username="customer-a"), "Not ours.")
    assert post_alerts() == 0
    alert = StaffAlert.objects.get()
    assert alert.state == StaffAlert.State.PENDING and alert.attempts == 1 and alert.last_error
    assert alert.next_attempt_at > clock.now


def test_the_desk_has_customer_replied_and_awaiting_review_queues(demo, clock, client):
    customer = User.objects.get(username="customer-a")
    replied = make_case("customer-a", ip="198.51.100.88", category="spam")
    resolved = make_case("customer-a", ip="198.51.100.89", category="spam")
    casework.post_message(replied, customer, "Looking into it.", author_kind="customer")
    casework.resolve(resolved, customer, "removed_content", "Deleted.")
    client.force_login(User.objects.get(username="desk"))
    page = client.get("/desk/queue/replied/").content.decode()
    assert replied.target in page and resolved.target not in page
    page = client.get("/desk/queue/review/").content.decode()
    assert resolved.target in page and replied.target not in page
