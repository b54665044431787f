"""Authorities send the order itself as a PDF, with a line of covering text: the PDF's text is
read (parsers.pdf, within its limits) and the register gets what the letter says. The PDFs are
made here with WeasyPrint, as an authority's office software would, in Dutch, German and English."""

import html
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
import weasyprint

from abusedesk.lawenforcement.tests.conftest import SAMPLES
from abusedesk.parsers.dispatch import parse

pytestmark = pytest.mark.django_db


def letter_pdf(name: str) -> bytes:
    text = (SAMPLES / "letters" / name).read_text()
    page = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in text.splitlines())
    return weasyprint.HTML(string=f"<html><body style='font-size:10pt'>{page}</body></html>").write_pdf()


def mail_with_pdf(sender: str, to: str, subject: str, cover: str, name: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"] = "Tue, 14 May 2024 09:30:00 +0200"
    mail.set_content(cover)
    mail.add_attachment(letter_pdf(name), maintype="application", subtype="pdf",
                        filename=name.replace(".txt", ".pdf"))
    return mail.as_bytes()


def test_a_dutch_vordering_sent_as_a_pdf_is_read_and_registered(ingest):
    content = mail_with_pdf("Politie Rotterdam <hightech.rotterdam@politie.example.nl>", "abuse@hosting-nl.example",
                            "Vordering PL1700-2024087731", "Geachte heer/mevrouw,\n\nZie de bijgevoegde vordering.\n",
                            "nl_vordering_126na.txt")
    legal, raw = ingest(content)
    assert raw.kind == "law_enforcement"
    assert (legal.country, legal.reference, legal.type, legal.language) == (
        "NL", "PL1700-2024087731", "subscriber_data", "nl")
    assert "126na" in legal.legal_basis and legal.confidential
    pairs = [(i.value, i.at.isoformat()) for i in legal.identifiers.order_by("id")]
    assert pairs == [("198.51.100.24", "2024-05-12T20:41:07+00:00"), ("198.51.100.141", "2024-05-13T01:12:55+00:00")]
    assert legal.authority_deadline == datetime(2024, 5, 28, 21, 59, 59, tzinfo=UTC)
    assert legal.validity == "valid"


def test_a_german_bestandsdatenauskunft_as_a_pdf_is_valid_for_the_german_entity(ingest):
    content = mail_with_pdf("Kriminalinspektion 70 <k70.cybercrime@polizei.example.de>", "abuse@hosting-de.example",
                            "Auskunftsersuchen", "Sehr geehrte Damen und Herren,\nanbei unser Ersuchen.\n",
                            "de_bestandsdatenauskunft.txt")
    legal, raw = ingest(content, "abuse@hosting-de.example")
    assert (legal.entity.code, legal.country, legal.reference) == ("de", "DE", "ST/0412877/2024")
    assert "§ 100j" in legal.legal_basis and "§ 174 TKG" in legal.legal_basis and "TTDSG" in legal.legal_basis
    pairs = [(i.value, i.at.isoformat()) for i in legal.identifiers.order_by("id")]
    assert pairs == [("198.51.100.62", "2024-03-14T20:17:03+00:00"), ("198.51.100.63", "2024-03-15T06:02:44+00:00")]
    assert legal.confidential and legal.type == "subscriber_data" and legal.validity == "valid"
    assert legal.authority_deadline == datetime(2024, 3, 28, 22, 59, 59, tzinfo=UTC)


def test_a_tco_removal_order_as_a_pdf_becomes_its_one_hour_case(ingest, clock):
    clock.set(datetime(2024, 5, 21, 7, 45, tzinfo=UTC))
    content = mail_with_pdf("Garda CTIS <tco@garda.example.ie>", "abuse@hosting-nl.example",
                            "Removal order", "Please find attached a removal order.\n", "en_tco_annex_i.txt")
    legal, raw = ingest(content)
    assert raw.format == "tco"
    assert (legal.type, legal.country, legal.reference) == ("tco_removal", "IE", "CTIS-TCO-2024-0311")
    [case] = legal.cases.all()
    assert case.url == "https://198.51.100.73/uploads/propaganda-issue-12.pdf" and case.deadline_hours == 1


def test_a_broken_or_oversized_pdf_is_not_read_and_the_notice_goes_on():
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "x@politie.example.nl", "abuse@hosting-nl.example", "Vordering"
    mail.set_content("Politie. Vordering ex artikel 126na Sv, zie bijlage.")
    mail.add_attachment(b"%PDF-1.7\n" + b"\x00garbage" * 1000, maintype="application", subtype="pdf",
                        filename="vordering.pdf")
    mail.add_attachment(b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024), maintype="application", subtype="pdf",
                        filename="huge.pdf")
    notice = parse(mail.as_bytes())
    assert notice.kind == "law_enforcement"  # read from its text, the PDFs skipped
    assert any("vordering.pdf: PDF not readable" in w for w in notice.warnings)
    assert any("huge.pdf: PDF of" in w for w in notice.warnings)
