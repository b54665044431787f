"""Mail that is no report (an out-of-office reply, a bounce) is stored and
listed for staff, but opens no case and is never answered automatically."""

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw
from abusedesk.outbox.models import OutgoingMail

OUT_OF_OFFICE = b"""\
From: Piet Jansen <piet@customer-helpdesk.example>
To: abuse@provider.example
Subject: Automatic reply: [ABUSE-2291] Phishing on 198.51.100.21
Message-ID: <ooo-1@customer-helpdesk.example>
Auto-Submitted: auto-replied

I am out of the office until Monday and have limited access to e-mail.

> Phishing page at http://198.51.100.21/login was reported to us, please remove it.
"""

REAL_REPORT = b"""\
From: Jane <jane@victim.example>
To: abuse@provider.example
Subject: Phishing on 198.51.100.21
Message-ID: <report-1@victim.example>

Phishing page at http://198.51.100.21/login please remove it.
"""


def receive(content: bytes) -> RawMessage:
    raw, created = store_raw(content, RawMessage.Channel.SMTP, envelope_from="", enqueue=False)
    assert created
    process_raw_message(raw.pk)
    raw.refresh_from_db()
    return raw


def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("staff-queue", password="x-staff-pass-1", is_staff=True))
    return client


def test_an_out_of_office_reply_opens_no_case_and_gets_no_answer(demo, dns_server):
    raw = receive(OUT_OF_OFFICE)
    assert (raw.kind, raw.state) == ("not_report", "done")
    assert raw.staff_reason.startswith("not a report: automatic reply")
    assert not Report.objects.exists() and not Case.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_not_reports_have_a_desk_queue_of_their_own_and_stay_out_of_unmatched(demo, dns_server):
    ooo = receive(OUT_OF_OFFICE)
    report = receive(REAL_REPORT)
    assert report.kind == "abuse" and Case.objects.count() == 1
    client = staff_client()
    queue = client.get(reverse("desk:queue", args=["not_reports"])).content.decode()
    unmatched = client.get(reverse("desk:queue", args=["unmatched"])).content.decode()
    assert f"#{ooo.pk}<" in queue and f"#{report.pk}<" not in queue
    assert f"#{ooo.pk}<" not in unmatched
