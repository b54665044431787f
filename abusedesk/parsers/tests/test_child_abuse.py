"""A child-abuse report must never fall to `other` or another category: its
deadline is one hour, not 48. Free text in English, Dutch and German, the
sender's declared type, and the structured formats; and the false friends
(adult material, a children's shop, "minors" alone) that are no such report."""

import json

import pytest

from abusedesk.parsers import parse
from abusedesk.parsers.classify import classify
from abusedesk.parsers.labels import category_of


def mail(subject: str, body: str, sender: str = "meldingen@hotline-desk.example") -> bytes:
    return (f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Message-ID: <ca1@hotline-desk.example>\n\n{body}").encode()


@pytest.mark.parametrize("body", [
    # English
    "We found child sexual abuse material on http://198.51.100.70/gallery/17 and ask you to remove it.",
    "The page http://198.51.100.70/gallery/17 hosts images of child sexual exploitation.",
    "The content at http://198.51.100.70/gallery/17 depicts the sexual abuse of minors.",
    "Child abuse images are hosted at http://198.51.100.70/gallery/17.",
    # Dutch
    "Op http://198.51.100.70/gallery/17 staat kinderpornografisch materiaal.",
    "Wij troffen op http://198.51.100.70/gallery/17 beelden van seksueel misbruik van kinderen aan.",
    "Het betreft materiaal van seksueel kindermisbruik op http://198.51.100.70/gallery/17.",
    # German
    "Unter http://198.51.100.70/gallery/17 befinden sich Darstellungen sexuellen Missbrauchs von Kindern.",
    "Die Inhalte unter http://198.51.100.70/gallery/17 zeigen sexuellen Kindesmissbrauch.",
    "Es handelt sich um kinder- und jugendpornografische Inhalte: http://198.51.100.70/gallery/17",
    "Wir melden Missbrauchsdarstellungen unter http://198.51.100.70/gallery/17.",
])
def test_child_abuse_wording_in_free_text_is_csam(body):
    notice = parse(mail("Report 8812", body))
    assert notice.category == "csam"
    assert [e.category for e in notice.events] == ["csam"]


@pytest.mark.parametrize("subject,body", [
    ("[child-abuse] http://198.51.100.71/p/3", "Please act.\n"),
    ("Melding kindermisbruik", "URL: http://198.51.100.71/p/3\n"),
    ("Meldung Kinderpornografie", "URL: http://198.51.100.71/p/3\n"),
    ("Hinweis 2291", "Kategorie: Kindesmissbrauch\nURL: http://198.51.100.71/p/3\n"),
    ("Report 2292", "Report type: Child Sexual Exploitation\nURL: http://198.51.100.71/p/3\n"),
])
def test_a_declared_child_abuse_type_is_csam(subject, body):
    assert parse(mail(subject, body)).category == "csam"


@pytest.mark.parametrize("text,expected", [
    # Adult material without consent is not child abuse (other, not csam).
    ("Non-consensual intimate images of an adult were posted at the URL below.", None),
    ("Our children's clothing shop saw a brute force attack on its login page.", "brute_force"),
    # A weak hint alone never makes csam.
    ("This game site lets minors register without consent of their parents.", None),
    ("Volwassenen werden zonder toestemming gefilmd.", None),
    ("Missbrauch unseres Kontaktformulars für Spam.", "spam"),
])
def test_false_friends_are_not_csam(text, expected):
    category, _ = classify(text)
    assert category != "csam"
    assert category == expected


@pytest.mark.parametrize("name", ["ChildAbuse", "child-abuse", "child_abuse", "CSAM", "child sexual abuse material",
                                  "child pornography", "Kinderpornografie", "kindermisbruik", "Kindesmissbrauch"])
def test_structured_type_names_for_child_abuse_are_csam(name):
    assert category_of(name) == "csam"


def test_xarf_v4_child_abuse_in_a_mail_is_csam_and_sensitive():
    report = json.dumps({"Version": "4", "ReporterInfo": {"ReporterOrg": "Hotline Desk"},
                         "Report": {"ReportClass": "Content", "ReportType": "child-abuse",
                                    "Date": "2026-11-30T10:00:00Z", "SourceIp": "198.51.100.72",
                                    "Url": "http://198.51.100.72/x/1.jpg"}})
    data = ("From: reports@hotline-desk.example\nTo: abuse@provider.example\nSubject: X-ARF report\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
            "See the attached report.\n--b\nContent-Type: application/json; name=\"xarf.json\"\n"
            "Content-Disposition: attachment; filename=\"xarf.json\"\n\n" + report + "\n--b--\n")
    notice = parse(data.encode())
    assert (notice.format, notice.category, notice.sensitive, notice.deadline_hours) == ("xarf", "csam", True, 1)


def test_cloudflare_child_sexual_exploitation_report_is_csam():
    body = ("Cloudflare received an abuse report regarding:\nkids-pics.example\n\n"
            "The actual host for kids-pics.example are the following IP addresses. 198.51.100.73.\n\n"
            "Report type: Child Sexual Exploitation\nReported URLs:\n\thttp://kids-pics.example/a/1\n")
    notice = parse(mail("[a1b2c3]: Cloudflare received an abuse report regarding one of your customers.", body,
                        sender="abuse@notify.cloudflare.com"))
    assert (notice.format, notice.category, notice.sensitive) == ("cloudflare", "csam", True)
    assert [e.ip for e in notice.events] == ["198.51.100.73"]
