"""DMARC aggregate reports attached to a mail: a source that failed DMARC
is an offender; one that passed is a server the domain authorised."""

import base64
import gzip
import io
import zipfile

from abusedesk.parsers import parse

XML = """<?xml version="1.0" encoding="UTF-8"?>
<feedback>
 <report_metadata><org_name>mailbox.example</org_name><report_id>r-77</report_id>
  <date_range><begin>1714521600</begin><end>1714608000</end></date_range></report_metadata>
 <policy_published><domain>shop.example</domain><p>reject</p></policy_published>
 <record><row><source_ip>198.51.100.120</source_ip><count>14</count>
  <policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
  <identifiers><header_from>shop.example</header_from></identifiers></record>
 <record><row><source_ip>192.0.2.25</source_ip><count>300</count>
  <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
  <identifiers><header_from>shop.example</header_from></identifiers></record>
</feedback>
"""


def mail_with(name: str, content_type: str, payload: bytes, subject: str) -> bytes:
    encoded = base64.encodebytes(payload).decode()
    return (f"From: noreply-dmarc@mailbox.example\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain\n\n"
            f"DMARC aggregate report.\n--m\nContent-Type: {content_type}\nContent-Transfer-Encoding: base64\n"
            f"Content-Disposition: attachment; filename=\"{name}\"\n\n{encoded}\n--m--\n").encode()


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def test_a_zipped_report_gives_the_source_that_failed_dmarc():
    name = "mailbox.example!shop.example!1714521600!1714608000"
    notice = parse(mail_with(name + ".zip", "application/zip", zipped(name + ".xml", XML.encode()),
                             "Report Domain: shop.example Submitter: mailbox.example Report-ID: r-77"))
    assert notice.format == "dmarc"
    assert [(e.ip, e.category) for e in notice.events] == [("198.51.100.120", "spam")]
    assert "14 message(s)" in notice.events[0].evidence
    assert notice.events[0].observed_at.isoformat() == "2024-05-02T00:00:00+00:00"
    assert notice.meta["dmarc"] == {"records_passed": 1, "records_failed": 1}


def test_a_gzipped_report_is_read_too():
    name = "mailbox.example!shop.example!1714521600!1714608000.xml.gz"
    notice = parse(mail_with(name, "application/gzip", gzip.compress(XML.encode()), "Report Domain: shop.example"))
    assert [e.ip for e in notice.events] == ["198.51.100.120"]


def test_an_xml_attachment_that_is_no_dmarc_report_is_left_to_the_other_parsers():
    other = b"<?xml version='1.0'?><inventory><host>198.51.100.121</host></inventory>"
    notice = parse(mail_with("hosts.xml", "application/xml", other, "Scanning from 198.51.100.121"))
    assert notice.format != "dmarc"


ALL_PASS = XML.replace("<dkim>fail</dkim><spf>fail</spf>", "<dkim>fail</dkim><spf>pass</spf>")


def test_a_report_in_which_every_source_passed_is_not_a_report_of_abuse():
    # Every server that sent in the domain's name was authorised by its owner:
    # nothing to act on, so no case and no answer, but kept for staff to see.
    name = "mailbox.example!shop.example!1714521600!1714608000"
    notice = parse(mail_with(name + ".zip", "application/zip", zipped(name + ".xml", ALL_PASS.encode()),
                             "Report Domain: shop.example Submitter: mailbox.example Report-ID: r-78"))
    assert notice.format == "dmarc"
    assert notice.kind == "not_report"
    assert notice.events == [] and notice.errors == []
    assert notice.category is None
    assert "every source passed DMARC" in notice.meta["not_report"]
    assert notice.meta["dmarc"] == {"records_passed": 2, "records_failed": 0}
    assert notice.notifier.no_reply


def test_one_failing_source_keeps_the_report_an_abuse_report():
    # The false friend: a report with passing sources and one that failed.
    name = "mailbox.example!shop.example!1714521600!1714608000.xml.gz"
    notice = parse(mail_with(name, "application/gzip", gzip.compress(XML.encode()), "Report Domain: shop.example"))
    assert notice.kind == "abuse" and notice.category == "spam"
    assert [e.ip for e in notice.events] == ["198.51.100.120"]
