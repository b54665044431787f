"""Every check, on requests in English, Dutch and German, as they arrive through intake."""

import pytest

from abusedesk.lawenforcement.models import Validity

pytestmark = pytest.mark.django_db


def failing(legal) -> set[str]:
    return {c.code for c in legal.checks.all() if not c.result}


@pytest.mark.parametrize("name, to", [
    ("nl_vordering_126na.eml", "abuse@hosting-nl.example"),
    ("de_auskunft_100j.eml", "abuse@hosting-de.example"),
    ("en_epoc_ie.eml", "abuse@hosting-nl.example"),
])
def test_a_complete_domestic_or_cross_border_request_is_valid(ingest, name, to):
    legal, raw = ingest(name, to)
    assert failing(legal) == set()
    assert legal.validity == Validity.VALID
    assert {c.code for c in legal.checks.all()} == {"authority", "legal_basis", "jurisdiction", "identifiers",
                                                    "timestamps", "scope"}
    assert all(c.evidence for c in legal.checks.all())


def test_dutch_vordering_facts_are_registered(ingest):
    legal, raw = ingest("nl_vordering_126na.eml")
    assert (legal.authority, legal.country, legal.reference) == (
        "Politie Eenheid Midden-Nederland", "NL", "2024-MN-004417")
    assert "126na" in legal.legal_basis
    assert legal.type == "subscriber_data"
    assert legal.confidential is True
    assert legal.entity.code == "nl"
    pairs = [(i.value, i.at.isoformat(), i.zone) for i in legal.identifiers.all()]
    # CEST is UTC+2: 14:03:51 local is 12:03:51 UTC.
    assert pairs == [("198.51.100.23", "2024-04-02T12:03:51+00:00", "CEST"),
                     ("198.51.100.140", "2024-04-03T06:45:10+00:00", "CEST")]
    assert legal.authority_deadline.isoformat() == "2024-04-23T21:59:59+00:00"  # end of 23 April in NL


def test_dutch_request_with_dates_but_no_times_is_incomplete_and_asks_in_dutch(ingest):
    legal, raw = ingest("nl_bevel_zonder_tijd.eml")
    assert failing(legal) == {"timestamps"}
    assert legal.validity == Validity.INCOMPLETE
    assert "198.51.100.77" in legal.checks.get(code="timestamps").evidence
    assert "tijdzone" in legal.clarification_text
    assert "10/998877-24" in legal.clarification_text


def test_english_request_with_a_time_but_no_zone_is_incomplete(ingest):
    text = (b"From: Cyber Unit <cyber@politie.example.nl>\nTo: abuse@hosting-nl.example\n"
            b"Subject: Data request under art. 126nc Sv - ref CU-1\n\n"
            b"Dutch National Police. Pursuant to article 126nc Sv please provide the subscriber data of the user of\n"
            b"IP address 198.51.100.20 on 2024-04-01 10:15:00.\n")
    legal, raw = ingest(text)
    assert failing(legal) == {"timestamps"}
    identifier = legal.identifiers.get()
    assert (identifier.at, identifier.missing) == (None, "time zone")
    assert "time zone" in legal.clarification_text


def test_german_request_with_a_day_only_is_incomplete_and_asks_in_german(ingest):
    text = ("From: Polizei <cyber@polizei.example.de>\nTo: abuse@hosting-de.example\n"
            "Subject: Auskunftsersuchen gem. =?utf-8?q?=C2=A7?= 100j StPO\nContent-Type: text/plain; charset=utf-8\n\n"
            "Polizeipräsidium Beispielstadt. Gemäß § 100j StPO bitten wir um Auskunft über die Bestandsdaten des "
            "Nutzers der IP-Adresse 198.51.100.44 am 05.04.2024.\n").encode()
    legal, raw = ingest(text, "abuse@hosting-de.example")
    assert failing(legal) == {"timestamps"}
    assert legal.validity == Validity.INCOMPLETE
    assert "Zeitzone" in legal.clarification_text


@pytest.mark.parametrize("name", ["us_grand_jury_subpoena.eml", "de_auskunft_100j.eml"])
def test_a_foreign_authority_without_a_cross_border_instrument_is_not_enforceable(ingest, name):
    legal, raw = ingest(name, "abuse@hosting-nl.example")
    assert failing(legal) == {"jurisdiction"}
    assert legal.validity == Validity.NOT_ENFORCEABLE
    evidence = legal.checks.get(code="jurisdiction").evidence
    assert ("MLAT" in evidence) if legal.country == "US" else ("European Investigation Order" in evidence)


def test_the_same_subpoena_to_the_us_entity_is_domestic(ingest):
    legal, raw = ingest("us_grand_jury_subpoena.eml", "abuse@hosting-us.example")
    assert legal.entity.code == "us"
    assert failing(legal) == set()
    identifier = legal.identifiers.get()
    # 11:15:42 PM EDT (UTC-4) on 04/02/2024, an American date.
    assert identifier.at.isoformat() == "2024-04-03T03:15:42+00:00"


def test_a_request_for_server_contents_is_not_enforceable(ingest):
    legal, raw = ingest("en_server_contents.eml")
    assert failing(legal) == {"scope"}
    assert legal.validity == Validity.NOT_ENFORCEABLE


