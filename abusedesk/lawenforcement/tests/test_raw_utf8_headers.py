"""Authorities' mail systems write headers in raw UTF-8 (not RFC 2047): such a request is
stored, parsed, registered and shown, through a real SMTP session and through `abusedesk parse`."""

import json
import smtplib
import subprocess
import sys

import pytest

from abusedesk.intake.models import RawMessage
from abusedesk.lawenforcement.models import LegalRequest
from testkit.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Vordering gegevens – art. 126na Sv – kenmerk PL1300-2024-ÄÖÜ"
MAIL = ("From: Politie Eenheid Amsterdam – Team Digitale Recherche <recherche@politie.example.nl>\n"
        "To: abuse@hosting-nl.example\n"
        f"Subject: {SUBJECT}\n"
        "Date: Tue, 02 Apr 2024 10:00:00 +0200\n"
        "Message-ID: <vordering-1300@politie.example.nl>\n"
        "\n"
        "Politie Eenheid Amsterdam\n"
        "Op grond van artikel 126na Sv vorder ik de NAW-gegevens van de gebruiker van IP-adres 198.51.100.23\n"
        "op 2 april 2024 om 14:03:51 uur (Nederlandse tijd).\n"
        "Kenmerk: PL1300-2024\n"
        "Contact: recherche@politie.example.nl\n").encode()


def test_a_raw_utf8_subject_by_smtp_is_stored_registered_and_shown(world, smtp_server, client):
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as smtp:
        smtp.ehlo("politie.example.nl")
        smtp.mail("recherche@politie.example.nl")
        smtp.rcpt("abuse@hosting-nl.example")
        code, _reply = smtp.data(MAIL.replace(b"\n", b"\r\n"))
    assert code == 250
    assert wait_for(lambda: RawMessage.objects.filter(state="done").exists(), timeout=30)
    raw = RawMessage.objects.get()
    assert bytes(raw.content).replace(b"\r\n", b"\n") == MAIL
    assert raw.subject == SUBJECT and raw.kind == "law_enforcement"
    legal = LegalRequest.objects.get(raw_message=raw)
    assert legal.reference == "PL1300-2024" and legal.legal_basis == "art. 126na Sv"
    [ip] = legal.identifiers.all()
    assert ip.at.isoformat() == "2024-04-02T12:03:51+00:00"
    client.force_login(world["legal"])
    assert SUBJECT in client.get(f"/desk/raw/{raw.pk}/").content.decode()
    assert "PL1300-2024" in client.get(f"/desk/legal/{legal.pk}/").content.decode()


def test_abusedesk_parse_reads_a_raw_utf8_subject(tmp_path):
    path = tmp_path / "vordering.eml"
    path.write_bytes(MAIL)
    done = subprocess.run([sys.executable, "-m", "abusedesk", "parse", str(path)], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["kind"] == "law_enforcement" and out["errors"] == []
    assert [e["observed_at"] for e in out["events"]] == ["2024-04-02T12:03:51+00:00"]
