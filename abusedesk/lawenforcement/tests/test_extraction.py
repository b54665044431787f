"""What the parser extracts from the many ways authorities write (pure: no database)."""

import pytest

from abusedesk.parsers.lawenforcement import extract


def pairs(facts):
    return [(i["value"], i["at"], i["missing"]) for i in facts["identifiers"] if i["kind"] == "ip"]


@pytest.mark.parametrize("text, sender, ips, expected", [
    ("Politie Amsterdam. Op grond van artikel 126na Sv vorder ik de NAW-gegevens van de gebruiker van IP-adres "
     "203.0.113.9 op 4 maart 2024 om 14.03 uur (Nederlandse tijd).", "x@politie.example.nl", ["203.0.113.9"],
     [("203.0.113.9", "2024-03-04T13:03:00+00:00", "")]),
    ("Polizeidirektion Hannover\nAuskunftsersuchen nach § 100j StPO\nZeitzone: UTC\n\nIP-Adresse | Datum | Uhrzeit\n"
     "198.51.100.5 | 12.03.2024 | 08:15:00\n198.51.100.6 | 13.03.2024 | 09:15:00\n", "x@polizei.example.de",
     ["198.51.100.5", "198.51.100.6"],
     [("198.51.100.5", "2024-03-12T08:15:00+00:00", ""), ("198.51.100.6", "2024-03-13T09:15:00+00:00", "")]),
    ("Metropolitan Police Service\nProduction order under Schedule 1 of the Police and Criminal Evidence Act 1984\n"
     "Subscriber details for IP 198.51.100.9 at 14:22:10 BST on 12/04/2024.", "x@met.police.example.uk",
     ["198.51.100.9"], [("198.51.100.9", "2024-04-12T13:22:10+00:00", "")]),
    ("FBI. Grand jury subpoena under 18 U.S.C. 2703(c). IP 198.51.100.10 at 2024-03-28T17:04:22Z and "
     "2024-03-29T01:00:00-05:00.", "x@fbi.example.gov", ["198.51.100.10"],
     [("198.51.100.10", "2024-03-28T17:04:22+00:00", ""), ("198.51.100.10", "2024-03-29T06:00:00+00:00", "")]),
    ("Gendarmerie nationale\nRéquisition judiciaire (article 60-1 du code de procédure pénale)\nIdentité de l'abonné "
     "ayant utilisé l'adresse IP 198.51.100.8 le 06/03/2024 à 11:00:00 UTC+1.", "x@gendarmerie.example.fr",
     ["198.51.100.8"], [("198.51.100.8", "2024-03-06T10:00:00+00:00", "")]),
    ("Polizei Köln. Gemäß § 100j StPO Bestandsdaten zu 198.51.100.11, genutzt am 01.03.2024 um 10:00 Uhr.",
     "x@polizei.example.de", ["198.51.100.11"], [("198.51.100.11", None, "time zone")]),
    ("Police. Please identify the subscriber of 198.51.100.12 in March 2024.", "x@police.example.gov",
     ["198.51.100.12"], [("198.51.100.12", None, "date and time")]),
])
def test_ip_time_pairs_in_many_notations(text, sender, ips, expected):
    assert pairs(extract(text, sender=sender, targets=ips)) == expected


def test_country_legal_basis_and_instrument_of_a_belgian_eio_in_english():
    facts = extract("Federal Judicial Police Brussels\nEuropean Investigation Order (Directive 2014/41/EU)\n"
                    "Issuing authority: Investigating judge, Brussels court of first instance\nPlease provide the "
                    "subscriber data of the user of 198.51.100.7 on 5 March 2024 at 10:22:01 CET.",
                    sender="x@police.example.be", targets=["198.51.100.7"])
    assert (facts["country"], facts["instrument"], facts["type"]) == ("BE", "eio", "subscriber_data")
    assert facts["legal_basis"] == "Directive 2014/41/EU"
    assert facts["authority"] == "Investigating judge, Brussels court of first instance"


def test_a_german_dsa_article_10_order_names_a_domain_and_a_date():
    facts = extract("Bundesnetzagentur\nAnordnung zur Bereitstellung von Informationen gemäß Art. 10 der "
                    "Verordnung (EU) 2022/2065\nBitte übermitteln Sie die Kundendaten (Name, Anschrift) des Nutzers "
                    "der Domain shop-fake.example.\nFrist: 15.05.2024", sender="x@bnetza.example.de")
    assert (facts["type"], facts["country"], facts["language"]) == ("dsa_art10", "DE", "de")
    assert facts["identifiers"] == [{"kind": "domain", "value": "shop-fake.example"}]
    assert facts["deadline"] == "2024-05-15T21:59:59+00:00"  # the end of that day in Germany