@pytest.mark.parametrize("text, to", [
    ("From: Politie <tdo@politie.example.nl>\nTo: abuse@hosting-nl.example\nSubject: Vordering gegevens art. "
     "126nd Sv - kenmerk X-9\nContent-Type: text/plain; charset=utf-8\n\nDe officier van justitie vordert op grond van "
     "artikel 126nd Sv een kopie van de server met IP-adres 198.51.100.9 en de inhoud van de mailbox van de "
     "gebruiker, die op 01-04-2024 10:00:00 (CEST) dit adres gebruikte.\n", "abuse@hosting-nl.example"),
    ("From: LKA <cyber@lka.example.de>\nTo: abuse@hosting-de.example\nSubject: Beschluss nach =?utf-8?q?=C2=A7?= 100g StPO, "
     "Az. 1 Js 2/24\nContent-Type: text/plain; charset=utf-8\n\nLandeskriminalamt. Gemäß § 94 StPO bitten wir um Herausgabe "
     "einer Kopie des Servers mit der IP-Adresse 198.51.100.9 sowie der E-Mail-Inhalte, genutzt am 01.04.2024 "
     "um 10:00:00 Uhr MESZ.\n", "abuse@hosting-de.example"),
])
def test_content_demanded_fails_the_scope_in_dutch_and_german(ingest, text, to):
    legal, raw = ingest(text.encode(), to)
    assert "scope" in failing(legal)
    assert legal.validity == Validity.NOT_ENFORCEABLE


def test_german_request_without_legal_basis_is_incomplete(ingest):
    legal, raw = ingest("de_ohne_rechtsgrundlage.eml", "abuse@hosting-de.example")
    assert failing(legal) == {"legal_basis"}
    assert legal.validity == Validity.INCOMPLETE
    assert "Rechtsgrundlage" in legal.clarification_text or "Rechtsvorschrift" in legal.clarification_text


@pytest.mark.parametrize("text", [
    "Dutch National Police, cybercrime team. In a criminal investigation we request the subscriber information of "
    "the customer using IP address 198.51.100.9 on 2024-04-01 10:00:00 UTC. Please provide name and address.",
    "Politie Eenheid Oost. In een strafrechtelijk onderzoek verzoeken wij u om de verstrekking van de naam en het "
    "adres van de gebruiker van IP-adres 198.51.100.9 op 01-04-2024 10:00:00 (CEST).",
])
def test_english_and_dutch_requests_without_legal_basis_are_incomplete(ingest, text):
    mail = (f"From: Politie <tdo@politie.example.nl>\nTo: abuse@hosting-nl.example\nSubject: Data request / "
            f"gegevensvordering\nContent-Type: text/plain; charset=utf-8\n\n{text}\n").encode()
    legal, raw = ingest(mail)
    assert failing(legal) == {"legal_basis"}
    assert legal.validity == Validity.INCOMPLETE


def test_a_request_for_all_customers_fails_the_identifiers(ingest):
    mail = (b"From: Politie <tdo@politie.example.nl>\nTo: abuse@hosting-nl.example\nSubject: Vordering art. 126nc "
            b"Sv\n\nDe officier van justitie vordert op grond van artikel 126nc Sv de gegevens van alle klanten in "
            b"198.51.100.0/24.\n")
    legal, raw = ingest(mail)
    assert "identifiers" in failing(legal)
    assert "alle klanten" in legal.checks.get(code="identifiers").evidence


def test_a_free_mail_emergency_request_fails_the_authority_check(ingest):
    legal, raw = ingest("freemail_emergency.eml")
    assert legal.type == "emergency" and legal.emergency
    assert "authority" in failing(legal)
    assert "free-mail" in legal.checks.get(code="authority").evidence
    # 8 hours for an emergency (e-Evidence Art 10(4)).
    assert (legal.deadline - legal.received_at).total_seconds() == 8 * 3600


def test_staff_override_a_check_and_the_validity_follows(ingest, world):
    from abusedesk.lawenforcement import services

    legal, raw = ingest("nl_bevel_zonder_tijd.eml")
    services.confirm_check(legal, "timestamps", user=world["legal"], verdict=True, note="times agreed by phone")
    legal.refresh_from_db()
    assert legal.validity == Validity.VALID
    check = legal.checks.get(code="timestamps")
    assert (check.passed, check.override, check.result, check.confirmed_by) == (False, True, True, world["legal"])
    assert legal.audit.filter(verb="check_overridden").exists()


def test_a_german_authority_with_a_european_investigation_order_binds_the_dutch_entity(ingest):
    text = ("From: Staatsanwaltschaft Köln <eea@sta-koeln.example.de>\nTo: abuse@hosting-nl.example\n"
            "Subject: =?utf-8?q?Europ=C3=A4ische_Ermittlungsanordnung?= - Az. 121 Js 77/24\n"
            "Content-Type: text/plain; charset=utf-8\n\nStaatsanwaltschaft Köln\nEuropäische Ermittlungsanordnung "
            "nach der Richtlinie 2014/41/EU, anerkannt durch das Openbaar Ministerie.\nWir ersuchen um Auskunft über "
            "die Bestandsdaten des Nutzers der IP-Adresse 198.51.100.33 am 02.04.2024 um 10:00:00 Uhr MESZ.\n"
            "Aktenzeichen: 121 Js 77/24\n").encode()
    legal, raw = ingest(text)
    assert (legal.country, legal.instrument) == ("DE", "eio")
    assert failing(legal) == set()
    assert "valid across EU borders" in legal.checks.get(code="jurisdiction").evidence


def test_a_foreign_emergency_request_names_the_voluntary_route(ingest):
    text = (b"From: FBI Emergency Operations <eoc@fbi.example.gov>\nTo: abuse@hosting-nl.example\n"
            b"Subject: Emergency disclosure request - imminent threat to life\n\nFederal Bureau of Investigation. "
            b"Emergency disclosure request under 18 U.S.C. 2702(c)(4): imminent danger of death. Please provide the "
            b"subscriber information of 198.51.100.34 at 2024-04-13 01:40:00 UTC.\n")
    legal, raw = ingest(text)
    assert legal.emergency and legal.validity == "not_enforceable"
    assert "GDPR Art 6(1)(d)" in legal.checks.get(code="jurisdiction").evidence
