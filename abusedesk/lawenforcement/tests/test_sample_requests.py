"""Realistic requests as authorities write them (Dutch, German, English; police, prosecutors,
courts, regulators; domestic, cross-border and foreign), through the real intake pipeline: what
the register extracts, and what its checks make of them."""

from datetime import UTC, datetime

import pytest

from abusedesk.cases.models import Case
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db

NL, DE, US = "abuse@hosting-nl.example", "abuse@hosting-de.example", "abuse@hosting-us.example"


def failing(legal) -> set[str]:
    return {c.code for c in legal.checks.all() if not c.result}


def pairs(legal):
    return [(i.value, i.at.isoformat() if i.at else None) for i in legal.identifiers.filter(kind="ip").order_by("id")]


# name, addressed to, (type, country, reference, validity, failing checks), IP/time pairs in UTC
SAMPLES = [
    ("nl_spoed_levensgevaar.eml", NL, ("emergency", "NL", "LE-2024-55102", "valid", set()),
     [("2001:db8:100::25", "2024-05-14T07:12:00+00:00")]),
    ("nl_bewaarbevel_126ni.eml", NL, ("preservation", "NL", "09/871233-24", "valid", set()),
     [("198.51.100.30", "2024-05-10T16:22:31+00:00")]),
    ("be_eob_antwerpen.eml", NL, ("subscriber_data", "BE", "AN.12.LB.104455/2024", "valid", set()),
     [("198.51.100.31", "2024-05-03T14:20:11+00:00")]),
    ("us_2703d_order.eml", US, ("traffic_data", "US", "1:24-mj-04411", "valid", set()),
     [("198.51.100.50", "2024-03-15T01:17:03+00:00"), ("198.51.100.50", "2024-03-15T06:02:44+00:00")]),
    ("tr_police_request.eml", NL, ("subscriber_data", "TR", "2024/3381", "not_enforceable", {"jurisdiction"}),
     [("198.51.100.32", "2024-05-15T20:10:44+00:00")]),
    ("de_postfachinhalte.eml", DE, ("content", "DE", "121 Js 4471/24", "not_enforceable", {"scope"}),
     [("198.51.100.64", "2024-05-02T09:45:00+00:00")]),
    ("en_dsa_art10_ie.eml", NL, ("dsa_art10", "IE", "CNAM-DSA10-2024-019", "valid", set()), []),
    ("de_epoc_pr.eml", NL, ("preservation", "DE", "ZCB 14 Js 9921/24", "valid", set()),
     [("198.51.100.33", "2024-05-21T01:14:15+00:00")]),
    ("nl_informeel_zonder_grondslag.eml", NL, ("subscriber_data", "NL", "", "incomplete", {"legal_basis"}),
     [("198.51.100.34", "2024-05-22T17:30:00+00:00")]),
    ("nl_fiod_alle_klanten.eml", NL, ("subscriber_data", "NL", "FIOD-2024-00871", "incomplete", {"identifiers"}),
     []),
    ("nl_tco_verwijderingsbevel.eml", NL, ("tco_removal", "NL", "ATKM-VB-2024-0042", "valid", set()), []),
]


@pytest.mark.parametrize("name, to, expected, ip_pairs", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_sample_request_is_read_and_checked(ingest, name, to, expected, ip_pairs):
    legal, raw = ingest(name, to)
    assert legal is not None, raw.format
    assert (legal.type, legal.country, legal.reference, legal.validity, failing(legal)) == expected
    assert pairs(legal) == ip_pairs
    assert legal.entity.abuse_email == to
    assert all(c.evidence for c in legal.checks.all())
    if not legal.acts_on_content:  # a data request never reaches a customer
        assert not Case.objects.exists() and not OutgoingMail.objects.filter(to__contains="customer").exists()


def test_an_emergency_is_due_in_the_two_hours_it_asks_for(ingest):
    legal, raw = ingest("nl_spoed_levensgevaar.eml")
    assert legal.emergency and (legal.deadline - raw.received_at).total_seconds() == 2 * 3600


def test_a_us_court_order_keeps_its_non_disclosure_and_ten_days(ingest):
    legal, raw = ingest("us_2703d_order.eml", US)
    assert legal.confidential and "2705(b)" in legal.legal_basis
    assert (legal.deadline - raw.received_at).days == 10
    assert legal.authority == "UNITED STATES DISTRICT COURT"


def test_a_foreign_police_request_is_answered_with_the_mlat_route(ingest):
    legal, raw = ingest("tr_police_request.eml")
    assert "MLAT" in legal.checks.get(code="jurisdiction").evidence
    assert legal.legal_basis == "Law No. 5651; Article 135 of the Turkish Code of Criminal Procedure"


def test_the_mailbox_content_demand_is_rejected_for_its_scope(ingest):
    legal, raw = ingest("de_postfachinhalte.eml", DE)
    assert "no access" in legal.checks.get(code="scope").evidence
    assert legal.legal_basis == "§§ 94, 95 StPO"


def test_a_request_without_a_legal_basis_is_answered_in_dutch(ingest):
    legal, raw = ingest("nl_informeel_zonder_grondslag.eml")
    assert "wettelijke grondslag" in legal.clarification_text or "grondslag" in legal.clarification_text


def test_the_dutch_tco_order_of_an_authority_that_also_handles_child_abuse_is_a_tco_order(ingest, clock):
    clock.set(datetime(2024, 5, 27, 8, 5, tzinfo=UTC))
    legal, raw = ingest("nl_tco_verwijderingsbevel.eml")
    assert raw.format == "tco" and legal.language == "nl"
    [case] = legal.cases.all()
    assert case.category == "terrorism" and case.url == "https://198.51.100.74/kanaal/oproep-tot-geweld.mp4"


def test_a_belgian_vordering_in_dutch_is_foreign_to_the_dutch_entity(ingest):
    """Dutch words, Belgian law: a Belgian prosecutor's own demand (art. 46bis Sv) does not bind a
    Dutch provider; it needs a European Investigation Order or a European Production Order."""
    mail = ("From: Parket van de procureur des Konings Gent <cyber.gent@just.example.be>\n"
            "To: abuse@hosting-nl.example\nSubject: Vordering art. 46bis Sv - notitienummer GE.52.LB.7781/24\n"
            "Date: Tue, 28 May 2024 10:00:00 +0200\n\n"
            "Parket van de procureur des Konings Gent\n\n"
            "Notitienummer: GE.52.LB.7781/24\n\n"
            "Op grond van artikel 46bis van het Wetboek van Strafvordering vordert de procureur des Konings de\n"
            "identificatiegegevens van de abonnee van IP-adres 198.51.100.35 op 27-05-2024 om 21:05:33 (CEST).\n"
            "Contact: cyber.gent@just.example.be\n")
    legal, raw = ingest(mail)
    assert (legal.country, legal.reference, legal.validity) == ("BE", "GE.52.LB.7781/24", "not_enforceable")
    assert failing(legal) == {"jurisdiction"}
    assert "European Investigation Order" in legal.checks.get(code="jurisdiction").evidence
