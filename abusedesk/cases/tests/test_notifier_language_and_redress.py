"""Receipts in the sender's language, the automated processing said (DSA Art 16(6)), and the ways of
redress in the outcome (DSA Art 16(5))."""

import pytest
from django.contrib.auth.models import User

from abusedesk.cases.services import close
from abusedesk.outbox.models import OutgoingMail
from abusedesk.parsers.language import language_of
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, language", [
    ("Sehr geehrte Damen und Herren, von Ihrer IP-Adresse 198.51.100.7 gehen Angriffe auf unsere Server aus.", "de"),
    ("Geachte heer, mevrouw, vanaf uw IP-adres 198.51.100.7 worden onze servers aangevallen.", "nl"),
    ("Dear abuse team, we see attacks on our servers from your address 198.51.100.7.", "en"),
    ("198.51.100.7 2026-11-21T10:00:00Z 22/tcp", None),
])
def test_the_language_of_a_notice_is_told_from_its_words_not_its_addresses(text, language):
    assert language_of(text) == language


def test_an_unknown_sender_writing_german_gets_a_german_receipt_that_says_processing_is_automated(demo, clock):
    open_case("brute_force", "198.51.100.15", email="admin@firma.example",
              evidence="Sehr geehrte Damen und Herren, von Ihrem Server gehen seit heute Morgen Angriffe aus.")
    receipt = OutgoingMail.objects.get(kind="receipt")
    assert "automatisiert verarbeitet" in receipt.body


def test_the_outcome_tells_the_notifier_how_to_seek_redress(demo, clock):
    case = open_case("phishing", "198.51.100.16", email="analyst@bank.example")
    close(case, User.objects.get(username="desk"), "no_action", note="not abuse")
    outcome = OutgoingMail.objects.get(kind="outcome")
    assert "out-of-court dispute settlement body" in outcome.body and "Article 21" in outcome.body