def test_cet_written_for_a_summer_date_is_noted():
    facts = extract("Politie. Vordering art. 126na Sv: IP 198.51.100.13 op 01-07-2024 10:00:00 CET.",
                    sender="x@politie.example.nl", targets=["198.51.100.13"])
    [ip] = facts["identifiers"]
    assert ip["at"] == "2024-07-01T09:00:00+00:00" and "summer" in ip["note"]


def test_a_deadline_as_a_span_is_given_in_hours():
    facts = extract("Politie. Vordering art. 126na Sv. Graag binnen 3 dagen reageren.", sender="x@politie.example.nl")
    assert facts["deadline_hours"] == 72.0


@pytest.mark.parametrize("body", ["1" * 1_000_000, "18 U.S.C. " * 100_000, "01.02.2024 12:00 " * 60_000,
                                  "198.51.100.1 op 01-02-2024 10:00:00 CET\n" * 30_000])
def test_hostile_bodies_are_read_in_bounded_work(body):
    facts = extract(body, sender="a@politie.example.nl", targets=["198.51.100.1"])
    assert len(facts["identifiers"]) <= 20  # the first mentions of an address, not a million


@pytest.mark.parametrize("text, at", [
    ("Politie. Vordering art. 126na Sv. IP 198.51.100.5 op 2024-05-12 22:41:07 +0200.", "2024-05-12T20:41:07+00:00"),
    ("Polizei Köln. § 100j StPO. IP 198.51.100.5 am 12.05.2024 22:41:07 (UTC+02:00).", "2024-05-12T20:41:07+00:00"),
    ("Police. Subscriber information for 198.51.100.5 at 12 May 2024 22:41:07 CEST.", "2024-05-12T20:41:07+00:00"),
    ("FBI. 18 U.S.C. 2703(d). 198.51.100.5 on Sunday, May 12, 2024 10:41:07 PM (GMT+2).",
     "2024-05-12T20:41:07+00:00"),
    ("Gendarmerie. Réquisition. 198.51.100.5 le 12/05/2024 à 22h41 heure de Paris.", "2024-05-12T20:41:00+00:00"),
    ("Police. Subscriber data. IP 198.51.100.5 2024-05-12T20:41:07.123Z", "2024-05-12T20:41:07+00:00"),
    ("Police. Subscriber data. 198.51.100.5 at 22:41:07 UTC on 12.05.2024", "2024-05-12T22:41:07+00:00"),
    ("Polizei. Bestandsdaten § 100j StPO\nIP-Adresse | Zeitstempel (UTC)\n198.51.100.5 | 2024-05-12 20:41:07\n",
     "2024-05-12T20:41:07+00:00"),
    # A form: the address, then its date and its time on lines of their own.
    ("Politie. Vordering 126na Sv.\nIP-adres: 198.51.100.5\nDatum: 12 mei 2024\nTijd: 22:41:07 uur (CEST)\n",
     "2024-05-12T20:41:07+00:00"),
    ("Polizei. § 100j StPO. IP 198.51.100.5, Port 44321, am 12.05.2024, 22:41:07 Uhr (MESZ).",
     "2024-05-12T20:41:07+00:00"),
])
def test_one_instant_in_many_notations_and_zones(text, at):
    [ip] = [i for i in extract(text, sender="x@police.example.nl", targets=["198.51.100.5"])["identifiers"]
            if i["kind"] == "ip"]
    assert (ip["at"], ip["missing"]) == (at, "")


def _mail(subject: str, body: str):
    from abusedesk.parsers.mime import parse_mail

    return parse_mail((f"From: Ops <ops@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
                       f"Message-ID: <le1@reporter.example>\n\n{body}").encode())


def test_an_authoritys_request_is_recognised_whatever_the_letter_case():
    from abusedesk.parsers.lawenforcement import looks_like

    assert looks_like(_mail("AUSKUNFTSERSUCHEN gem. § 174 TKG", "Landeskriminalamt Berlin, Az. 123 Js 456/26"))


def test_legal_words_inside_other_words_do_not_make_a_request():
    # "postpone" holds "stpo" (the German code of criminal procedure); only whole words count.
    from abusedesk.parsers.lawenforcement import looks_like

    assert not looks_like(_mail("Please postpone our call",
                                "Our office is next to the police station; we postpone the data request meeting."))
