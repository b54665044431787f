"""Company names: legal forms and punctuation do not matter, typos do not hide a company,
and neither a similar word nor the words every hoster shares make a match."""

import pytest

from abusedesk.kyc import matching


@pytest.mark.parametrize("a, b", [
    ("Shady Hosting Ltd", "Shady Hosting Limited"),
    ("Shady Hosting Ltd", "SHADY-HOSTING L.T.D."),
    ("Shady Hosting Ltd", "Shady Hosting"),
    ("BulletProof Servers Ltd", "Bullet-Proof Servers Limited"),
    ("Bakkerij Jansen B.V.", "Bakkerij Jansen BV"),
    ("Müller Rechenzentrum GmbH", "Muller Rechenzentrum G.m.b.H."),
    ("Shady Hosting Ltd", "Shadyy Hosting Ltd"),
    ("Klant B B.V.", "Klant B Limited"),
])
def test_the_same_company_in_other_spellings_matches(a, b):
    assert matching.names_match(a, b) and matching.names_match(b, a)


@pytest.mark.parametrize("a, b", [
    ("Bakkerij Jansen B.V.", "Bakker Jansen Transport B.V."),
    ("Shady Hosting Ltd", "Shady Cloud Ltd"),  # same distinctive word, different company
    ("Shady Hosting Ltd", "Shadow Hosting Ltd"),
    ("Hosting B.V.", "Hosting Ltd"),  # generic words only: never a match
    ("Cloud Servers GmbH", "Cloud Servers Ltd"),
    ("Web Hosting Solutions Ltd", "Web Hosting Solutions B.V."),
    ("A1 Hosting", "A2 Hosting"),  # short names must be equal
    ("End customer C1 GmbH", "End customer C2 GmbH"),  # numbers are part of who someone is
    ("Server 24 B.V.", "Server 25 B.V."),
    ("BulletProof Servers Ltd", "Bullet Hosting Ltd"),
    ("Ltd", "Limited"),
])
def test_false_friends_do_not_match(a, b):
    assert not matching.names_match(a, b) and not matching.names_match(b, a)


def test_legal_forms_and_punctuation_are_dropped_from_the_words():
    assert matching.name_words("Bakkerij Jansen B.V.") == ["bakkerij", "jansen"]
    assert matching.name_words("S.A.R.L. Dupont & Fils") == ["dupont", "and", "fils"]
    assert matching.name_words("Klant B B.V.") == ["klant", "b"]
    assert matching.name_words("I.B.M. Hosting") == ["ibm", "hosting"]


def test_phones_are_compared_in_e164_and_give_their_country():
    assert matching.phone("+31 20 555 0199") == matching.phone("0031205550199".replace("00", "+", 1)) == "+31205550199"
    assert matching.phone("020 555 0199", "NL") == "+31205550199"
    assert matching.phone("not a phone") == "" and matching.phone_country("+49 30 5555 0100") == "DE"


def test_websites_are_compared_by_host_without_www():
    assert matching.domain("https://WWW.Shady-Hosting.example:443/path?q") == "shady-hosting.example"
    assert matching.email_domain("Sales@Shady-Hosting.Example") == "shady-hosting.example"


def test_free_mail_domains_identify_nobody_but_the_address_does():
    a = matching.Party("a").add(emails=["alice@gmail.com"])
    b = matching.Party("b").add(emails=["bob@gmail.com"])
    assert matching.compare(a, b) == ([], False)
    c = matching.Party("c").add(emails=["Alice@gmail.com"])
    assert matching.compare(a, c)[0] == ["e-mail address alice@gmail.com"]
