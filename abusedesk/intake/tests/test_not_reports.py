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


def _dmarc_mail(spf: str) -> bytes:
    import base64
    import gzip
    xml = ("<?xml version=\"1.0\"?><feedback><report_metadata><org_name>mailbox.example</org_name>"
           "<report_id>r-9</report_id><date_range><begin>1714521600</begin><end>1714608000</end></date_range>"
           "</report_metadata><policy_published><domain>shop.example</domain><p>none</p></policy_published>"
           "<record><row><source_ip>198.51.100.22</source_ip><count>3</count><policy_evaluated>"
           f"<disposition>none</disposition><dkim>fail</dkim><spf>{spf}</spf></policy_evaluated></row>"
           "<identifiers><header_from>shop.example</header_from></identifiers></record></feedback>")
    name = "mailbox.example!shop.example!1714521600!1714608000.xml.gz"
    payload = base64.encodebytes(gzip.compress(xml.encode())).decode()
    return (f"From: noreply-dmarc@mailbox.example\nTo: abuse@provider.example\nSubject: Report Domain: shop.example\n"
            f"Message-ID: <dmarc-{spf}@mailbox.example>\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain\n\nDMARC report.\n"
            f"--m\nContent-Type: application/gzip\nContent-Transfer-Encoding: base64\n"
            f"Content-Disposition: attachment; filename=\"{name}\"\n\n{payload}\n--m--\n").encode()


def test_a_dmarc_report_in_which_every_source_passed_opens_no_case(demo, dns_server):
    raw = receive(_dmarc_mail("pass"))
    assert (raw.format, raw.kind, raw.state) == ("dmarc", "not_report", "done")
    assert raw.staff_reason.startswith("not a report: DMARC aggregate report in which every source passed")
    assert not Report.objects.exists() and not Case.objects.exists()
    assert not OutgoingMail.objects.exists()
