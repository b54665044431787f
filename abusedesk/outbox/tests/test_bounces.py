import re

import pytest

from abusedesk.cases.models import AuditLog
from abusedesk.intake.models import RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.outbox.bounces import bounce_address
from abusedesk.outbox.models import OutgoingMail
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def dsn(message_id: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    return f"""From: MAILER-DAEMON@mx.customer-a.example
To: abuse@provider.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer-a.example

Final-Recipient: rfc822; abuse@customer-a.example
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown

--B
Content-Type: text/rfc822-headers

From: abuse@provider.example
To: abuse@customer-a.example
Message-ID: {message_id}
Subject: [AD-000001] Abuse notice

--B--
""".encode()


def sent_forward(demo):
    case = open_case("phishing")
    mail = OutgoingMail.objects.get(case=case, kind="forward")
    OutgoingMail.objects.filter(pk=mail.pk).update(state="sent", message_id="<fwd-1@provider.example>")
    mail.refresh_from_db()
    return case, mail


def receive(content: bytes, to: str = "abuse@provider.example") -> dict:
    raw = RawMessage.objects.create(content=content, channel="smtp", envelope_from="",
                                    envelope_to=to)
    return process_raw_message(raw.pk), RawMessage.objects.get(pk=raw.pk)


def test_a_delivery_report_naming_our_message_id_marks_the_mail_bounced(demo, clock):
    case, mail = sent_forward(demo)
    summary, raw = receive(dsn(mail.message_id))
    mail.refresh_from_db()
    assert summary == {"events": 0, "bounce_of_mail": mail.pk}
    assert raw.kind == "bounce" and not raw.needs_staff
    assert mail.state == "bounced" and mail.bounced_at == clock.now
    assert "failed 5.1.1" in mail.bounce_reason and "mailbox unknown" in mail.bounce_reason
    assert AuditLog.objects.filter(case=case, verb="mail_bounced").exists()


def test_anything_to_the_verp_address_is_a_bounce_of_that_mail(demo, clock):
    _case, mail = sent_forward(demo)
    summary, _raw = receive(b"From: postmaster@old-mta.example\nSubject: failure\n\nUser unknown\n",
                            to=bounce_address(mail))
    mail.refresh_from_db()
    assert summary["bounce_of_mail"] == mail.pk and mail.state == "bounced"


def test_a_forged_verp_signature_or_a_foreign_message_id_is_not_a_bounce(demo, clock):
    _case, mail = sent_forward(demo)
    forged = re.sub(r"-[0-9a-f]{12}@", "-0123456789ab@", bounce_address(mail))
    receive(b"Subject: x\n\nhello\n", to=forged)
    receive(dsn("<someone-else@elsewhere.example>"))
    mail.refresh_from_db()
    assert mail.state == "sent"


def test_a_delayed_report_is_noted_but_does_not_bounce(demo, clock):
    case, mail = sent_forward(demo)
    receive(dsn(mail.message_id, action="delayed", status="4.4.1"))
    mail.refresh_from_db()
    assert mail.state == "sent" and mail.bounce_reason.startswith("delayed")
    assert AuditLog.objects.filter(case=case, verb="mail_delayed").exists()
