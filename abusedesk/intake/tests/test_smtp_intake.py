"""Real SMTP: an aiosmtpd server started by the test, smtplib as the client."""

import smtplib

import pytest

from abusedesk.cases.models import Case
from abusedesk.intake.models import RawMessage
from abusedesk.outbox.models import OutgoingMail
from testkit.dbfaults import failing_inserts
from testkit.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def send(port: int, content: bytes, rcpt: str = "abuse@hosting-nl.example") -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("test.example")
        client.mail("fbl@mailbox-provider.example")
        client.rcpt(rcpt)
        # Like every real MTA, the client sends CRLF line ends.
        return client.data(content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def test_an_arf_complaint_by_smtp_becomes_a_case_for_customer_a(demo, smtp_server, samples):
    code, reply = send(smtp_server, (samples / "01-arf-spam-customer-a.eml").read_bytes())

    assert code == 250
    assert b"Accepted as notice" in reply
    assert wait_for(lambda: Case.objects.filter(ip="198.51.100.42").exists())
    case = Case.objects.get(ip="198.51.100.42")
    assert case.customer.reference == "customer-a"
    assert case.category == "spam"
    assert case.state == "forwarded"
    mail = OutgoingMail.objects.get(case=case, kind="forward")
    assert mail.to == "abuse@customer-a.example"
    assert case.reply_token in mail.reply_to


def test_the_notice_is_stored_exactly_as_received(demo, smtp_server, samples):
    content = (samples / "01-arf-spam-customer-a.eml").read_bytes().replace(b"\n", b"\r\n")
    send(smtp_server, content)

    raw = RawMessage.objects.get()
    assert raw.channel == "smtp"
    assert raw.envelope_from == "fbl@mailbox-provider.example"
    assert raw.envelope_to == "abuse@hosting-nl.example"
    assert bytes(raw.content).replace(b"\r\n", b"\n") == content.replace(b"\r\n", b"\n")
    assert raw.size == len(bytes(raw.content))


def test_the_same_mail_delivered_twice_is_one_notice(demo, smtp_server, samples):
    content = (samples / "01-arf-spam-customer-a.eml").read_bytes()
    send(smtp_server, content)
    code, _ = send(smtp_server, content)

    assert code == 250
    assert RawMessage.objects.count() == 1
    assert wait_for(lambda: Case.objects.count() == 1)


def test_it_answers_451_when_the_database_cannot_store_the_notice(demo, smtp_server, samples):
    with failing_inserts("intake_rawmessage"):  # the database refuses the notice, as a full disk would
        code, reply = send(smtp_server, (samples / "01-arf-spam-customer-a.eml").read_bytes())

    assert code == 451
    assert b"retry" in reply
    assert RawMessage.objects.count() == 0


def test_an_unparseable_mail_is_accepted_and_lands_in_the_staff_queue(demo, smtp_server):
    code, _ = send(smtp_server, b"\xff\xfe\x00garbage without headers\x00\x00")

    assert code == 250
    assert wait_for(lambda: RawMessage.objects.filter(state="done").exists())
    raw = RawMessage.objects.get()
    assert raw.needs_staff
    assert raw.staff_reason
